"""Benchmark newsarchive against SQLite FTS5 and plain Whoosh on a synthetic archive.

    .venv/bin/python scripts/bench.py --quick          # about a minute: 2,000 articles
    .venv/bin/python scripts/bench.py --n 10000
    .venv/bin/python scripts/bench.py --n 100000       # tens of minutes on 2 cores
    .venv/bin/python scripts/bench.py --n 1000000      # on request: hours

It generates (once, cached under ``OUT/corpus``) a deterministic corpus of N articles in the
canonical file format, then measures, for our engine and for the two baselines doing the same
work: the full reindex (each run in a fresh process: docs/s, MB/s, peak memory), a fixed query mix
with all facets, the histogram and highlights (p50/p95/p99), the same through HTTP (our Flask app
under waitress, several clients on loopback; server memory), and one ingested article until it
is searchable while the server runs. It writes ``OUT/bench-N.json`` and ``OUT/bench-N.md`` and
prints PASS/MISS for the targets of issue 5.
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

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click

from scripts.benchlib import corpus as corpus_mod
from scripts.benchlib.queries import BenchQuery, query_mix
from scripts.benchlib.report import to_markdown
from scripts.benchlib.stats import latency_summary, median, percentile, spread

REPO = Path(__file__).resolve().parent.parent
ENGINES = ("ours", "fts5", "whoosh")


@dataclass(frozen=True)
class Plan:
    n: int
    seed: int = 42
    #: timed passes over the query mix (after one untimed warm-up pass, reported as "cold")
    rounds: int = 5
    #: full reindexes per engine (each in a fresh process)
    reindex_runs: int = 3
    clients: int = 4
    web_requests: int = 800
    web_seconds: float = 60.0
    ingest_runs: int = 10
    procs: int = os.cpu_count() or 1
    engines: tuple[str, ...] = ENGINES
    web: bool = True

    @classmethod
    def for_size(cls, n: int, quick: bool) -> "Plan":
        if quick:
            return cls(n=n, rounds=3, reindex_runs=1, web_requests=200, web_seconds=15, ingest_runs=5)
        if n <= 20_000:
            return cls(n=n)
        if n <= 200_000:
            return cls(n=n, rounds=3, reindex_runs=1, web_requests=600, web_seconds=60)
        return cls(n=n, rounds=2, reindex_runs=1, web_requests=400, web_seconds=60, ingest_runs=5)

    def describe(self) -> str:
        return (f"{self.rounds} timed rounds of the query mix, {self.reindex_runs} reindex run(s) "
                f"per engine, {self.clients} web clients (≤{self.web_requests} requests, "
                f"≤{self.web_seconds:.0f} s), {self.ingest_runs} ingests")


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
    args = [sys.executable, "-m", "scripts.benchlib.runner", "--engine", engine, "--home", str(home),
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
        from scripts.benchlib.ours import OursEngine

        return OursEngine(home)
    from scripts.benchlib.baselines import make_baseline

    return make_baseline(name, workdir)


def bench_search(plan: Plan, mix: tuple[BenchQuery, ...], home: Path, workdir: Path,
                 errors: dict[str, str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Per engine: cold pass, then ``rounds`` timed passes. Also returns per-query figures."""
    import time as _t

    out: dict[str, Any] = {}
    per_query: dict[str, dict[str, Any]] = {q.name: {"name": q.name, "kind": q.kind, "p50": {},
                                                     "totals": {}} for q in mix}
    for name in plan.engines:
        if f"reindex {name}" in errors:
            continue
        log(f"search {name}: {len(mix)} queries, 1 cold + {plan.rounds} timed rounds")
        try:
            engine = open_engine(name, home, workdir)
            samples: dict[str, list[float]] = {q.name: [] for q in mix}
            cold: list[float] = []
            rounds: list[list[float]] = []
            cpu: list[float] = []
            for r in range(plan.rounds + 1):
                this_round = []
                for q in mix:
                    c0 = _t.thread_time()
                    t0 = _t.perf_counter()
                    result = engine.search(q)
                    ms = (_t.perf_counter() - t0) * 1000
                    cpu_ms = (_t.thread_time() - c0) * 1000
                    if r == 0:
                        cold.append(ms)
                        per_query[q.name]["totals"][name] = result["total"]
                    else:
                        this_round.append(ms)
                        samples[q.name].append(ms)
                        cpu.append(cpu_ms)
                if r:
                    rounds.append(this_round)
            engine.close()
        except Exception as exc:  # noqa: BLE001
            errors[f"search {name}"] = f"{type(exc).__name__}: {exc}"
            log(f"  {name} failed: {errors[f'search {name}']}")
            continue
        pooled = [ms for items in rounds for ms in items]
        out[name] = {
            "cold": latency_summary(cold),
            "pooled": latency_summary(pooled),
            "round_p50": spread([percentile(items, 50) for items in rounds]),
            "round_p95": spread([percentile(items, 95) for items in rounds]),
            "round_p99": spread([percentile(items, 99) for items in rounds]),
            #: CPU time of the searching thread (SQLite's work included): what the machine's
            #: other load does not inflate
            "cpu": latency_summary(cpu),
        }
        for q in mix:
            per_query[q.name]["p50"][name] = median(samples[q.name])
        log(f"  {name}: p50 {out[name]['round_p50']['median']:.1f} ms, "
            f"p99 {out[name]['pooled']['p99']:.1f} ms, cold p50 {out[name]['cold']['p50']:.1f} ms")
    return out, per_query


