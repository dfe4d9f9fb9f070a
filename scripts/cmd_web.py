"""``newsarchive serve``: the web search, API, exports and embeds on a production WSGI server."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import click

from scripts.common import friendly_errors, home_option


@click.command()
@home_option
@click.option("--host", default="127.0.0.1", show_default=True, envvar="NEWSARCHIVE_SERVE_HOST",
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              envvar="NEWSARCHIVE_SERVE_PORT", help="TCP port (0: any free port).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              envvar="NEWSARCHIVE_SERVE_THREADS", help="Worker threads answering requests.")
@click.option("--dev", is_flag=True,
              help="Flask's development server with the reloader and debugger (never in production).")
@friendly_errors
def serve(home: Path, host: str, port: int, threads: int, dev: bool) -> None:
    """Serve the search pages, article pages, JSON API, exports and the wiki embed.

    Read-only: it answers from HOME/articles and HOME/index (run `newsarchive reindex` first).
    Settings come from $NEWSARCHIVE_CONFIG (a .toml or .py file) and NEWSARCHIVE_* variables,
    e.g. NEWSARCHIVE_EMBED_ORIGINS="https://wiki.example.com" to allow framing by a wiki."""
    from web.app import create_app

    app = create_app({"HOME": home})
    if dev:
        app.run(host=host, port=port, debug=True, use_reloader=True, threaded=True)
        return
    import waitress

    # bind the socket ourselves: a port in use is then one clear message (waitress, failing to
    # bind, leaves a half-built server object behind that misbehaves when collected)
    try:
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        reason = "the port is in use by another program" if exc.errno == errno.EADDRINUSE else (
            exc.strerror or str(exc))
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason} (try --port)") from None
    server = waitress.create_server(app, sockets=[sock], threads=threads, ident="newsarchive")
    address = f"http://{host}:{server.effective_port}/"  # type: ignore[attr-defined]
    click.echo(f"newsarchive: serving {home} on {address} ({threads} threads); Ctrl-C stops")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


COMMANDS = [serve]
