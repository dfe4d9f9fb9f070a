"""Serve one engine over HTTP under waitress on 127.0.0.1 (a port the OS picks), for the load test.

``python -m scripts.bench.serve --engine ours --home H`` serves our Flask app (``create_app``);
``--engine fts5|whoosh|tantivy --workdir W --stream FILE`` serves a plain WSGI function answering
``/api/search?q=I`` with query I of the stream file as JSON. The first line on stdout is ``PORT <n>``.
The server stops when its standard input closes (the harness ends) or on SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import parse_qs


def baseline_app(engine: Any, mix: tuple) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        params = parse_qs(environ.get("QUERY_STRING", ""))
        try:
            query = mix[int(params["q"][0])]
            body = json.dumps({"ok": True, **engine.search(query)}, default=str).encode()
            status = "200 OK"
        except (KeyError, ValueError, IndexError):
            body, status = b'{"ok": false}', "400 Bad Request"
        start_response(status, [("Content-Type", "application/json"),
                                ("Content-Length", str(len(body)))])
        return [body]

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", required=True, choices=("ours", "whoosh", "fts5", "tantivy"))
    parser.add_argument("--home", type=Path)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--stream", type=Path)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)

    import waitress

    if args.engine == "ours":
        from web.app import create_app

        app = create_app({"HOME": str(args.home)})
    else:
        from scripts.bench.baselines import make_baseline
        from scripts.bench.stream import read_stream

        app = baseline_app(make_baseline(args.engine, args.workdir), read_stream(args.stream))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=args.threads,
                                    connection_limit=200, channel_timeout=60)
    print(f"PORT {server.effective_port}", flush=True)

    def watch_stdin() -> None:
        sys.stdin.read()  # returns when the harness closes our stdin (or exits)
        sys.stdout.flush()
        os._exit(0)  # nothing to save; closing waitress from another thread only logs errors

    threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        server.run()
    except (KeyboardInterrupt, OSError, ValueError):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