# -------------------------------------------------------------------------- web and ingest --

def web_paths(engine: str, mix: tuple[BenchQuery, ...]) -> list[str]:
    if engine == "ours":
        return ["/api/search?" + urlencode(q.to_params()) for q in mix]
    return [f"/api/search?mix={i}" for i in range(len(mix))]


def bench_web(plan: Plan, mix: tuple[BenchQuery, ...], home: Path, workdir: Path, logdir: Path,
              errors: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    from scripts.benchlib.load import Server, run_load

    web: dict[str, Any] = {}
    ingest: dict[str, Any] = {}
    for name in plan.engines:
        if f"reindex {name}" in errors or f"search {name}" in errors:
            continue
        args = ["--engine", name, "--seed", str(plan.seed), "--threads", str(plan.clients)]
        args += ["--home", str(home)] if name == "ours" else ["--workdir", str(workdir)]
        log(f"web {name}: {plan.clients} clients, ≤{plan.web_requests} requests, ≤{plan.web_seconds:.0f} s")
        try:
            with Server(args, logdir / f"server-{name}.log") as server:
                paths = web_paths(name, mix)
                stages = {"started": server.memory()}
                for path in paths:  # warm-up: every query once
                    status, body = server.get(path)
                    if status != 200:
                        raise RuntimeError(f"GET {path} answered {status}: {body[:200]!r}")
                stages["warm"] = server.memory()
                load = run_load(server.port, paths, clients=plan.clients,
                                max_requests=plan.web_requests, max_seconds=plan.web_seconds)
                web[name] = {
                    "latency": latency_summary(load.latencies_ms),
                    "throughput": load.throughput,
                    "requests": load.requests,
                    "seconds": load.seconds,
                    "errors": len(load.errors),
                    "error_sample": load.errors[:5],
                    "clients": plan.clients,
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
    from scripts.benchlib.ours import update_index

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
    from scripts.benchlib.baselines import make_baseline

    engine = make_baseline(name, workdir)
    visible = []
    for k in range(plan.ingest_runs):
        marker = corpus_mod.marker_word(1000 + k)
        article = corpus_mod.make_article(plan.seed, plan.n + 1000 + k, marker=marker)
        query = BenchQuery("ingest", "ingest", marker, marker)
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

    ours_p50, fts_p50 = get("search", "ours", "round_p50", "median"), get("search", "fts5", "round_p50", "median")
    if ours_p50 is not None and fts_p50:
        target("search p50 ≤ 2x FTS5 p50", ours_p50 <= 2 * fts_p50,
               f"{ours_p50:.1f} ms vs FTS5 {fts_p50:.1f} ms ({ours_p50 / fts_p50:.2f}x)")
    else:
        target("search p50 ≤ 2x FTS5 p50", None, "not measured")
    p99 = get("search", "ours", "pooled", "p99")
    web_p99 = get("web", "ours", "latency", "p99")
    target("search p99 < 250 ms", None if p99 is None else p99 < 250,
           "not measured" if p99 is None else
           f"{p99:.1f} ms in process" + (f"; through the web under load {web_p99:.1f} ms" if web_p99 else ""))
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
    link_tree(corpus_home / "articles", home / "articles")
    for stale in ("fts5.db", "fts5.db-wal", "fts5.db-shm", "whoosh-plain"):
        target = workdir / stale
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    logdir.mkdir(parents=True, exist_ok=True)
    mix = query_mix(plan.seed, deep_page=25)

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
        "queries_text": [q.describe() for q in mix],
    }
    progress("parse only (one process)")
    results["parse"] = measure_parse(home)
    results["reindex"] = bench_reindex(plan, home, workdir, manifest, logdir, errors)
    results["search"], per_query = bench_search(plan, mix, home, workdir, errors)
    results["queries"] = list(per_query.values())
    results["web"], results["ingest"] = ({}, {})
    if plan.web:
        results["web"], results["ingest"] = bench_web(plan, mix, home, workdir, logdir, errors)
    for name in ("fts5", "whoosh"):
        if name in plan.engines and f"reindex {name}" not in errors:
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
@click.option("--quick", is_flag=True, help="A one-minute run: 2,000 articles, fewer repetitions.")
@click.option("--n", "n", type=click.IntRange(50, 10_000_000), default=None,
              help="Number of articles (default 10,000; 2,000 with --quick).")
@click.option("--seed", type=int, default=42, show_default=True, help="Seed of the synthetic corpus.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=REPO / "bench-results",
              show_default="bench-results/", help="Folder for the corpus cache and the results.")
@click.option("--rounds", type=click.IntRange(1, 100), default=None, help="Timed passes over the query mix.")
@click.option("--reindex-runs", type=click.IntRange(1, 20), default=None, help="Full reindexes per engine.")
@click.option("--clients", type=click.IntRange(1, 64), default=None, help="Concurrent web clients.")
@click.option("--engines", default=",".join(ENGINES), show_default=True,
              help="Comma-separated engines to run: ours, fts5, whoosh.")
@click.option("--no-web", is_flag=True, help="Skip the HTTP load test and the ingest-while-serving test.")
def main(quick: bool, n: int | None, seed: int, out: Path, rounds: int | None, reindex_runs: int | None,
         clients: int | None, engines: str, no_web: bool) -> None:
    n = n or (2_000 if quick else 10_000)
    plan = Plan.for_size(n, quick)
    chosen = tuple(e.strip() for e in engines.split(",") if e.strip())
    unknown = set(chosen) - set(ENGINES)
    if unknown or not chosen:
        raise click.BadParameter(f"unknown engine(s): {', '.join(sorted(unknown)) or 'none given'}",
                                 param_hint="--engines")
    changes: dict[str, Any] = {"seed": seed, "engines": chosen, "web": not no_web}
    for key, value in (("rounds", rounds), ("reindex_runs", reindex_runs), ("clients", clients)):
        if value is not None:
            changes[key] = value
    plan = replace(plan, **changes)
    results = run(plan, out)
    click.echo(to_markdown(results))
    click.echo(f"results: {out / f'bench-{plan.n}.json'} and {out / f'bench-{plan.n}.md'}")


if __name__ == "__main__":
    main()
