"""``newsarchive serve``: waitress on a free port answers the search page; --help is complete."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from scripts.cli import main
from tests.conftest import REPO


def test_serve_help() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--home", "--host", "--port", "--threads", "--connection-limit", "--header-timeout",
                   "--idle-timeout", "--dev"):
        assert option in result.output


def test_serve_answers_on_a_free_port(web_home: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.cli", "serve", "--home", str(web_home), "--port", "0",
         "--threads", "2"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:\d+/) \(2 threads\)", line)
        assert match, line + process.stderr.read()
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(match.group(1) + "search?q=bitcoin", timeout=5) as response:
                    body = response.read().decode()
                    headers = response.headers
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert headers["Server"] == "newsarchive"
        assert headers["Vary"] == "HX-Request"
        assert "4 matches" in " ".join(re.sub(r"<[^>]+>", " ", body).split())
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def test_bad_settings_are_a_message_not_a_traceback(web_home: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--home", str(web_home)],
                                env={"NEWSARCHIVE_EXPORT_CAP": "many"})
    assert result.exit_code == 1
    assert result.output == "Error: NEWSARCHIVE_EXPORT_CAP must be a whole number, not 'many'\n"


def test_a_port_in_use_is_a_message_not_a_traceback(web_home: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--home", str(web_home), "--port", str(port)])
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot listen on 127.0.0.1:{port}: the port is in use by "
                             "another program (try --port)\n")
