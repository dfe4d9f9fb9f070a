"""Benchmark newsarchive against SQLite FTS5, plain Whoosh and Tantivy on a synthetic archive.

    .venv/bin/python -m scripts.bench --quick          # a few minutes: 2,000 articles
    .venv/bin/python -m scripts.bench                  # the default bench: 10,000 and 100,000
    .venv/bin/python -m scripts.bench --n 10000        # one size
    .venv/bin/python -m scripts.bench --n 1000000 --engines ours,fts5,tantivy   # on request: hours

For each size it generates (once, cached under ``OUT/corpus``) a deterministic corpus of N articles
in the canonical file format and, from the corpus itself, a stream of distinct queries (cached as
``OUT/work/nN-sS/stream.json``). It measures, for our engine and each baseline doing the same work:
the full reindex (each run in a fresh process), the query stream with every query run once and
nothing cached carried over between queries ("unseen"), then a sample of it repeated ("warm"),
per query class, with the hit counts of all engines compared on every query; the same through HTTP
(our Flask app under waitress, several clients on loopback; server memory and the first search of a
fresh server), and one ingested article until it is searchable while the server runs. It writes
``OUT/bench-N.json`` and ``OUT/bench-N.md`` and prints PASS/MISS for the targets.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

import click

from scripts.bench import corpus as corpus_mod
from scripts.bench.queries import BenchQuery, Clause
from scripts.bench.report import to_markdown
from scripts.bench.stats import latency_summary, median, spread
from scripts.bench.stream import stream_for

REPO = Path(__file__).resolve().parents[2]
ENGINES = ("ours", "fts5", "whoosh", "tantivy")
#: the sizes of the default bench (no --n)
DEFAULT_SIZES = (10_000, 100_000)


@dataclass(frozen=True)
class Plan:
    n: int
    seed: int = 42
    #: distinct queries in the stream, each run once ("unseen")
    stream: int = 2000
    #: queries of each class run again right after the stream ("warm")
    warm_per_class: int = 20
    #: plain Whoosh answers only the first this many queries of the stream at or above
    #: ``whoosh_cap_from`` articles (it takes seconds per query there)
    whoosh_queries: int = 2000
    #: full reindexes per engine (each in a fresh process)
    reindex_runs: int = 3
    clients: int = 4
    web_requests: int = 800
    web_seconds: float = 60.0
    ingest_runs: int = 10
    procs: int = os.cpu_count() or 1
    engines: tuple[str, ...] = ENGINES
    web: bool = True
    #: keep each engine's index from an earlier run of the same corpus (no reindex measured)
    reuse: bool = False

    @classmethod
    def for_size(cls, n: int, quick: bool) -> "Plan":
        if quick:
            return cls(n=n, stream=500, warm_per_class=5, reindex_runs=1, web_requests=200,
                       web_seconds=15, ingest_runs=5)
        if n <= 20_000:
            return cls(n=n, reindex_runs=2)
        if n <= 200_000:
            return cls(n=n, reindex_runs=1, web_requests=600, web_seconds=60, whoosh_queries=500)
        return cls(n=n, reindex_runs=1, web_requests=400, web_seconds=60, ingest_runs=5,
                   warm_per_class=10, whoosh_queries=100)

    def describe(self) -> str:
        return (f"a stream of {self.stream:,} distinct queries each run once, {self.warm_per_class} "
                f"per class repeated, {self.reindex_runs} reindex run(s) per engine"
                f"{' (indexes reused)' if self.reuse else ''}, {self.clients} web clients "
                f"(≤{self.web_requests} requests, ≤{self.web_seconds:.0f} s), {self.ingest_runs} ingests")


def log(message: str) -> None:
    click.echo(f"[{datetime.now(timezone.utc):%H:%M:%S}] {message}", err=True)


# ------------------------------------------------------------------------------------ setup --

def link_tree(source: Path, target: Path) -> None:
    """A working copy of the corpus's articles made of hard links (cheap, and the cached corpus
    is never changed: the product writes atomically, replacing files rather than editing them)."""
    if target.exists():
        shutil.rmtree(target)
    for folder, _dirs, files in os.walk(source):
        rel = Path(folder).relative_to(source)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(folder) / name, target / rel / name)
            except OSError:
                shutil.copy2(Path(folder) / name, target / rel / name)


def measure_parse(home: Path, sample: int = 2000) -> dict[str, Any]:
    from archive.store import Store, read_article

    paths = list(Store(home).iter_paths())[:sample]
    started = time.perf_counter()
    for path in paths:
        read_article(path)
    seconds = time.perf_counter() - started
    return {"files": len(paths), "seconds": seconds, "docs_per_s": len(paths) / seconds if seconds else math.nan}


# ---------------------------------------------------------------------------------- reindex --

def run_reindex(engine: str, home: Path, workdir: Path, procs: int, logdir: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-m", "scripts.bench.runner", "--engine", engine, "--home", str(home),
            "--workdir", str(workdir), "--procs", str(procs)]
    with open(logdir / f"reindex-{engine}.log", "ab") as err:
        done = subprocess.run(args, stdout=subprocess.PIPE, stderr=err, cwd=REPO, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"reindex failed (exit {done.returncode}); see {logdir / f'reindex-{engine}.log'}")
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def bench_reindex(plan: Plan, home: Path, workdir: Path, corpus: dict[str, Any], logdir: Path,
                  errors: dict[str, str]) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {engine: [] for engine in plan.engines}
    for r in range(plan.reindex_runs):
        for engine in plan.engines:
            if f"reindex {engine}" in errors:
                continue
            log(f"reindex {engine} (run {r + 1}/{plan.reindex_runs})")
            try:
                run = run_reindex(engine, home, workdir, plan.procs, logdir)
            except Exception as exc:  # noqa: BLE001 - one engine failing must not end the run
                errors[f"reindex {engine}"] = str(exc)
                continue
            log(f"  {engine}: {run['seconds']:.1f} s ({run['cpu_seconds']:.1f} s CPU), "
                f"{corpus['files'] / run['seconds']:.0f} docs/s, "
                f"peak {run['vmhwm_kb'] / 1024:.0f} MB (+ workers {run['children_maxrss_kb'] / 1024:.0f} MB)")
            runs[engine].append(run)
    out: dict[str, Any] = {}
    for engine, items in runs.items():
        if not items:
            continue
        seconds = [item["seconds"] for item in items]
        cpu = [item["cpu_seconds"] for item in items]
        out[engine] = {
            "runs": items,
            "seconds": spread(seconds),
            "cpu_seconds": spread(cpu),
            "docs_per_cpu_s": spread([corpus["files"] / s for s in cpu]),
            "docs_per_s": spread([corpus["files"] / s for s in seconds]),
            "mb_per_s": spread([corpus["bytes"] / 1e6 / s for s in seconds]),
            "main_peak_mb": max(item["vmhwm_kb"] or 0 for item in items) / 1024,
            "worker_peak_mb": max(item["children_maxrss_kb"] or 0 for item in items) / 1024,
            "docs_reported": items[-1].get("docs"),
        }
    return out


# ----------------------------------------------------------------------------------- search --

def open_engine(name: str, home: Path, workdir: Path) -> Any:
    if name == "ours":
        from scripts.bench.ours import OursEngine

        return OursEngine(home)
    from scripts.bench.baselines import make_baseline

    return make_baseline(name, workdir)


def _timed(engine: Any, query: BenchQuery) -> tuple[dict[str, Any], float, float]:
    """One search: its result, wall ms and CPU ms (of the whole process: Tantivy's and SQLite's
    own threads count too)."""
    c0, t0 = time.process_time(), time.perf_counter()
    result = engine.search(query)
    return result, (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def _summaries(samples: list[tuple[str, float, float]]) -> dict[str, Any]:
    """(kind, wall, cpu) samples -> overall and per-class latency summaries."""
    kinds = sorted({kind for kind, _, _ in samples})
    return {
        "wall": latency_summary([w for _, w, _ in samples]),
        "cpu": latency_summary([c for _, _, c in samples]),
        "classes": {kind: {"wall": latency_summary([w for k, w, _ in samples if k == kind]),
                           "cpu": latency_summary([c for k, _, c in samples if k == kind])}
                    for kind in kinds},
    }


def warm_sample(stream: tuple[BenchQuery, ...], per_class: int) -> list[BenchQuery]:
    """The first ``per_class`` queries of each class (in stream order)."""
    taken: dict[str, int] = {}
    out = []
    for query in stream:
        if taken.get(query.kind, 0) < per_class:
            taken[query.kind] = taken.get(query.kind, 0) + 1
            out.append(query)
    return out


def bench_search(plan: Plan, stream: tuple[BenchQuery, ...], home: Path, workdir: Path,
                 errors: dict[str, str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Per engine: the unseen stream (every query once; our engine's per-snapshot caches of term
    postings and phrase matches emptied before each query), then the warm sample (each query run
    again right after itself, the second run timed). Also returns per-query hit counts."""
    out: dict[str, Any] = {}
    per_query: dict[str, dict[str, Any]] = {q.name: {"name": q.name, "kind": q.kind, "text": q.text,
                                                     "totals": {}, "cpu": {}} for q in stream}
    for name in plan.engines:
        if f"reindex {name}" in errors:
            continue
        queries = stream
        if name == "whoosh" and len(stream) > plan.whoosh_queries:
            queries = stream[:plan.whoosh_queries]
        log(f"search {name}: {len(queries)} unseen queries, then {plan.warm_per_class} per class warm")
        try:
            opened = time.perf_counter()
            engine = open_engine(name, home, workdir)
            forget = getattr(getattr(engine, "service", None), "clear_caches", lambda: None)
            # the first search of a freshly opened engine (ours builds its arrays then); the
            # stream then starts again from its first query
            engine.search(queries[0])
            first_ms = (time.perf_counter() - opened) * 1000
            unseen = []
            for query in queries:
                forget()
                result, wall, cpu = _timed(engine, query)
                unseen.append((query.kind, wall, cpu))
                per_query[query.name]["totals"][name] = result["total"]
                per_query[query.name]["cpu"][name] = round(cpu, 2)
            warm = []
            for query in warm_sample(queries, plan.warm_per_class):
                engine.search(query)
                _, wall, cpu = _timed(engine, query)
                warm.append((query.kind, wall, cpu))
            engine.close()
        except Exception as exc:  # noqa: BLE001 - one engine failing must not end the run
            errors[f"search {name}"] = f"{type(exc).__name__}: {exc}"
            log(f"  {name} failed: {errors[f'search {name}']}")
            continue
        out[name] = {"queries": len(queries), "first_search_ms": first_ms,
                     "unseen": _summaries(unseen), "warm": _summaries(warm)}
        log(f"  {name}: unseen CPU p50 {out[name]['unseen']['cpu']['p50']:.1f} ms, "
            f"p99 {out[name]['unseen']['cpu']['p99']:.1f} ms; warm CPU p50 "
            f"{out[name]['warm']['cpu']['p50']:.1f} ms")
    return out, per_query


