"""Bulk ingest on a Dask cluster: the same units of work, run as ``dask.distributed`` tasks.

``dask_runner(address)`` is a runner for ``archive.pipeline.run_batch``: each ``WorkUnit`` is one
task (``run_unit``, the very function the local pool runs), submitted to the scheduler at
``address`` (``tcp://HOST:8786``); results come back in unit order, so the report, the progress
bar and the index updates are those of a local run. A task whose worker dies is run again on
another worker by the scheduler (``allowed-failures``, 3 by default); a unit that kills every
worker it lands on fails, its input named, and the batch goes on. A unit that raises (a bug) is
retried twice, then fails the same way.

The home: workers write it themselves, exactly as local workers do (the home's write lock, the
id journal, raw snapshots, completion markers), so it must be the same folder on every worker
and the client: a shared filesystem mounted at the same path (NFS v4 or any filesystem where
``flock`` works across machines). The inputs are read by the workers at the paths given, so they
must be there too. Why not return the articles to the client and write there: the decision
"which article is this and where is its file" needs the whole home, and one code path for local
and cluster runs is what makes their files byte for byte the same; the client stays light (it
only indexes), where writing every file would make it the bottleneck.

dask is an optional extra (``pip install newsarchive[cluster]``); without it, asking for a
cluster is a clear error.
"""

from __future__ import annotations

import secrets
from typing import Any, Callable, Iterator, Sequence

from archive.errors import ClusterUnavailable
from archive.pipeline import UnitContext, UnitDone, WorkUnit, run_unit
from archive.types import InputResult

#: how long the client waits to reach the scheduler
CONNECT_TIMEOUT = 20.0
#: retries of a task that raised (a worker's death is the scheduler's own count)
TASK_RETRIES = 2


def connect(address: str, *, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A ``distributed.Client`` on ``address``, or ``ClusterUnavailable`` saying why."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterUnavailable("--cluster needs dask: pip install 'newsarchive[cluster]'") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address} ({exc})") from None


def dask_runner(address: str) -> Callable[[Sequence[WorkUnit], UnitContext], Iterator[UnitDone]]:
    """A runner for ``run_batch`` that runs every unit on the cluster at ``address``."""

    def run(units: Sequence[WorkUnit], context: UnitContext) -> Iterator[UnitDone]:
        if not units:
            return
        client = connect(address)
        try:
            batch = secrets.token_hex(6)
            futures = [client.submit(run_unit, unit, context, key=f"newsarchive-unit-{batch}-{n}",
                                     pure=False, retries=TASK_RETRIES)
                       for n, unit in enumerate(units)]
            for unit, future in zip(units, futures):
                yield _result(unit, future)
                future.release()
        finally:
            client.close()

    return run


def _result(unit: WorkUnit, future: Any) -> UnitDone:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        reason = "the Dask workers running this input died each time (out of memory, or killed)"
    except Exception as exc:  # noqa: BLE001 - a bug in one unit must not stop the batch
        reason = f"unexpected error on the cluster ({type(exc).__name__}: {exc}); this is a bug"
    items = [unit.label] if unit.piece is not None else list(unit.inputs)
    return UnitDone(results=[InputResult(item, "failed", error=reason) for item in items])
