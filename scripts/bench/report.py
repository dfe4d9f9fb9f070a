"""The result as Markdown: a summary beside the baselines with ratios, the targets, the queries."""

from __future__ import annotations

import math
from typing import Any

from scripts.bench.stats import ratio

ENGINES = (("ours", "newsarchive"), ("fts5", "SQLite FTS5"), ("whoosh", "plain Whoosh"))


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
    row("search p50 ms (median of rounds)", "lower", "search", "round_p50", "median")
    row("search p95 ms (median of rounds)", "lower", "search", "round_p95", "median")
    row("search p99 ms (all samples)", "lower", "search", "pooled", "p99")
    row("search max ms (all samples)", "lower", "search", "pooled", "max")
    row("search, first (cold) pass p50 ms", "lower", "search", "cold", "p50")
    row("search CPU ms p50 (thread time)", "lower", "search", "cpu", "p50")
    row("search CPU ms p99 (thread time)", "lower", "search", "cpu", "p99")
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
        "| measure | newsarchive | SQLite FTS5 | ours ÷ FTS5 | plain Whoosh | ours ÷ Whoosh |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, values, _better in summary_rows(results):
        ours, fts, whoosh = values.get("ours"), values.get("fts5"), values.get("whoosh")
        lines.append(f"| {label} | {fmt(ours)} | {fmt(fts)} | {fmt_ratio(ratio(ours, fts))} | "
                     f"{fmt(whoosh)} | {fmt_ratio(ratio(ours, whoosh))} |")
    lines += ["", "## Targets", ""]
    for target in results.get("targets", []):
        mark = {True: "PASS", False: "MISS", None: "n/a"}[target["pass"]]
        lines.append(f"- **{mark}** {target['name']}: {target['detail']}")
    if results.get("errors"):
        lines += ["", "## Errors", ""]
        for where, message in results["errors"].items():
            lines.append(f"- {where}: {message}")
    queries = results.get("queries", [])
    if queries:
        lines += ["", "## Queries (p50 ms over rounds; hits found)", "",
                  "| query | kind | ours | FTS5 | Whoosh | hits ours / FTS5 / Whoosh |",
                  "|---|---|---:|---:|---:|---|"]
        for q in queries:
            p50 = q.get("p50", {})
            totals = q.get("totals", {})
            agree = len({v for v in totals.values() if v is not None}) <= 1
            lines.append(
                f"| {q['name']} | {q['kind']} | {fmt(p50.get('ours'))} | {fmt(p50.get('fts5'))} | "
                f"{fmt(p50.get('whoosh'))} | {' / '.join(fmt(totals.get(e)) for e, _ in ENGINES)}"
                f"{'' if agree else ' ≠'} |")
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
