"""Load against the real ``newsarchive serve`` on loopback: zero errors, p99 reported, memory flat.

The default run is short (8 clients, ~8 s); ``-m slow`` runs 32 clients for 60 s. Both stop by
themselves (bounded in requests and time) and only ever talk to 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scripts.bench.load import run_load
from scripts.bench.runner import read_status
from tests.index.fixtures import build_fixture_index
from tests.reliability.test_crash import REPO


def start_server(home: Path) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "scripts.cli", "serve", "--home", str(home), "--port", "0",
         "--threads", "8"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = proc.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        raise AssertionError(f"newsarchive serve did not start: {line!r}")
    return proc, int(match.group(1))


def request_mix(ids: list[str]) -> list[str]:
    """Searches, facet clicks, paging, article pages, the API and exports, as people use them."""
    searches = ["/search?q=bitcoin", "/search?q=%22stablecoin+bill%22", "/search?q=rates+OR+inflation",
                "/search?q=title%3Aether", "/search?q=chip*", "/search", "/search?sort=newest",
                "/search?q=markets&source=coindesk", "/search?q=markets&source=coindesk&source=theblock",
                "/search?tag=MARKETS&sentiment=NEGATIVE", "/search?from=2026-01-01&to=2026-02-28",
                "/search?q=bitcoin&page=2&per_page=5", "/search?q=%28unbalanced", "/search?page=99999999"]
    others = ["/api/search?q=bitcoin", "/api/search?tag=MARKETS", "/search.csv?q=markets",
              "/search.jsonl", "/search.atom?q=bitcoin", "/embed?q=ether", "/api/openapi.json"]
    articles = [f"/article/{i}" for i in ids[:8]] + [f"/api/articles/{i}" for i in ids[:4]]
    return searches + others + articles


def memory_sampler(pid: int, samples: list[tuple[float, int]], stop: threading.Event) -> None:
    started = time.monotonic()
    while not stop.wait(0.25):
        rss = read_status(pid).get("VmRSS")
        if rss:
            samples.append((time.monotonic() - started, rss))


def load_run(home: Path, *, clients: int, seconds: float) -> dict:
    articles = build_fixture_index(home)
    ids = sorted(a.id for a in articles if not a.draft)
    paths = request_mix(ids)
    proc, port = start_server(home)
    try:
        # bad requests are part of the mix: they must be 400s, never 500s; the rest 200s
        warm = run_load(port, paths, clients=2, max_requests=len(paths) * 2, max_seconds=60)
        expected_400 = {"/search?q=%28unbalanced", "/search?page=99999999"}
        assert {p for p, status in warm.errors} <= expected_400
        assert all(status == "400" for _, status in warm.errors)
        good = [p for p in paths if p not in expected_400]
        samples: list[tuple[float, int]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=memory_sampler, args=(proc.pid, samples, stop))
        sampler.start()
        result = run_load(port, good, clients=clients, max_requests=1_000_000, max_seconds=seconds)
        stop.set()
        sampler.join()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()
    assert result.errors == []
    latencies = sorted(result.latencies_ms)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    # memory after warm-up (second fifth of the run) vs the end of the run
    settled = [rss for t, rss in samples if seconds * 0.2 <= t <= seconds * 0.4]
    final = [rss for t, rss in samples if t >= seconds * 0.8]
    figures = {
        "requests": result.requests, "errors": len(result.errors), "clients": clients,
        "seconds": round(result.seconds, 1), "rps": round(result.throughput, 1),
        "p50_ms": round(statistics.median(latencies), 1), "p99_ms": round(p99, 1),
        "rss_settled_mb": round(max(settled) / 1024, 1), "rss_final_mb": round(max(final) / 1024, 1),
    }
    print(f"\nload: {figures}")
    return figures


def assert_memory_flat(figures: dict) -> None:
    growth = figures["rss_final_mb"] - figures["rss_settled_mb"]
    assert growth <= max(16.0, 0.1 * figures["rss_settled_mb"]), figures


def test_short_load_has_no_errors_and_flat_memory(home: Path) -> None:
    figures = load_run(home, clients=8, seconds=8)
    assert figures["errors"] == 0 and figures["requests"] > 0
    assert_memory_flat(figures)


@pytest.mark.slow
def test_load_32_clients_for_60_seconds(home: Path) -> None:
    figures = load_run(home, clients=32, seconds=60)
    assert figures["errors"] == 0 and figures["requests"] > 0
    assert_memory_flat(figures)
