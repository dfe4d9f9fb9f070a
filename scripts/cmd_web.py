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
@click.option("--connection-limit", default=1000, show_default=True, type=click.IntRange(10, 100_000),
              envvar="NEWSARCHIVE_SERVE_CONNECTION_LIMIT",
              help="Open connections accepted at once (idle ones cost no thread).")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(0.5, 600),
              envvar="NEWSARCHIVE_SERVE_HEADER_TIMEOUT",
              help="Seconds a client has to send a whole request, however steadily it trickles.")
@click.option("--idle-timeout", default=30, show_default=True, type=click.IntRange(1, 3600),
              envvar="NEWSARCHIVE_SERVE_IDLE_TIMEOUT",
              help="Seconds an idle keep-alive connection stays open.")
@click.option("--dev", is_flag=True,
              help="Flask's development server with the reloader and debugger (never in production).")
@friendly_errors
def serve(home: Path, host: str, port: int, threads: int, connection_limit: int,
          header_timeout: float, idle_timeout: int, dev: bool) -> None:
    """Serve the search pages, article pages, JSON API, exports and the wiki embed.

    Read-only: it answers from HOME/articles and HOME/index (run `newsarchive reindex` first).
    Settings come from $NEWSARCHIVE_CONFIG (a .toml or .py file) and NEWSARCHIVE_* variables,
    e.g. NEWSARCHIVE_EMBED_ORIGINS="https://wiki.example.com" to allow framing by a wiki."""
    from web.app import create_app

    app = create_app({"HOME": home})
    if dev:
        app.run(host=host, port=port, debug=True, use_reloader=True, threaded=True)
        return
    from web.server import ServerSettings, create_server

    # bind the socket ourselves: a port in use is then one clear message (waitress, failing to
    # bind, leaves a half-built server object behind that misbehaves when collected)
    try:
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as exc:
        reason = "the port is in use by another program" if exc.errno == errno.EADDRINUSE else (
            exc.strerror or str(exc))
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason} (try --port)") from None
    server = create_server(app, sock, ServerSettings(
        threads=threads, connection_limit=connection_limit, header_timeout=header_timeout,
        channel_timeout=idle_timeout))
    address = f"http://{host}:{server.effective_port}/"  # type: ignore[attr-defined]
    click.echo(f"newsarchive: serving {home} on {address} ({threads} threads); Ctrl-C stops")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


COMMANDS = [serve]