def agreement(per_query: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Queries whose hit counts differ between the engines that answered them."""
    differ = [q for q in per_query.values() if len(set(q["totals"].values())) > 1]
    compared = [q for q in per_query.values() if len(q["totals"]) > 1]
    return {"compared": len(compared), "disagree": len(differ),
            "examples": [{"name": q["name"], "text": q["text"], "totals": q["totals"]}
                         for q in differ[:20]]}


# -------------------------------------------------------------------------- web and ingest --

def web_paths(engine: str, stream: tuple[BenchQuery, ...]) -> list[str]:
    if engine == "ours":
        return ["/api/search?" + urlencode(q.to_params()) for q in stream]
    return [f"/api/search?q={i}" for i in range(len(stream))]


#: engines too slow for the web load at this many articles and above
WEB_SKIP = {"whoosh": 20_001}


def bench_web(plan: Plan, stream: tuple[BenchQuery, ...], stream_file: Path, home: Path,
              workdir: Path, logdir: Path, errors: dict[str, str]
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per engine, a fresh server: its first search timed, then ``clients`` clients sending
    queries of the stream (the first query excluded, each at most once while the stream lasts)."""
    from scripts.bench.load import Server, run_load

    web: dict[str, Any] = {}
    ingest: dict[str, Any] = {}
    for name in plan.engines:
        if f"reindex {name}" in errors or f"search {name}" in errors:
            continue
        if plan.n >= WEB_SKIP.get(name, plan.n + 1):
            continue
        args = ["--engine", name, "--stream", str(stream_file), "--threads", str(plan.clients)]
        args += ["--home", str(home)] if name == "ours" else ["--workdir", str(workdir)]
        log(f"web {name}: {plan.clients} clients, ≤{plan.web_requests} requests, ≤{plan.web_seconds:.0f} s")
        try:
            with Server(args, logdir / f"server-{name}.log") as server:
                paths = web_paths(name, stream)
                stages = {"started": server.memory()}
                t0 = time.perf_counter()
                status, body = server.get(paths[0])
                first_ms = (time.perf_counter() - t0) * 1000
                if status != 200:
                    raise RuntimeError(f"GET {paths[0]} answered {status}: {body[:200]!r}")
                stages["first search"] = server.memory()
                load = run_load(server.port, paths[1:], clients=plan.clients,
                                max_requests=plan.web_requests, max_seconds=plan.web_seconds)
                web[name] = {
                    "latency": latency_summary(load.latencies_ms),
                    "throughput": load.throughput,
                    "requests": load.requests,
                    "seconds": load.seconds,
                    "errors": len(load.errors),
                    "error_sample": load.errors[:5],
                    "clients": plan.clients,
                    "first_search_ms": first_ms,
                }
                stages["loaded"] = server.memory()
                if name == "ours":
                    ingest["ours"] = bench_ingest_ours(plan, home, server)
                    stages["ingested"] = server.memory()
                #: VmRSS / VmHWM (kB) of the server after start, warm-up, load and ingests
                web[name]["memory_stages"] = stages
                mem = server.memory()
                web[name]["server_peak_mb"] = mem.get("VmHWM", 0) / 1024
                web[name]["server_rss_mb"] = mem.get("VmRSS", 0) / 1024
            log(f"  {name}: p50 {web[name]['latency']['p50']:.1f} ms, p99 {web[name]['latency']['p99']:.1f} ms, "
                f"{web[name]['throughput']:.1f} req/s, {web[name]['errors']} errors, "
                f"server peak {web[name]['server_peak_mb']:.0f} MB")
        except Exception as exc:  # noqa: BLE001
            errors[f"web {name}"] = f"{type(exc).__name__}: {exc}"
            log(f"  {name} failed: {errors[f'web {name}']}")
    return web, ingest


def bench_ingest_ours(plan: Plan, home: Path, server: Any) -> dict[str, Any]:
    """Save a new article and update the index in this process, then poll the running server's
    JSON API until the article is found: the time a user waits for a fresh article."""
    from archive.store import Store
    from scripts.bench.ours import update_index

    started = time.perf_counter()
    store = Store(home)
    store.path_of("0" * 16)  # the id catalogue: read once, as a long-running ingester would
    catalog_ms = (time.perf_counter() - started) * 1000
    save, update, poll, visible = [], [], [], []
    for k in range(plan.ingest_runs):
        marker = corpus_mod.marker_word(k)
        article = corpus_mod.make_article(plan.seed, plan.n + k, marker=marker)
        t0 = time.perf_counter()
        saved = store.save(article)
        t1 = time.perf_counter()
        update_index(home, [saved.article], [saved.path])
        t2 = time.perf_counter()
        path = "/api/search?" + urlencode({"q": marker, "per_page": 1})
        deadline = t2 + 30
        found = False
        while time.perf_counter() < deadline:
            status, body = server.get(path)
            if status == 200 and json.loads(body).get("total", 0) >= 1:
                found = json.loads(body)["hits"][0]["id"] == saved.article.id
                break
            time.sleep(0.005)
        t3 = time.perf_counter()
        if not found:
            raise RuntimeError(f"the ingested article {saved.article.id} was not found within 30 s")
        save.append((t1 - t0) * 1000)
        update.append((t2 - t1) * 1000)
        poll.append((t3 - t2) * 1000)
        visible.append((t3 - t0) * 1000)
    return {"save": latency_summary(save), "update": latency_summary(update),
            "poll": latency_summary(poll), "visible": latency_summary(visible),
            "catalog_cold_ms": catalog_ms}


def bench_ingest_baseline(plan: Plan, name: str, workdir: Path) -> dict[str, Any]:
    """The same for a baseline, in process: add one article, commit, search until found."""
    from scripts.bench.baselines import make_baseline

    engine = make_baseline(name, workdir)
    visible = []
    for k in range(plan.ingest_runs):
        marker = corpus_mod.marker_word(1000 + k)
        article = corpus_mod.make_article(plan.seed, plan.n + 1000 + k, marker=marker)
        query = BenchQuery("ingest", "ingest", (Clause("word", (marker,)),))
        t0 = time.perf_counter()
        engine.add(article)
        while engine.search(query)["total"] < 1:
            if time.perf_counter() - t0 > 30:
                raise RuntimeError("the ingested article was not found within 30 s")
        visible.append((time.perf_counter() - t0) * 1000)
    engine.close()
    return {"visible": latency_summary(visible)}


# ---------------------------------------------------------------------------------- targets --

def judge(results: dict[str, Any]) -> list[dict[str, Any]]:
    def get(*keys: str) -> Any:
        data: Any = results
        for key in keys:
            if not isinstance(data, dict) or key not in data:
                return None
            data = data[key]
        return data

    targets = []

    def target(name: str, ok: bool | None, detail: str) -> None:
        targets.append({"name": name, "pass": ok, "detail": detail})

    n = get("corpus", "n") or 0
    ours = get("search", "ours", "unseen", "cpu") or {}
    tantivy = get("search", "tantivy", "unseen", "cpu") or {}
    fts = get("search", "fts5", "unseen", "cpu") or {}
    if ours and tantivy:
        target("unseen p50 ≤ 3x Tantivy", ours["p50"] <= 3 * tantivy["p50"],
               f"{ours['p50']:.1f} vs {tantivy['p50']:.1f} ms CPU ({ours['p50'] / tantivy['p50']:.2f}x)")
    else:
        target("unseen p50 ≤ 3x Tantivy", None, "not measured")
    if ours and fts:
        target("unseen p99 ≤ 0.5x FTS5", ours["p99"] <= 0.5 * fts["p99"],
               f"{ours['p99']:.1f} vs {fts['p99']:.1f} ms CPU ({ours['p99'] / fts['p99']:.2f}x)")
        ours_classes = get("search", "ours", "unseen", "classes") or {}
        fts_classes = get("search", "fts5", "unseen", "classes") or {}
        slower = []
        for kind, figures in sorted(ours_classes.items()):
            theirs = fts_classes.get(kind)
            if theirs is None:
                continue
            for q in ("p50", "p99"):
                if figures["cpu"][q] > theirs["cpu"][q]:
                    slower.append(f"{kind} {q} {figures['cpu'][q]:.1f} vs {theirs['cpu'][q]:.1f} ms")
        worst = max((figures["cpu"]["p50"] / fts_classes[kind]["cpu"]["p50"], kind)
                    for kind, figures in ours_classes.items() if kind in fts_classes
                    and fts_classes[kind]["cpu"]["p50"])
        target("no query class slower than FTS5 (p50 and p99 per class)", not slower,
               "; ".join(slower) if slower else
               f"{len(ours_classes)} classes; the closest: {worst[1]} at {worst[0]:.2f}x FTS5's p50")
    else:
        target("unseen p99 ≤ 0.5x FTS5", None, "not measured")
        target("no query class slower than FTS5 (p50 and p99 per class)", None, "not measured")
    limit = 1000 if n >= 1_000_000 else 300
    wall99 = get("search", "ours", "unseen", "wall", "p99")
    target(f"unseen p99 < {limit} ms", (ours["p99"] < limit) if ours else None,
           f"{ours['p99']:.1f} ms CPU, {wall99:.1f} ms wall" if ours else "not measured")
    agree = get("agreement")
    target("hit counts of all engines agree on every query",
           (agree["disagree"] == 0) if agree else None,
           f"{agree['disagree']} of {agree['compared']} queries differ" if agree else "not measured")
    first = get("web", "ours", "first_search_ms")
    target("first search of a fresh server < 2 s", None if first is None else first < 2000,
           "not measured" if first is None else f"{first:.0f} ms (start of the server not included)")
    ours_r, whoosh_r = get("reindex", "ours", "docs_per_s", "median"), get("reindex", "whoosh", "docs_per_s", "median")
    if ours_r and whoosh_r:
        target("reindex ≥ 3x plain Whoosh", ours_r >= 3 * whoosh_r,
               f"{ours_r:.0f} docs/s vs {whoosh_r:.0f} docs/s ({ours_r / whoosh_r:.2f}x)")
    else:
        target("reindex ≥ 3x plain Whoosh", None, "not measured")
    vis = get("ingest", "ours", "visible", "max")
    target("ingested article searchable < 1 s (server running)", None if vis is None else vis < 1000,
           "not measured" if vis is None else
           f"max {vis:.0f} ms, p50 {get('ingest', 'ours', 'visible', 'p50'):.0f} ms")
    mem = get("web", "ours", "server_peak_mb")
    target("server memory < 500 MB", None if mem is None else mem < 500,
           "not measured" if mem is None else f"VmHWM {mem:.0f} MB after the load and the ingests")
    return targets


# ------------------------------------------------------------------------------------- main --

def run(plan: Plan, out: Path, progress: Callable[[str], None] = log) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(timezone.utc)
    errors: dict[str, str] = {}
    progress(f"corpus: {plan.n:,} articles, seed {plan.seed}")
    t0 = time.perf_counter()
    last = [0.0]

    def corpus_progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 10:
            last[0] = time.perf_counter()
            progress(f"  generated {done:,}/{total:,}")

    corpus_home, manifest = corpus_mod.generate_corpus(out, plan.n, plan.seed, procs=plan.procs,
                                                       progress=corpus_progress)
    progress(f"  ready in {time.perf_counter() - t0:.1f} s ({manifest['bytes'] / 1e6:.1f} MB)")
    workdir = out / "work" / f"n{plan.n}-s{plan.seed}"
    logdir = workdir / "logs"
    home = workdir / "home"
    ingested = workdir / "ingested"  # the articles and indexes have had articles added
    built = {name for name in plan.engines if _index_exists(name, home, workdir)}
    if not plan.reuse or ingested.exists():
        built = set()
        link_tree(corpus_home / "articles", home / "articles")
        for stale in ("fts5.db", "fts5.db-wal", "fts5.db-shm", "whoosh-plain", "tantivy", "ingested"):
            target = workdir / stale
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    logdir.mkdir(parents=True, exist_ok=True)
    stream_file = workdir / f"stream-{plan.stream}.json"
    progress(f"query stream: {plan.stream:,} queries from the corpus")
    stream = stream_for(home, plan.seed, plan.stream, stream_file)

    results: dict[str, Any] = {
        "meta": {
            "started": started.strftime("%Y-%m-%d %H:%M UTC"),
            "plan": plan.describe(),
            "plan_fields": asdict(plan),
            "commit": _git_commit(),
            "host": {"cpus": os.cpu_count(), "python": platform.python_version(),
                     "whoosh": _whoosh_version(), "sqlite": sqlite3.sqlite_version,
                     "load_average": os.getloadavg()},
        },
        "corpus": {"n": plan.n, "seed": plan.seed, "files": manifest["files"], "words": manifest["words"],
                   "bytes": manifest["bytes"], "mb": manifest["bytes"] / 1e6,
                   "generate_seconds": manifest["generate_seconds"]},
        "stream_file": str(stream_file),
        "stream_classes": {kind: sum(1 for q in stream if q.kind == kind)
                           for kind in sorted({q.kind for q in stream})},
    }
    progress("parse only (one process)")
    results["parse"] = measure_parse(home)
    to_build = replace(plan, engines=tuple(e for e in plan.engines if e not in built))
    results["reindex"] = bench_reindex(to_build, home, workdir, manifest, logdir, errors)
    results["reused_indexes"] = sorted(built)
    results["search"], per_query = bench_search(plan, stream, home, workdir, errors)
    results["agreement"] = agreement(per_query)
    results["queries"] = list(per_query.values())
    results["web"], results["ingest"] = ({}, {})
    if plan.web:
        ingested.write_text("the ingest test added articles to these indexes\n")
        results["web"], results["ingest"] = bench_web(plan, stream, stream_file, home, workdir,
                                                      logdir, errors)
    for name in ("fts5", "whoosh", "tantivy"):
        if plan.web and name in plan.engines and f"reindex {name}" not in errors:
            progress(f"ingest {name}")
            try:
                results["ingest"][name] = bench_ingest_baseline(plan, name, workdir)
            except Exception as exc:  # noqa: BLE001
                errors[f"ingest {name}"] = f"{type(exc).__name__}: {exc}"
    results["errors"] = errors
    results["targets"] = judge(results)
    results["meta"]["finished"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    results["meta"]["host"]["load_average_end"] = os.getloadavg()
    stem = f"bench-{plan.n}"
    (out / f"{stem}.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    (out / f"{stem}.md").write_text(to_markdown(results))
    return results


def _index_exists(name: str, home: Path, workdir: Path) -> bool:
    if name == "ours":
        from index.build import current_index_path

        return current_index_path(home) is not None
    return (workdir / {"fts5": "fts5.db", "whoosh": "whoosh-plain", "tantivy": "tantivy"}[name]).exists()


def _git_commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=False, timeout=10)
        return done.stdout.strip() or "?"
    except OSError:
        return "?"


def _whoosh_version() -> str:
    import whoosh

    return whoosh.versionstring()


@click.command(help=__doc__)
@click.option("--quick", is_flag=True, help="A short run: 2,000 articles, a stream of 500 queries.")
@click.option("--n", "sizes", type=click.IntRange(50, 10_000_000), multiple=True,
              help="Number of articles; repeat for several sizes (default: 10,000 and 100,000; "
                   "2,000 with --quick).")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the synthetic corpus.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=REPO / "bench-results",
              show_default="bench-results/", help="Folder for the corpus cache and the results.")
@click.option("--stream", "stream_size", type=click.IntRange(20, 100_000), default=None,
              help="Distinct queries in the stream (default 2,000).")
@click.option("--reindex-runs", type=click.IntRange(1, 20), default=None, help="Full reindexes per engine.")
@click.option("--clients", type=click.IntRange(1, 64), default=None, help="Concurrent web clients.")
@click.option("--engines", default=",".join(ENGINES), show_default=True,
              help="Comma-separated engines to run: ours, fts5, whoosh, tantivy.")
@click.option("--no-web", is_flag=True, help="Skip the HTTP load test and the ingest-while-serving test.")
@click.option("--reuse", is_flag=True,
              help="Keep the indexes of an earlier run of the same corpus (their reindex is not "
                   "measured again); ignored once an ingest test has added articles to them.")
def main(quick: bool, sizes: tuple[int, ...], seed: int, out: Path, stream_size: int | None,
         reindex_runs: int | None, clients: int | None, engines: str, no_web: bool, reuse: bool) -> None:
    sizes = sizes or ((2_000,) if quick else DEFAULT_SIZES)
    chosen = tuple(e.strip() for e in engines.split(",") if e.strip())
    unknown = set(chosen) - set(ENGINES)
    if unknown or not chosen:
        raise click.BadParameter(f"unknown engine(s): {', '.join(sorted(unknown)) or 'none given'}",
                                 param_hint="--engines")
    for n in sizes:
        plan = Plan.for_size(n, quick)
        changes: dict[str, Any] = {"seed": seed, "engines": chosen, "web": not no_web, "reuse": reuse}
        for key, value in (("stream", stream_size), ("reindex_runs", reindex_runs), ("clients", clients)):
            if value is not None:
                changes[key] = value
        plan = replace(plan, **changes)
        results = run(plan, out)
        click.echo(to_markdown(results))
        click.echo(f"results: {out / f'bench-{plan.n}.json'} and {out / f'bench-{plan.n}.md'}")


if __name__ == "__main__":
    main()
