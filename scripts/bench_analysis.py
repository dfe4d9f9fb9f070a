"""What collapsing results to stories and the coverage timeline cost, on a built archive.

    nice .venv/bin/python scripts/bench_analysis.py --home HOME [--rounds 5] [--seed 42]

HOME is an archive indexed by this version (``newsarchive reindex``), e.g. the bench corpus of
``scripts/bench.py`` (``scripts/bench/corpus.py``) linked into a home and reindexed. For each
query of the bench mix (``scripts/bench/queries.py``) it runs, alternating within each round so
that both see the same machine load, the same search with ``collapse`` on and off and reports
the CPU time per page (median over rounds): grouping a page = on minus off. Then a 6-query
timeline (by month, articles and stories, with shares) against the 6 plain searches it contains.
The first search after opening the index builds the story column (once per index snapshot):
reported apart. CPU time (``time.process_time``) is what the figures are; wall time is printed
beside them, with the load average.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click


def _cpu(fn: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def bench_collapse(service: Any, mix: list[Any], rounds: int) -> list[dict[str, Any]]:
    rows = []
    for bq in mix:
        query = bq.search_query()
        on, off = [], []
        for _ in range(rounds):
            off.append(_cpu(lambda: service.search(replace(query, collapse=False))))
            on.append(_cpu(lambda: service.search(replace(query, collapse=True))))
        result = service.search(query)
        rows.append({
            "name": bq.name, "page": query.page, "total": result.total, "stories": result.stories,
            "off_ms": statistics.median(c for c, _ in off),
            "on_ms": statistics.median(c for c, _ in on),
            "off_wall": statistics.median(w for _, w in off),
            "on_wall": statistics.median(w for _, w in on),
        })
    return rows


def timeline_queries(mix: list[Any]) -> list[Any]:
    """Six of the mix's word queries, each with its own filters dropped (the shared ones apply)."""
    chosen = [bq.search_query() for bq in mix if bq.kind in ("word", "words", "phrase", "boolean")]
    return [replace(q, page=1) for q in chosen[:6]]


def bench_timeline(service: Any, queries: list[Any], rounds: int) -> dict[str, Any]:
    from index.timeline import TimelineQuery

    out: dict[str, Any] = {}
    plain, spec_times = [], {}
    specs = {
        "articles, by month": TimelineQuery(queries=tuple(queries), interval="month"),
        "stories, by month": TimelineQuery(queries=tuple(queries), interval="month", unit="stories"),
        "articles, by week, split by sentiment": TimelineQuery(queries=tuple(queries), interval="week",
                                                               split="sentiment"),
    }
    for name in specs:
        spec_times[name] = []
    for _ in range(rounds):
        plain.append(_cpu(lambda: [service.search(q) for q in queries]))
        for name, spec in specs.items():
            spec_times[name].append(_cpu(lambda: service.timeline(spec)))
    out["six plain searches"] = statistics.median(c for c, _ in plain)
    for name, times in spec_times.items():
        out[name] = statistics.median(c for c, _ in times)
    return out


@click.command()
@click.option("--home", type=click.Path(path_type=Path, exists=True, file_okay=False), required=True)
@click.option("--rounds", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True, help="The corpus seed (query words).")
def main(home: Path, rounds: int, seed: int) -> None:
    """Cost per page of collapsed results and of a 6-query timeline."""
    from index.search import SearchService
    from scripts.bench.queries import query_mix

    mix = list(query_mix(seed, deep_page=25))
    click.echo(f"load average before: {os.getloadavg()[0]:.2f}")
    with SearchService(home) as service:
        first_cpu, first_wall = _cpu(lambda: service.search(mix[0].search_query()))
        stats = service.stats()
        click.echo(f"{stats.total:,} articles; first search (opens the index, builds the arrays and "
                   f"the story column): {first_cpu:.0f} ms CPU, {first_wall:.0f} ms wall")
        rows = bench_collapse(service, mix, rounds)
        click.echo(f"\n{'query':28} {'page':>4} {'matches':>8} {'stories':>8} {'off ms':>8} "
                   f"{'on ms':>8} {'grouping':>9}  (CPU, median of {rounds})")
        for r in rows:
            click.echo(f"{r['name'][:28]:28} {r['page']:>4} {r['total']:>8,} {r['stories']:>8,} "
                       f"{r['off_ms']:>8.1f} {r['on_ms']:>8.1f} {r['on_ms'] - r['off_ms']:>+9.1f}")
        deltas = [r["on_ms"] - r["off_ms"] for r in rows]
        click.echo(f"grouping a page: median {statistics.median(deltas):+.1f} ms, max "
                   f"{max(deltas):+.1f} ms; collapsed/plain CPU ratio median "
                   f"{statistics.median(r['on_ms'] / r['off_ms'] for r in rows if r['off_ms']):.2f}")
        if hasattr(service, "timeline"):
            queries = timeline_queries(mix)
            times = bench_timeline(service, queries, rounds)
            click.echo(f"\n6-query timeline ({', '.join(repr(q.q) for q in queries)}):")
            base = times["six plain searches"]
            for name, ms in times.items():
                ratio = "" if name == "six plain searches" else f"  ({ms / base:.2f}x the six searches)"
                click.echo(f"  {name:42} {ms:8.1f} ms CPU{ratio}")
    click.echo(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
