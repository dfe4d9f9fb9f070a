"""The per-page time limit stops the block it guards, even when its first raise is swallowed."""

from __future__ import annotations

import threading
import time

import pytest

from archive.errors import TimeLimitExceeded
from archive.timelimit import time_limit


def busy_until(deadline: float) -> None:
    while time.monotonic() < deadline:
        pass


def test_a_block_past_its_limit_is_stopped_with_a_clear_error() -> None:
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match=r"took longer than 0.3 s"):
        with time_limit(0.3):
            busy_until(started + 10)
    assert time.monotonic() - started < 5


def test_a_raise_swallowed_on_the_way_still_stops_the_block() -> None:
    """Python swallows an exception raised in a gc callback, a __del__ or a weakref callback;
    the block must still be stopped (it ran on to its end before, the page never skipped)."""
    started = time.monotonic()
    swallowed = []
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.3):
            while time.monotonic() < started + 10:
                try:
                    busy_until(started + 10)
                except BaseException as caught:  # what a gc callback does with it
                    if swallowed:
                        raise
                    swallowed.append(type(caught).__name__)
    assert swallowed == ["_Expired"]
    assert time.monotonic() - started < 5


def test_a_block_that_ends_in_time_leaves_nothing_behind() -> None:
    with time_limit(0.2):
        total = sum(range(1000))
    busy_until(time.monotonic() + 0.6)  # past the limit and a re-raise: nothing arrives
    assert total == 499500


def test_the_limit_applies_in_the_thread_that_runs_the_block() -> None:
    outcome: list[str] = []

    def work() -> None:
        try:
            with time_limit(0.3):
                busy_until(time.monotonic() + 10)
            outcome.append("ran on")
        except TimeLimitExceeded:
            outcome.append("stopped")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=8)
    busy_until(time.monotonic() + 0.5)  # the main thread is never hit
    assert outcome == ["stopped"]
