"""Full reindex only: ours (``index.build.reindex``) against Whoosh used the plain way.

    python -m scripts.bench_reindex [--n 5000] [--rounds 2] [--procs 2] [--out bench-out]

Both read the same synthetic corpus (``scripts/bench/corpus.py``, generated once under
``--out`` and reused) and build a complete index from the files: ours with one worker process per
core writing its own segment through ``index/bulkwriter.py``; the plain way with one Whoosh writer
with ``procs=2, multisegment=True`` (``scripts/bench/baselines.py``). Runs alternate so a busy
machine hurts both alike. Prints, per run, wall time, articles/s and CPU ms per article (this
process and its waited-for children), then the median ratio of articles/s. ``python -m scripts.bench``
measures the full-size corpus with everything else; this one answers one question in minutes.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import time
from pathlib import Path

import click


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@click.command()
@click.option("--n", "count", default=5000, show_default=True, help="Articles in the corpus.")
@click.option("--rounds", default=2, show_default=True, help="Runs of each engine.")
@click.option("--procs", default=2, show_default=True, help="Processes for both engines.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("bench-out"),
              show_default=True, help="Where the corpus and the indexes are written.")
def main(count: int, rounds: int, procs: int, out: Path) -> None:
    """Time a full reindex, ours against plain Whoosh, on the same synthetic files."""
    from index.build import reindex
    from scripts.bench.baselines import PlainWhooshEngine
    from scripts.bench.corpus import generate_corpus

    home, manifest = generate_corpus(out / "corpus", count)
    click.echo(f"corpus: {manifest.get('files')} articles, {manifest.get('words')} words, "
               f"{manifest.get('bytes', 0) / 1e6:.1f} MB in {home}")

    def ours() -> int:
        shutil.rmtree(home / "index", ignore_errors=True)
        return reindex(home, procs=procs).documents

    plain_engine = PlainWhooshEngine(out / "plain-whoosh-index", procs=procs)
    engines = {"ours": ours, "plain": lambda: plain_engine.build(home)}
    rates: dict[str, list[float]] = {"ours": [], "plain": []}
    for round_no in range(rounds):
        for name in (("plain", "ours") if round_no % 2 == 0 else ("ours", "plain")):
            cpu, started = _cpu_seconds(), time.perf_counter()
            docs = engines[name]()
            wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
            rates[name].append(docs / wall)
            click.echo(f"{name:6s} {docs} articles  {wall:7.1f} s  {docs / wall:7.1f} articles/s  "
                       f"{1e3 * cpu / docs:5.2f} ms CPU/article  (load {os.getloadavg()[0]:.1f})")
    ratio = statistics.median(rates["ours"]) / statistics.median(rates["plain"])
    click.echo(f"median articles/s: ours {statistics.median(rates['ours']):.1f}, plain "
               f"{statistics.median(rates['plain']):.1f}; ratio {ratio:.2f}x")


if __name__ == "__main__":  # pragma: no cover
    main()
