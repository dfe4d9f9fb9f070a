"""``newsarchive ingest --cluster`` with a real ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1: the home ends as a local ingest leaves it, even when a worker is killed
mid-run, and a rerun reports everything unchanged."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("distributed")

from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from archive.store import Store, read_article  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).parent / "dask"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
TOPICS = ["copper futures", "stablecoin reserves", "chip export rules", "bond auctions", "GPU leasing"]


class Cluster:
    """A scheduler and two single-threaded workers, each its own process (no nanny: a killed
    worker stays dead, as a lost machine would)."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "scheduler.json"
        self.scheduler = subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(self.file)], env=ENV, cwd=REPO,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.workers: list[subprocess.Popen] = []
        deadline = time.monotonic() + 60
        while not self.file.exists():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]
        for n in range(2):
            self.workers.append(subprocess.Popen(
                [str(DASK), "worker", "--scheduler-file", str(self.file), "--nthreads", "1", "--no-nanny",
                 "--no-dashboard", "--name", f"w{n}"], env=ENV, cwd=REPO,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.wait_for_workers(2)

    def wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(count, timeout=60)

    def close(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers, self.scheduler]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    running = Cluster(tmp_path)
    try:
        yield running
    finally:
        running.close()


def page(n: int) -> bytes:
    topic = TOPICS[n % len(TOPICS)]
    paragraphs = "".join(
        f"<p>Desks tracking {topic} in week {n} said order books were balanced, with London and Singapore "
        f"reporting steady flows into the close ({j}).</p>" for j in range(5))
    return (f"<html><head><title>Desk report {n}: {topic}</title>"
            f"<meta property='article:published_time' content='2025-{n % 12 + 1:02d}-04T08:00:00Z'></head>"
            f"<body><nav>Home | Markets</nav><article><h1>Desk report {n}: {topic}</h1>{paragraphs}"
            "</article></body></html>").encode()


def write_inputs(folder: Path, warcs: int, pages: int, records: int) -> list[Path]:
    folder.mkdir(parents=True)
    paths = []
    for w in range(warcs):
        path = folder / f"crawl-{w:02d}.warc.gz"
        with path.open("wb") as out:
            writer = WARCWriter(out, gzip=True)
            for p in range(pages):
                n = w * pages + p
                body = page(n)
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://deskwire.example/{n}", "response", payload=io.BytesIO(body), length=len(body),
                    http_headers=http, warc_headers_dict={"WARC-Date": "2026-03-06T15:00:00Z"}))
        paths.append(path)
    export = folder / "wire.jsonl"
    export.write_text("".join(json.dumps({
        "title": f"Wire {i}: {TOPICS[i % len(TOPICS)]} steady", "body": f"Desks reported balanced books in week {i}.",
        "publishedAt": f"2025-{i % 12 + 1:02d}-{i % 27 + 1:02d}T09:30:00Z", "source": "Ledger Wire"}) + "\n"
        for i in range(records)), encoding="utf-8")
    return [*paths, export]


def ingest(home: Path, inputs: list[Path], *extra: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "scripts.cli", "ingest", "--json", "--slice-records", "10",
                           "--home", str(home), *extra, *map(str, inputs)],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def steady_home(home: Path) -> dict[str, str]:
    """id -> file text without the fields that name the moment of the run."""
    out = {}
    for path in Store(home).iter_paths():
        text = path.read_text(encoding="utf-8")
        out[read_article(path).id] = "".join(
            line for line in text.splitlines(keepends=True) if not line.startswith(("ingestedAt:", "fetchedAt:")))
    return out


def raw_files(home: Path) -> list[str]:
    return sorted(p.relative_to(home).as_posix() for p in (home / "raw").rglob("*.gz"))


def search(home: Path, q: str) -> list[tuple[str, str]]:
    from index.model import SearchQuery
    from index.search import SearchService

    with SearchService(home) as service:
        return [(h.id, h.title) for h in service.search(SearchQuery(q=q, per_page=100, sort="date")).hits]


def cluster_trial(tmp_path: Path, cluster: Cluster, *, warcs: int, pages: int, records: int) -> None:
    """Ingest a WARC set and a JSON lines export on the cluster, killing one worker once the
    first unit is done; then compare with a local ingest, rerun, and reindex on the cluster."""
    total = warcs * pages + records
    inputs = write_inputs(tmp_path / "inputs", warcs=warcs, pages=pages, records=records)
    local = ingest(tmp_path / "local", inputs)
    assert local["summary"] == {"created": total, "updated": 0, "unchanged": 0, "failed": 0}

    home = tmp_path / "on-cluster"
    proc = subprocess.Popen([sys.executable, "-m", "scripts.cli", "ingest", "--json", "--slice-records", "10",
                             "--cluster", cluster.address, "--home", str(home), *map(str, inputs)],
                            cwd=REPO, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (home / ".ingest").exists() and proc.poll() is None:  # the first unit is done
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cluster.workers[0].send_signal(signal.SIGKILL)  # a machine lost mid-run
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    report = json.loads(out)
    assert report["summary"]["failed"] == 0
    assert report["summary"]["created"] + report["summary"]["unchanged"] == total  # a retried unit may find its files
    assert report["batch"]["cluster"] == cluster.address

    assert steady_home(home) == steady_home(tmp_path / "local")
    assert raw_files(home) == raw_files(tmp_path / "local")
    for q in ("copper", "stablecoin reserves", "desk report", "wire"):
        assert search(home, q) == search(tmp_path / "local", q)
    assert len(search(home, "steady OR desk")) == total

    rerun = ingest(home, inputs, "--cluster", cluster.address)  # one worker left
    assert rerun["summary"] == {"created": 0, "updated": 0, "unchanged": total, "failed": 0}
    assert rerun["batch"]["resumed"] == rerun["batch"]["units"]

    # a full reindex whose segments are built on the cluster answers as the local index does
    done = subprocess.run([sys.executable, "-m", "scripts.cli", "reindex", "--json", "--cluster", cluster.address,
                           "--home", str(home)], cwd=REPO, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert (report["mode"], report["procs"], report["documents"], report["failed"]) == ("full", 0, total, 0)
    for q in ("copper", "stablecoin reserves", "desk report", "wire"):
        assert search(home, q) == search(tmp_path / "local", q)


def test_cluster_ingest_matches_a_local_one_even_when_a_worker_dies(tmp_path: Path, cluster: Cluster) -> None:
    cluster_trial(tmp_path, cluster, warcs=3, pages=3, records=30)


@pytest.mark.slow
def test_cluster_ingest_of_a_larger_set_with_a_worker_killed(tmp_path: Path, cluster: Cluster) -> None:
    cluster_trial(tmp_path, cluster, warcs=12, pages=10, records=300)


def test_an_unreachable_cluster_is_one_clear_line(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path / "inputs", warcs=1, pages=1, records=1)
    done = subprocess.run([sys.executable, "-m", "scripts.cli", "ingest", "--cluster", "tcp://127.0.0.1:9",
                           "--home", str(tmp_path / "home"), *map(str, inputs)],
                          cwd=REPO, env={**ENV, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("Error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(done.stderr.strip().splitlines()) == 1
