"""A time limit for one page's extraction, in whatever thread runs it.

trafilatura's own timeout applies to its command line, not to library calls, and some pages
(deep nesting, pathological markup) keep it busy for minutes. ``time_limit(seconds)`` starts a
watcher thread that, when the time is up, raises ``TimeLimitExceeded`` in the thread running the
block (CPython's ``PyThreadState_SetAsyncExc``: the exception arrives at the next bytecode, so
pure-Python work stops at once; one long call into C returns first). Unlike ``SIGALRM`` it works
in any thread: a worker process's main thread, a Dask worker's task thread, a web request.

An exception raised that way can land where Python swallows it: in a garbage-collector callback,
a ``__del__``, a weakref callback (CPython prints "Exception ignored in ..." and the block runs
on). So the watcher raises it again every ``_REFIRE`` seconds until the block has ended.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
from typing import Iterator

from archive.errors import TimeLimitExceeded

_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)

_REFIRE = 0.2  # seconds between raises while the block still runs


@contextlib.contextmanager
def time_limit(seconds: float | None, *, what: str = "the extraction") -> Iterator[None]:
    """Run the block with at most ``seconds`` of wall time (``None`` or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    target = threading.get_ident()
    lock = threading.Lock()
    ended = threading.Event()
    fired = False

    def watch() -> None:
        nonlocal fired
        wait = seconds
        while not ended.wait(wait):
            with lock:
                if ended.is_set():
                    return
                fired = True
                _set_async_exc(target, ctypes.py_object(_Expired))
            wait = _REFIRE

    watcher = threading.Thread(target=watch, name="time-limit", daemon=True)
    watcher.start()
    expired = False
    try:
        yield
    except _Expired:
        expired = True
    finally:
        with lock:
            ended.set()
            if fired:  # a raise still pending (too late to land in the block): take it back
                _set_async_exc(target, ctypes.py_object())
    if expired:
        raise TimeLimitExceeded(f"{what} took longer than {seconds:g} s (the time limit per "
                                "page); the page was skipped")


class _Expired(BaseException):
    """Raised into the thread; a ``BaseException`` so no ``except Exception`` in the library
    swallows it on the way out."""
