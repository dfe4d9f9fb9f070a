"""The result as Markdown: a summary beside the baselines with ratios, the targets, the queries."""

from __future__ import annotations

import math
from typing import Any

from scripts.bench.stats import ratio

ENGINES = (("ours", "newsarchive"), ("fts5", "SQLite FTS5"), ("whoosh", "plain Whoosh"),
           ("tantivy", "Tantivy"))


def fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, (int,)) or (isinstance(value, float) and abs(value) >= 1000):
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def fmt_ratio(value: float) -> str:
    return "–" if not math.isfinite(value) else f"{value:.2f}x"


def _get(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _load(meta: dict[str, Any], key: str) -> str:
    value = meta["host"].get(key)
    return f"{value[0]:.1f}" if value else "?"


def summary_rows(results: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(measure, {engine: value}, 'higher'|'lower' is better)."""
    rows: list[tuple[str, dict[str, Any], str]] = []

    def row(label: str, better: str, *path: str) -> None:
        values = {engine: _get(results, path[0], engine, *path[1:]) for engine, _ in ENGINES}
        if any(v is not None for v in values.values()):
            rows.append((label, values, better))

    row("reindex, docs/s (median)", "higher", "reindex", "docs_per_s", "median")
    row("reindex, MB/s of files (median)", "higher", "reindex", "mb_per_s", "median")
    row("reindex, seconds (median)", "lower", "reindex", "seconds", "median")
    row("reindex, CPU seconds incl. workers (median)", "lower", "reindex", "cpu_seconds", "median")
    row("reindex, docs per CPU second (median)", "higher", "reindex", "docs_per_cpu_s", "median")
    row("reindex, peak memory of the main process, MB", "lower", "reindex", "main_peak_mb")
    row("reindex, peak memory of the largest worker, MB", "lower", "reindex", "worker_peak_mb")
    for stream in ("unseen", "warm"):
        for q in ("p50", "p95", "p99", "max"):
            row(f"search {stream}, CPU ms {q}", "lower", "search", stream, "cpu", q)
        row(f"search {stream}, wall ms p50", "lower", "search", stream, "wall", "p50")
        row(f"search {stream}, wall ms p99", "lower", "search", stream, "wall", "p99")
    row("first search of a freshly opened engine, ms", "lower", "search", "first_search_ms")
    row("first search of a fresh server (web), ms", "lower", "web", "first_search_ms")
    row("web p50 ms", "lower", "web", "latency", "p50")
    row("web p95 ms", "lower", "web", "latency", "p95")
    row("web p99 ms", "lower", "web", "latency", "p99")
    row("web throughput, requests/s", "higher", "web", "throughput")
    row("server peak memory (VmHWM), MB", "lower", "web", "server_peak_mb")
    row("ingest → searchable p50 ms", "lower", "ingest", "visible", "p50")
    row("ingest → searchable max ms", "lower", "ingest", "visible", "max")
    return rows


def to_markdown(results: dict[str, Any]) -> str:
    meta = results["meta"]
    corpus = results["corpus"]
    lines = [
        f"# newsarchive benchmark: {corpus['n']:,} articles",
        "",
        f"{meta['started']} · {meta['host']['cpus']} CPUs · Python {meta['host']['python']} · "
        f"Whoosh {meta['host']['whoosh']} · SQLite {meta['host']['sqlite']} · commit {meta.get('commit', '?')}",
        "",
        f"Corpus: {corpus['files']:,} files, {corpus['mb']:.1f} MB, {corpus['words']:,} body words "
        f"(seed {corpus['seed']}); parsing alone (one process): "
        f"{fmt(_get(results, 'parse', 'docs_per_s'), 0)} docs/s. "
        f"Plan: {meta['plan']}.",
        "",
        f"Load average (1 min) at the start {_load(meta, 'load_average')}, at the end "
        f"{_load(meta, 'load_average_end')}: other work on the machine inflates wall times; "
        "the CPU rows are less affected.",
        "",
        "| measure | newsarchive | SQLite FTS5 | ours ÷ FTS5 | plain Whoosh | ours ÷ Whoosh "
        "| Tantivy | ours ÷ Tantivy |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, values, _better in summary_rows(results):
        ours = values.get("ours")
        cells = [fmt(ours)]
        for engine in ("fts5", "whoosh", "tantivy"):
            cells += [fmt(values.get(engine)), fmt_ratio(ratio(ours, values.get(engine)))]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    whoosh_n = _get(results, "search", "whoosh", "queries")
    if whoosh_n and whoosh_n < sum(results.get("stream_classes", {}).values()):
        lines += ["", f"Plain Whoosh answered the first {whoosh_n:,} queries of the stream only "
                      "(seconds per query at this size)."]
    lines += _class_tables(results)
    lines += ["", "## Targets", ""]
    for target in results.get("targets", []):
        mark = {True: "PASS", False: "MISS", None: "n/a"}[target["pass"]]
        lines.append(f"- **{mark}** {target['name']}: {target['detail']}")
    if results.get("errors"):
        lines += ["", "## Errors", ""]
        for where, message in results["errors"].items():
            lines.append(f"- {where}: {message}")
    agree = results.get("agreement")
    if agree:
        lines += ["", f"Hit counts compared on {agree['compared']:,} queries: "
                      f"{agree['disagree']} differ."]
        for item in agree["examples"]:
            lines.append(f"- `{item['text']}` ({item['name']}): " +
                         ", ".join(f"{k} {v:,}" for k, v in item["totals"].items()))
    ingest = results.get("ingest", {}).get("ours")
    if ingest:
        lines += ["", f"Ingest (ours, server running): save {fmt(_get(ingest, 'save', 'p50'))} ms, "
                      f"index update {fmt(_get(ingest, 'update', 'p50'))} ms, then visible through "
                      f"the web API after {fmt(_get(ingest, 'poll', 'p50'))} ms (p50 of "
                      f"{_get(ingest, 'visible', 'n')}); a cold `Store` first reads the id catalogue "
                      f"of every file: {fmt(ingest.get('catalog_cold_ms'))} ms."]
    stages = _get(results, "web", "ours", "memory_stages")
    if stages:
        rss = " / ".join(f"{v.get('VmRSS', 0) / 1024:.0f}" for v in stages.values())
        lines += ["", f"Server memory (ours), RSS after {' / '.join(stages)}: {rss} MB."]
    lines.append("")
    return "\n".join(lines)


def _class_tables(results: dict[str, Any]) -> list[str]:
    """Per query class: CPU ms p50 / p99 of each engine, unseen then warm."""
    classes = results.get("stream_classes", {})
    if not classes:
        return []
    lines: list[str] = []
    for stream in ("unseen", "warm"):
        lines += ["", f"### Per query class, {stream}: CPU ms p50 / p99", "",
                  "| query class | queries | " + " | ".join(label for _, label in ENGINES) + " |",
                  "|---|---:|" + "---:|" * len(ENGINES)]
        for kind, count in classes.items():
            cells = []
            for engine, _ in ENGINES:
                cpu = _get(results, "search", engine, stream, "classes", kind, "cpu")
                cells.append(f"{fmt(cpu['p50'])} / {fmt(cpu['p99'])}" if cpu else "–")
            lines.append(f"| {kind} | {count} | " + " | ".join(cells) + " |")
    return lines
