"""``newsarchive export``: every match of a search, streamed as CSV or JSON lines, no cap."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, TextIO

import click

from scripts.common import friendly_errors, home_option, search_filter_options, search_params

if TYPE_CHECKING:
    from index.model import Hit


@click.command()
@click.argument("query", required=False, default="")
@home_option
@search_filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True,
              help="CSV (the web export's columns) or JSON lines (every field of each hit).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically: a temp file renamed when complete) instead of stdout.")
@click.option("--base-url", metavar="URL", help="The archive's web address, for the archive_url column.")
@friendly_errors
def export(query: str, home: Path, fmt: str, output: Path | None, base_url: str | None,
           **filters: object) -> None:
    """Write every match of QUERY (with the filters) in the search's order, with no cap: the
    web's CSV and JSON lines exports stop at EXPORT_CAP rows, this does not. Results are not
    collapsed: every version of a story is a row (its story id says which story)."""
    import contextlib

    from archive.store import atomic_writer
    from index.model import parse_params
    from index.search import SearchService

    search = parse_params(search_params(query, **filters))
    base = base_url.rstrip("/") if base_url else None
    with contextlib.ExitStack() as stack:
        service = stack.enter_context(SearchService(home))
        total = service.count(search)
        if output is None:
            out = sys.stdout
        else:  # written in pieces to a temp file, renamed over OUTPUT once every row is in
            out = io.TextIOWrapper(stack.enter_context(atomic_writer(output)), encoding="utf-8",
                                   newline="", write_through=True)
        write_export(out, service.iter_hits(search, max(total, 1)), fmt, base)
        out.flush()
        if out is not sys.stdout:
            out.detach()
    if output is not None:
        click.echo(f"{total:,} {'match' if total == 1 else 'matches'} written to {output}", err=True)


def write_export(out: TextIO, hits: Iterable[Hit], fmt: str, base: str | None) -> None:
    """Each hit as a CSV row (the web export's columns) or a JSON lines record, as it comes."""
    from web.present import EXPORT_COLUMNS, export_row, jsonl_record, spreadsheet_safe

    def address(hit: Hit) -> str | None:
        return f"{base}/article/{hit.id}" if base else None

    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for hit in hits:
            row = export_row(hit, address(hit))
            writer.writerow([spreadsheet_safe(row[c]) for c in EXPORT_COLUMNS])
    else:
        for hit in hits:
            out.write(json.dumps(jsonl_record(hit, address(hit)), ensure_ascii=False,
                                 allow_nan=False) + "\n")


COMMANDS = [export]
