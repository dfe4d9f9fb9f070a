"""A server subprocess and a loopback load client (``http.client`` threads), bounded in count and time."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.bench.runner import read_status

REPO = Path(__file__).resolve().parents[2]


class Server:
    """``python -m scripts.bench.serve ...`` in a child process; ``port`` once it listens."""

    def __init__(self, args: list[str], log: Path, timeout: float = 120.0) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log, "ab")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scripts.bench.serve", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, cwd=REPO, env=env)
        self.port = 0
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith(b"PORT ") or not line:
                break
        if not line.startswith(b"PORT "):
            self.stop()
            raise RuntimeError(f"the server did not start (see {log})")
        self.port = int(line.split()[1])

    @property
    def pid(self) -> int:
        return self.proc.pid

    def memory(self) -> dict[str, int]:
        return read_status(self.proc.pid)

    def get(self, path: str, timeout: float = 60.0) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()
        self._log.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    #: (path, status or error text)
    errors: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    clients: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_load(port: int, paths: list[str], *, clients: int, max_requests: int,
             max_seconds: float) -> LoadResult:
    """``clients`` threads, each with its own keep-alive connection, take the next path in turn
    until ``max_requests`` are answered or ``max_seconds`` have passed."""
    result = LoadResult(clients=clients)
    lock = threading.Lock()
    counter = iter(range(max_requests))
    started = time.perf_counter()
    deadline = started + max_seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            path = paths[i % len(paths)]
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    if response.status == 200:
                        result.latencies_ms.append(elapsed)
                    else:
                        result.errors.append((path, str(response.status)))
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    result.errors.append((path, f"{type(exc).__name__}: {exc}"))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
