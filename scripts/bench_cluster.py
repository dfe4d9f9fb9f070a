"""Ingest of a WARC set on a Dask cluster beside the local pool, in the same run (issue 13).

    python -m scripts.bench_cluster [--pages 2000] [--per-warc 100] [--out bench-cluster]

Generates ``--pages`` pages of our own (invented desk reports) in WARC files of ``--per-warc``
records, then ingests them into an empty home three ways through the real command: the local
pool (``--workers 2``), a real ``dask scheduler`` with one ``dask worker`` process, and with two
(single-threaded, no nanny, on 127.0.0.1). Prints wall time, pages/s and each run's ratio to the
local pool, and checks that every run wrote the same files. Needs ``newsarchive[cluster]``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click

REPO = Path(__file__).resolve().parent.parent
DASK = Path(sys.executable).parent / "dask"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
TOPICS = ["copper futures", "stablecoin reserves", "chip export rules", "bond auctions", "GPU leasing",
          "freight rates", "grid batteries", "mining difficulty"]


def page(n: int) -> bytes:
    topic = TOPICS[n % len(TOPICS)]
    paragraphs = "".join(
        f"<p>Desks tracking {topic} in week {n % 52} said order books in lot {n} were balanced, with "
        f"London and Singapore reporting steady flows into the close ({j}).</p>" for j in range(6))
    return (f"<html><head><title>Desk report {n}: {topic}</title>"
            f"<meta property='article:published_time' content='2025-{n % 12 + 1:02d}-{n % 27 + 1:02d}T08:00:00Z'>"
            f"</head><body><nav>Home | Markets | Desks</nav><article><h1>Desk report {n}: {topic}</h1>"
            f"{paragraphs}</article><footer>Copyright Deskwire</footer></body></html>").encode()


def write_warcs(folder: Path, pages: int, per_warc: int) -> list[Path]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for w in range((pages + per_warc - 1) // per_warc):
        path = folder / f"crawl-{w:03d}.warc.gz"
        with path.open("wb") as out:
            writer = WARCWriter(out, gzip=True)
            for n in range(w * per_warc, min(pages, (w + 1) * per_warc)):
                body = page(n)
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                        protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://deskwire.example/{n}", "response", payload=io.BytesIO(body),
                    length=len(body), http_headers=http,
                    warc_headers_dict={"WARC-Date": "2026-03-06T15:00:00Z"}))
        paths.append(path)
    return paths


class Cluster:
    """A scheduler and ``workers`` single-threaded worker processes on 127.0.0.1."""

    def __init__(self, folder: Path, workers: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.file = folder / "scheduler.json"
        self.file.unlink(missing_ok=True)
        self.processes = [subprocess.Popen(
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(self.file)], env=ENV, cwd=REPO,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        deadline = time.monotonic() + 60
        while not self.file.exists():
            if time.monotonic() > deadline:
                raise click.ClickException("the dask scheduler did not start")
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]
        for n in range(workers):
            self.processes.append(subprocess.Popen(
                [str(DASK), "worker", "--scheduler-file", str(self.file), "--nthreads", "1",
                 "--no-nanny", "--no-dashboard", "--name", f"w{n}"], env=ENV, cwd=REPO,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def ingest(home: Path, inputs: list[Path], *extra: str) -> float:
    shutil.rmtree(home, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scripts.cli", "ingest", "-q", "--home", str(home),
                           *extra, *map(str, inputs)], cwd=REPO, env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise click.ClickException(f"ingest {' '.join(extra)} failed: {done.stderr[-1000:]}")
    return time.perf_counter() - started


def files_digest(home: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((home / "articles").rglob("*.md")):
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.startswith(("ingestedAt:", "fetchedAt:")))
        digest.update(path.relative_to(home).as_posix().encode() + b"\0" + text.encode())
    return digest.hexdigest()[:16]


@click.command()
@click.option("--pages", default=2000, show_default=True)
@click.option("--per-warc", default=100, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("bench-cluster"),
              show_default=True)
def main(pages: int, per_warc: int, out: Path) -> None:
    inputs = write_warcs(out / "warcs", pages, per_warc)
    runs: dict[str, float] = {}
    digests: dict[str, str] = {}
    runs["local pool, 2 processes"] = ingest(out / "home-local", inputs, "--workers", "2")
    digests["local pool, 2 processes"] = files_digest(out / "home-local")
    for workers in (1, 2):
        name = f"dask, {workers} worker process{'es' if workers > 1 else ''}"
        cluster = Cluster(out / f"cluster-{workers}", workers)
        try:
            runs[name] = ingest(out / f"home-dask-{workers}", inputs, "--cluster", cluster.address)
        finally:
            cluster.close()
        digests[name] = files_digest(out / f"home-dask-{workers}")
    local = runs["local pool, 2 processes"]
    click.echo(f"{pages} pages in {len(inputs)} WARC files; load average {os.getloadavg()[0]:.1f}")
    for name, seconds in runs.items():
        click.echo(f"{name:28} {seconds:7.1f} s  {pages / seconds:6.1f} pages/s  "
                   f"{local / seconds:5.2f}x the local pool  files {digests[name]}")
    same = len(set(digests.values())) == 1
    click.echo("files: identical in every run" if same else "files: DIFFER between runs")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
