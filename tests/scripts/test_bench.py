"""The benchmark harness: a deterministic corpus in the canonical format, and a tiny end-to-end
run that writes valid JSON and Markdown. No timing is asserted here (figures come from
``scripts/bench.py`` runs); what is asserted is what the harness must get right to be trusted:
the same seed gives the same files, every engine finds the same hits for every query."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from archive.store import Store, parse_article, render_article
from scripts.bench import ENGINES, Plan, judge, run
from scripts.bench.corpus import generate_corpus, make_article, marker_word
from scripts.bench.queries import query_mix
from scripts.bench.stats import latency_summary, percentile, spread


def _files(home: Path) -> dict[str, bytes]:
    return {p.relative_to(home).as_posix(): p.read_bytes() for p in sorted(home.rglob("*.md"))}


def test_same_seed_gives_identical_files_whatever_the_process_count(tmp_path: Path) -> None:
    home_a, manifest_a = generate_corpus(tmp_path / "a", 120, seed=7, procs=1)
    home_b, manifest_b = generate_corpus(tmp_path / "b", 120, seed=7, procs=2)
    files_a, files_b = _files(home_a), _files(home_b)
    assert len(files_a) == 120
    assert files_a == files_b
    manifest_a.pop("generate_seconds"), manifest_b.pop("generate_seconds")
    assert manifest_a == manifest_b
    assert manifest_a["files"] == 120
    assert manifest_a["bytes"] == sum(len(data) for data in files_a.values())

    home_c, _ = generate_corpus(tmp_path / "c", 120, seed=8, procs=1)
    assert set(_files(home_c)) != set(files_a)


def test_generated_files_are_canonical_articles(tmp_path: Path) -> None:
    home, manifest = generate_corpus(tmp_path, 80, seed=3, procs=1)
    articles = [article for _, article, error in Store(home).iter_articles() if error is None]
    assert len(articles) == 80 == manifest["files"]
    for path in sorted(home.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert render_article(parse_article(text)) == text  # exactly what the product writes
    assert len({a.id for a in articles}) == 80
    assert all(150 <= len(a.body.split()) for a in articles if "(" not in a.title)
    assert {a.sentiment for a in articles} == {"POSITIVE", "NEGATIVE", "NEUTRAL"}
    assert all(2021 <= a.published_at.year <= 2026 for a in articles)


def test_cached_corpus_is_reused(tmp_path: Path) -> None:
    home, first = generate_corpus(tmp_path, 30, seed=5, procs=1)
    marker = home / "touched"
    marker.write_text("x")
    home_again, second = generate_corpus(tmp_path, 30, seed=5, procs=1)
    assert home_again == home and second == first and marker.exists()


def test_articles_regenerate_alone_and_markers_are_single_words() -> None:
    assert make_article(11, 57) == make_article(11, 57)
    assert make_article(11, 57) != make_article(11, 58)
    marked = make_article(11, 10_000, marker=marker_word(3))
    assert marked.title.endswith(" " + marker_word(3))
    assert marker_word(3).isalpha() and marker_word(3) != marker_word(4)


def test_percentiles_and_spread() -> None:
    assert percentile([1, 2, 3, 4, 5], 50) == 3.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20], 99) == pytest.approx(19.9)
    assert math.isnan(percentile([], 50))
    assert spread([3, 1, 2]) == {"median": 2.0, "min": 1.0, "max": 3.0, "runs": 3}
    assert latency_summary([5.0]) == {"n": 1, "p50": 5.0, "p95": 5.0, "p99": 5.0, "max": 5.0,
                                      "mean": 5.0}


def test_targets_are_judged_from_the_figures() -> None:
    results = {
        "search": {"ours": {"round_p50": {"median": 30.0}, "pooled": {"p99": 260.0}},
                   "fts5": {"round_p50": {"median": 20.0}}},
        "reindex": {"ours": {"docs_per_s": {"median": 300.0}}, "whoosh": {"docs_per_s": {"median": 120.0}}},
        "web": {"ours": {"latency": {"p99": 300.0}, "server_peak_mb": 120.0}},
        "ingest": {"ours": {"visible": {"max": 400.0, "p50": 250.0}}},
    }
    assert [(t["name"], t["pass"], t["detail"]) for t in judge(results)] == [
        ("search p50 ≤ 2x FTS5 p50", True, "30.0 ms vs FTS5 20.0 ms (1.50x)"),
        ("search p99 < 250 ms", False, "260.0 ms in process; through the web under load 300.0 ms"),
        ("reindex ≥ 3x plain Whoosh", False, "300 docs/s vs 120 docs/s (2.50x)"),
        ("ingested article searchable < 1 s (server running)", True, "max 400 ms, p50 250 ms"),
        ("server memory < 500 MB", True, "VmHWM 120 MB after the load and the ingests"),
    ]
    assert [t["pass"] for t in judge({})] == [None] * 5


def test_a_tiny_run_writes_json_and_markdown_and_engines_agree(tmp_path: Path) -> None:
    plan = Plan(n=200, rounds=1, reindex_runs=1, clients=2, web_requests=8, web_seconds=120,
                ingest_runs=1, procs=2)
    results = run(plan, tmp_path, progress=lambda message: None)

    assert results["errors"] == {}
    data = json.loads((tmp_path / "bench-200.json").read_text())
    assert data["corpus"]["files"] == 200
    assert set(data["reindex"]) == set(data["search"]) == set(data["web"]) == set(ENGINES)
    assert {name for name in data["ingest"]} == set(ENGINES)
    for engine in ENGINES:
        assert data["reindex"][engine]["runs"][0]["seconds"] > 0
        assert data["search"][engine]["pooled"]["n"] == len(query_mix(plan.seed))
        assert data["web"][engine]["errors"] == 0
        assert data["web"][engine]["requests"] == 8
    # every engine finds exactly the same number of articles for every query of the mix
    for query in data["queries"]:
        totals = query["totals"]
        assert set(totals) == set(ENGINES), query["name"]
        assert len(set(totals.values())) == 1, (query["name"], totals)
    everything = next(q for q in data["queries"] if q["name"] == "everything, newest")
    assert everything["totals"]["ours"] == 200
    assert [t["name"] for t in data["targets"]] == [t["name"] for t in judge({})]
    assert all(t["pass"] in (True, False) for t in data["targets"])

    markdown = (tmp_path / "bench-200.md").read_text()
    assert markdown.startswith("# newsarchive benchmark: 200 articles\n")
    assert "| measure | newsarchive | SQLite FTS5 | ours ÷ FTS5 | plain Whoosh | ours ÷ Whoosh |" in markdown
    assert markdown.count("**PASS**") + markdown.count("**MISS**") == 5
    assert " ≠" not in markdown  # no query whose hit counts differ between engines
