"""One full reindex in a fresh process, so that its time and peak memory are its own.

``python -m scripts.bench.runner --engine ours|whoosh|fts5 --home H --workdir W [--procs P]``
prints one JSON line: documents, wall seconds, CPU seconds (with workers), the process's peak resident memory (VmHWM) and the
largest peak of its worker processes (``RUSAGE_CHILDREN``), in kB.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path


def read_status(pid: int | str = "self") -> dict[str, int]:
    """VmHWM / VmRSS (kB) of a process from /proc/<pid>/status (Linux), empty if unreadable."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS", "VmPeak"):
                    out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", required=True, choices=("ours", "whoosh", "fts5", "tantivy"))
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--workdir", required=True, type=Path)
    parser.add_argument("--procs", type=int, default=None)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    if args.engine == "ours":
        from scripts.bench.ours import reindex_ours

        outcome = reindex_ours(args.home, args.procs)
        docs = _count_of(outcome)
    else:
        from scripts.bench.baselines import make_baseline

        engine = make_baseline(args.engine, args.workdir)
        if args.engine == "whoosh" and args.procs:
            engine.procs = args.procs
        docs = engine.build(args.home)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_started
    status = read_status()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"engine": args.engine, "docs": docs, "seconds": seconds, "cpu_seconds": cpu,
                      "vmhwm_kb": status.get("VmHWM"), "children_maxrss_kb": children}))
    return 0


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished worker processes: less
    disturbed than wall time when other work shares the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _count_of(outcome: object) -> int | None:
    """The number of documents a reindex reports, whatever shape its result has."""
    if isinstance(outcome, int):
        return outcome
    for name in ("indexed", "documents", "docs", "count", "total", "added"):
        value = getattr(outcome, name, None)
        if value is None and isinstance(outcome, dict):
            value = outcome.get(name)
        if isinstance(value, int):
            return value
    return None


if __name__ == "__main__":
    sys.exit(main())
