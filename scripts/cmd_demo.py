"""Command: ``newsarchive demo``: a working, searchable archive of our bundled articles in one step.

It goes through the same pipeline as everyone's data: ``archive.ingest.ingest`` into a
``Store``, ``index.build.reindex``, then the web app served as ``newsarchive serve`` does. The
demo gets its own home folder (``./demo-home`` unless ``--home`` says otherwise): it never writes
into the user's real archive, and it refuses a folder that already holds a non-demo archive.
Running it again changes nothing (ingest is idempotent) and serves the same archive.
"""

from __future__ import annotations

import shlex
import socket
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.demo import demo_articles_dir, demo_inputs_dir
from archive.errors import StoreError
from archive.home import articles_dir
from archive.ingest import ingest
from archive.types import IngestOptions, InputResult
from archive.store import Store, atomic_write_text
from scripts.common import friendly_errors

if TYPE_CHECKING:
    from index.build import ReindexReport

#: a file in the demo home that marks it as ours to fill (and to fill again)
MARKER = ".newsarchive-demo"
MARKER_TEXT = "This folder was made by `newsarchive demo`; it may be deleted at any time.\n"
DEFAULT_HOME = Path("demo-home")


@dataclass(frozen=True)
class DemoBuild:
    """What building the demo did: one result per bundled article, and the index size."""

    home: Path
    results: tuple[InputResult, ...]
    #: what the rebuild of the index did (``documents``: how many articles are searchable)
    report: ReindexReport

    @property
    def counts(self) -> Counter[str]:
        return Counter(result.status for result in self.results)


def prepare_home(home: Path) -> Path:
    """The demo home, made if missing; a folder holding someone's real archive is refused."""
    home = home.expanduser().resolve()
    marker = home / MARKER
    articles = articles_dir(home)
    if not marker.exists() and articles.is_dir() and any(articles.rglob("*.md")):
        raise StoreError(
            f"{home} already holds an archive that `newsarchive demo` did not make; the demo "
            "will not mix its articles into it. Pick an empty folder with --home."
        )
    try:
        home.mkdir(parents=True, exist_ok=True)
        if not marker.exists():
            atomic_write_text(marker, MARKER_TEXT)
    except OSError as exc:
        raise StoreError(f"cannot create the demo home {home}: {exc.strerror}") from None
    return home


def build_demo(home: Path) -> DemoBuild:
    """Ingest the bundled articles into ``home`` and rebuild its index."""
    from index.build import reindex  # Whoosh is loaded only when the demo is built

    home = prepare_home(home)
    store = Store(home)
    inputs = [str(demo_articles_dir()), str(demo_inputs_dir())]
    results = tuple(ingest(inputs, store, IngestOptions(home=home)))
    return DemoBuild(home=home, results=results, report=reindex(home))


def serve_demo(home: Path, host: str, port: int) -> None:
    """Serve the web app on ``home`` until interrupted: ``newsarchive serve`` itself, so the demo
    runs on the same server, threads and settings as a real archive."""
    from scripts.cmd_web import serve

    check_address(home, host, port)
    try:
        click.get_current_context().invoke(serve, home=home, host=host, port=port, threads=8,
                                           dev=False)
    except OSError as exc:  # taken between the check and the server's own bind
        raise _cannot_serve(home, host, port, exc.strerror or str(exc)) from None


def check_address(home: Path, host: str, port: int) -> None:
    """Refuse, with one clear message, an address the server could not listen on (a port in use,
    a host name that does not resolve) before the server half-starts on it."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise _cannot_serve(home, host, port, exc.strerror) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind(address)
        except OSError as exc:
            raise _cannot_serve(home, host, port, exc.strerror or str(exc)) from None


def _cannot_serve(home: Path, host: str, port: int, reason: str) -> click.ClickException:
    return click.ClickException(
        f"cannot serve on {host}:{port}: {reason}. The demo archive is ready in {home}; "
        "pick another --port (0: any free port) or --host"
    )


@click.command()
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_HOME,
    show_default="./demo-home",
    help="Folder for the demo archive. Never your real archive: $NEWSARCHIVE_HOME is not read, "
         "and a folder holding an archive the demo did not make is refused.",
)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on (0.0.0.0 for every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--no-serve", is_flag=True, help="Build the demo archive and its index, then exit.")
@friendly_errors
def demo(home: Path, host: str, port: int, no_serve: bool) -> None:
    """Build a demo archive of the 52 bundled articles, index it and serve it.

    The articles are ours: invented market, crypto and technology news from thirteen fictional
    outlets, in four languages, January 2025 to November 2026: 48 Markdown files, a page copied
    as plain text and a JSON-lines export of three more. They go through the same ingest
    and index as any input; running the command again leaves the archive as it is."""
    build = build_demo(home)
    failed = [f"  {r.input}: {r.error}" for r in build.results if r.status == "failed"]
    failed += [f"  {path}: {error}" for path, error in build.report.failures]
    if failed:  # a bundled article that does not go through is a bug of ours: say which
        raise click.ClickException("the demo archive is incomplete:\n" + "\n".join(failed))
    counts = build.counts
    click.echo(f"Demo archive in {build.home}")
    click.echo(f"  {len(build.results)} articles: {counts['created']} created, "
               f"{counts['updated']} updated, {counts['unchanged']} unchanged")
    click.echo(f"  index rebuilt: {build.report.documents} articles")
    if no_serve:
        home_arg = shlex.quote(str(build.home))
        click.echo(f"Try: newsarchive search --home {home_arg} 'Kestrel published:2026-03'")
        click.echo(f"     newsarchive serve --home {home_arg}")
        return
    serve_demo(build.home, host, port)


COMMANDS = [demo]
