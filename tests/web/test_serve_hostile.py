"""Hostile clients against the real server (``newsarchive serve`` in a subprocess, real sockets):
slowloris, and searches that made the server work for seconds after their clients had gone."""

from __future__ import annotations

import random
import re
import socket
import string
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.store import Store
from tests.conftest import REPO


@contextmanager
def running_server(home: Path, *options: str) -> Iterator[tuple[str, int]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.cli", "serve", "--home", str(home), "--port", "0", *options],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"on http://(127\.0\.0\.1):(\d+)/", line)
        assert match, line + process.stderr.read()
        address = (match.group(1), int(match.group(2)))
        get(address, "/search?q=bitcoin", timeout=20)  # warm: the index is open
        yield address
    finally:
        process.terminate()
        process.wait(timeout=20)
        process.stdout.close()
        process.stderr.close()


def get(address: tuple[str, int], path: str, timeout: float) -> int:
    """Status of a GET through a fresh connection, within ``timeout`` seconds."""
    with urllib.request.urlopen(f"http://{address[0]}:{address[1]}{path}", timeout=timeout) as response:
        response.read()
        return response.status


def test_slowloris_leaves_normal_clients_served(web_home: Path) -> None:
    """100 sockets each sending a header line every 0.5 s: normal searches still answer, and the
    tricklers are cut off once the header timeout (here 2 s) is over. With waitress's defaults
    (100 connections, an idle timeout restarted by each byte) every normal client timed out."""
    with running_server(web_home, "--header-timeout", "2", "--threads", "2") as address:
        tricklers = []
        for _ in range(100):
            sock = socket.create_connection(address, timeout=5)
            sock.sendall(b"GET /search?q=bitcoin HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            tricklers.append(sock)
        served = []
        closed: set[int] = set()
        started = time.monotonic()
        while time.monotonic() - started < 4.5:
            for i, sock in enumerate(tricklers):
                if i in closed:
                    continue
                try:
                    sock.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    closed.add(i)
            served.append(get(address, "/search?q=rates", timeout=3))
            time.sleep(0.5)
        for i, sock in enumerate(tricklers):
            sock.settimeout(0.5)
            try:
                if sock.recv(1) == b"":
                    closed.add(i)
            except ConnectionResetError:
                closed.add(i)
            except socket.timeout:
                pass
            sock.close()
        assert set(served) == {200} and len(served) >= 6
        assert len(closed) == 100


def nonsense(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(6, 11)))
            for _ in range(n)]


@pytest.fixture(scope="module")
def wordy_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 articles with 500 words each that no other article has: 60,000 spelling words."""
    from index.build import reindex

    home = tmp_path_factory.mktemp("wordy") / "home"
    home.mkdir()
    store = Store(home)
    rng = random.Random(10)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(120):
        body = "Bitcoin markets moved on rates. " + " ".join(nonsense(rng, 500))
        article = Article(title=f"Market note {i}", body=body, lang="en",
                          published_at=start + timedelta(hours=i),
                          ingested_at=start + timedelta(hours=i, minutes=5),
                          source=Source(name="Wordy Wire", key="wordy", type="WEB"),
                          content_hash=compute_content_hash(body))
        store.save(article.replace(id=derive_id(article)))
    assert not reindex(home, procs=1).failed
    return home


def test_abandoned_did_you_mean_searches_leave_the_server_free(wordy_home: Path) -> None:
    """8 searches of 25 unknown words, abandoned by their clients at once: each used to respell
    every word against every spelling word in Python (52 s for one such search on 5,000
    articles), holding the server's threads while normal searches timed out."""
    rng = random.Random(25)
    with running_server(wordy_home, "--threads", "2") as address:
        for _ in range(8):
            q = " ".join(nonsense(rng, 25))
            sock = socket.create_connection(address, timeout=5)
            sock.sendall(f"GET /api/search?{urllib.parse.urlencode({'q': q})} HTTP/1.1\r\n"
                         "Host: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            sock.close()
        assert [get(address, "/api/search?q=bitcoin", timeout=10) for _ in range(3)] == [200] * 3


def test_did_you_mean_respells_several_words_at_once(wordy_home: Path) -> None:
    from index.model import SearchQuery
    from index.search import SearchService

    with SearchService(wordy_home) as service:
        assert service.search(SearchQuery(q="bitcoim markkets")).suggestion == "bitcoin markets"
        many = " ".join(["bitcoim"] + nonsense(random.Random(3), 24))
        result = service.search(SearchQuery(q=many))
        assert (result.total, result.suggestion) == (0, None)
