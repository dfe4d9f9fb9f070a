"""Bulk ingest against reindex of the same files, through the real command, in the same run.

    python -m scripts.bench_ingest [--n 20000] [--html 400] [--rounds 1] [--out bench-out]

Inputs are generated deterministically from the bench corpus generator
(``scripts/bench/corpus.py``): a JSON lines export of ``--n`` records (seed 7), a folder of
``--n`` Markdown files (the corpus of seed 42, as the archive writes them) and ``--html`` saved
pages (seed 11). For each: ``newsarchive ingest -q`` into an empty home, then
``newsarchive reindex`` of the files that ingest wrote. Prints wall time, files/s and CPU
(the command and its worker processes) for both, and the ratio of files/s, ingest to reindex;
for HTML, the CPU used per second of wall time (2.0 = both cores of a 2-core machine busy).
"""

from __future__ import annotations

import html
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

NEWSARCHIVE = [sys.executable, "-m", "scripts.cli"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(*args: str) -> tuple[float, float]:
    """Run ``newsarchive ARGS``; ``(wall seconds, CPU seconds)`` of it and its workers."""
    cpu, started = _children_cpu(), time.perf_counter()
    done = subprocess.run([*NEWSARCHIVE, *args], capture_output=True, text=True)
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if done.returncode != 0:
        raise click.ClickException(f"newsarchive {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return wall, cpu


def write_jsonl(path: Path, n: int, seed: int = 7) -> Path:
    from scripts.bench.corpus import make_article

    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for i in range(n):
            a = make_article(seed, i)
            out.write(json.dumps({
                "title": a.title, "description": a.description, "body": a.body,
                "publishedAt": a.published_at.isoformat(), "url": a.url, "source": a.source.name,
                "tags": list(a.tags), "sentiment": a.sentiment, "lang": a.lang, "author": a.author,
                "category": a.category, "id": a.external_id,
            }, ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def write_html(folder: Path, n: int, seed: int = 11) -> Path:
    from scripts.bench.corpus import make_article

    if folder.exists():
        return folder
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for i in range(n):
        a = make_article(seed, i)
        paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in a.body.split("\n\n"))
        (tmp / f"page-{i:05d}.html").write_text(
            f"<!doctype html><html lang='{a.lang}'><head><title>{html.escape(a.title)}</title>"
            f"<meta property='og:title' content='{html.escape(a.title)}'>"
            f"<meta property='article:published_time' content='{a.published_at.isoformat()}'>"
            f"<link rel='canonical' href='{a.url}'></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/markets'>Markets</a></nav>"
            f"<article><h1>{html.escape(a.title)}</h1>{paragraphs}</article>"
            f"<footer>Copyright {a.source.name}</footer></body></html>", encoding="utf-8")
    tmp.rename(folder)
    return folder


def count_files(home: Path) -> int:
    return sum(1 for p in (home / "articles").rglob("*.md") if not p.name.startswith("."))


def measure(name: str, source: Path, out: Path, rounds: int) -> dict[str, float]:
    ingest_rates, reindex_rates = [], []
    for round_no in range(rounds):
        home = out / f"home-{name}"
        shutil.rmtree(home, ignore_errors=True)
        wall, cpu = run_command("ingest", "-q", "--home", str(home), str(source))
        files = count_files(home)
        ingest_rates.append(files / wall)
        click.echo(f"{name:9s} ingest   {files} files {wall:7.1f} s {files / wall:7.1f} files/s "
                   f"{1e3 * cpu / files:6.2f} ms CPU/file  CPU/wall {cpu / wall:4.2f}  "
                   f"(load {os.getloadavg()[0]:.1f})")
        wall, cpu = run_command("reindex", "--home", str(home))
        reindex_rates.append(files / wall)
        click.echo(f"{name:9s} reindex  {files} files {wall:7.1f} s {files / wall:7.1f} files/s "
                   f"{1e3 * cpu / files:6.2f} ms CPU/file  CPU/wall {cpu / wall:4.2f}  "
                   f"(load {os.getloadavg()[0]:.1f})")
    ratio = statistics.median(ingest_rates) / statistics.median(reindex_rates)
    click.echo(f"{name:9s} ingest/reindex files/s: {ratio:.2f}x")
    return {"ingest": statistics.median(ingest_rates), "reindex": statistics.median(reindex_rates),
            "ratio": ratio}


@click.command()
@click.option("--n", "count", default=20000, show_default=True, help="Records and Markdown files.")
@click.option("--html", "pages", default=400, show_default=True, help="Saved HTML pages.")
@click.option("--rounds", default=1, show_default=True, help="Runs of each.")
@click.option("--only", type=click.Choice(["jsonl", "markdown", "html"]), multiple=True,
              help="Measure only these inputs (repeatable).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("bench-out"),
              show_default=True, help="Where inputs and homes are written.")
def main(count: int, pages: int, rounds: int, only: tuple[str, ...], out: Path) -> None:
    """Time bulk ingest against reindex of the same files, on generated inputs."""
    from scripts.bench.corpus import generate_corpus

    out = out.resolve()
    inputs = out / "ingest-inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    wanted = only or ("jsonl", "markdown", "html")
    figures = {}
    if "jsonl" in wanted:
        figures["jsonl"] = measure("jsonl", write_jsonl(inputs / f"export-{count}.jsonl", count), out, rounds)
    if "markdown" in wanted:
        corpus_home, _ = generate_corpus(out / "corpus", count)
        figures["markdown"] = measure("markdown", corpus_home / "articles", out, rounds)
    if "html" in wanted:
        figures["html"] = measure("html", write_html(inputs / f"pages-{pages}", pages), out, rounds)
    click.echo(json.dumps(figures))


if __name__ == "__main__":  # pragma: no cover
    main()
