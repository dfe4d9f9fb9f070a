"""The benchmark harness: a deterministic corpus in the canonical format, and a tiny end-to-end
run that writes valid JSON and Markdown. No timing is asserted here (figures come from
``python -m scripts.bench`` runs); what is asserted is what the harness must get right to be
trusted: the same seed gives the same files and the same query stream, the stream holds distinct
queries of every class, unseen queries run with our caches emptied, and every engine finds the
same hits for every query."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest

from archive.store import Store, parse_article, render_article
from scripts.bench.main import ENGINES, Plan, judge, run, warm_sample
from scripts.bench.corpus import generate_corpus, make_article, marker_word
from scripts.bench.stream import QUOTAS, make_stream, read_sample, read_stream, write_stream
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


def test_the_stream_is_distinct_queries_of_every_class_drawn_from_the_corpus(tmp_path: Path) -> None:
    home, _ = generate_corpus(tmp_path, 300, seed=9, procs=1)
    sample = read_sample(home, 9, size=200)
    stream = make_stream(sample, 9, total=400)
    assert len(stream) == 400
    assert len({q.key() for q in stream}) == 400  # each query once
    kinds = {kind for kind, _ in QUOTAS}
    assert {q.kind for q in stream} == kinds
    assert make_stream(read_sample(home, 9, size=200), 9, total=400) == stream  # deterministic
    # phrases are words in a row of a real article's body
    bodies = [" ".join(tokens) for tokens in sample.bodies]
    for query in stream:
        for clause in query.clauses:
            if clause.kind == "phrase":
                assert any(" ".join(clause.words) in body for body in bodies), clause
    words = sorted({q.clauses[0].words[0] for q in stream if q.kind.startswith("word:")},
                   key=lambda w: sample.df[w])
    assert sample.df[words[0]] <= 2 and sample.df[words[-1]] >= 0.03 * 200  # rare to common
    path = tmp_path / "stream.json"
    write_stream(path, stream)
    assert read_stream(path) == stream
    assert [q.kind for q in warm_sample(stream, 2)].count("phrase2") == 2


def _figures(p50: float, p99: float) -> dict:
    return {"unseen": {"cpu": {"p50": p50, "p99": p99},
                       "wall": {"p50": p50 * 1.1, "p99": p99 * 1.1},
                       "classes": {"phrase2": {"cpu": {"p50": p50, "p99": p99}},
                                   "word:rare": {"cpu": {"p50": p50 / 2, "p99": p99 / 2}}}}}


def test_targets_are_judged_from_the_figures() -> None:
    results = {
        "corpus": {"n": 100_000},
        "search": {"ours": _figures(30.0, 200.0), "fts5": _figures(100.0, 350.0),
                   "tantivy": _figures(12.0, 40.0)},
        "agreement": {"compared": 2000, "disagree": 0},
        "reindex": {"ours": {"docs_per_s": {"median": 300.0}}, "whoosh": {"docs_per_s": {"median": 120.0}}},
        "web": {"ours": {"latency": {"p99": 300.0}, "server_peak_mb": 520.0, "first_search_ms": 900.0}},
        "ingest": {"ours": {"visible": {"max": 400.0, "p50": 250.0}}},
    }
    assert [(t["name"], t["pass"], t["detail"]) for t in judge(results)] == [
        ("unseen p50 ≤ 3x Tantivy", True, "30.0 vs 12.0 ms CPU (2.50x)"),
        ("unseen p99 ≤ 0.5x FTS5", False, "200.0 vs 350.0 ms CPU (0.57x)"),
        ("no query class slower than FTS5 (p50 and p99 per class)", True,
         "2 classes; the closest: word:rare at 0.30x FTS5's p50"),
        ("unseen p99 < 300 ms", True, "200.0 ms CPU, 220.0 ms wall"),
        ("hit counts of all engines agree on every query", True, "0 of 2000 queries differ"),
        ("first search of a fresh server < 2 s", True, "900 ms (start of the server not included)"),
        ("reindex ≥ 3x plain Whoosh", False, "300 docs/s vs 120 docs/s (2.50x)"),
        ("ingested article searchable < 1 s (server running)", True, "max 400 ms, p50 250 ms"),
        ("server memory < 500 MB", False, "VmHWM 520 MB after the load and the ingests"),
    ]
    results["search"]["ours"]["unseen"]["classes"]["phrase2"]["cpu"]["p99"] = 400.0
    slower = [t for t in judge(results) if t["name"].startswith("no query class")][0]
    assert (slower["pass"], slower["detail"]) == (False, "phrase2 p99 400.0 vs 350.0 ms")
    results["corpus"]["n"] = 1_000_000
    assert [t["name"] for t in judge(results)][3] == "unseen p99 < 1000 ms"
    assert [t["pass"] for t in judge({})] == [None] * 9


def test_a_tiny_run_writes_json_and_markdown_and_engines_agree(tmp_path: Path) -> None:
    plan = Plan(n=200, stream=60, warm_per_class=1, reindex_runs=1, clients=2, web_requests=8,
                web_seconds=120, ingest_runs=1, procs=2)
    results = run(plan, tmp_path, progress=lambda message: None)

    assert results["errors"] == {}
    data = json.loads((tmp_path / "bench-200.json").read_text())
    assert data["corpus"]["files"] == 200
    assert set(data["reindex"]) == set(data["search"]) == set(data["web"]) == set(ENGINES)
    assert {name for name in data["ingest"]} == set(ENGINES)
    stream = read_stream(Path(data["stream_file"]))
    assert len(stream) == 60 and sum(data["stream_classes"].values()) == 60
    for engine in ENGINES:
        assert data["reindex"][engine]["runs"][0]["seconds"] > 0
        assert data["search"][engine]["unseen"]["cpu"]["n"] == 60
        assert set(data["search"][engine]["unseen"]["classes"]) == set(data["stream_classes"])
        assert data["search"][engine]["warm"]["cpu"]["n"] == len(data["stream_classes"])
        assert data["web"][engine]["errors"] == 0
        assert data["web"][engine]["requests"] == 8
    # every engine finds exactly the same number of articles for every query of the stream
    assert data["agreement"] == {"compared": 60, "disagree": 0, "examples": []}
    for query in data["queries"]:
        assert set(query["totals"]) == set(ENGINES), query["name"]
    assert [t["name"] for t in data["targets"]] == [t["name"] for t in judge({"corpus": {"n": 200}})]
    assert all(t["pass"] in (True, False) for t in data["targets"])

    markdown = (tmp_path / "bench-200.md").read_text()
    assert markdown.startswith("# newsarchive benchmark: 200 articles\n")
    assert "| query class | queries | newsarchive | SQLite FTS5 | plain Whoosh | Tantivy |" in markdown
    assert markdown.count("**PASS**") + markdown.count("**MISS**") == len(data["targets"])

    # a second run keeps the indexes but the ingest test added articles to them: all rebuilt
    again = run(replace(plan, reuse=True, web=False), tmp_path, progress=lambda message: None)
    assert again["reused_indexes"] == []
    third = run(replace(plan, reuse=True, web=False), tmp_path, progress=lambda message: None)
    assert third["reused_indexes"] == sorted(ENGINES) and third["reindex"] == {}
    assert third["agreement"]["disagree"] == 0
