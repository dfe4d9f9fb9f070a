"""``newsarchive reextract``: extract fetched articles again from their raw snapshots."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scripts.common import friendly_errors, home_option


@click.command()
@home_option
@click.option("--id", "ids", multiple=True, metavar="ID",
              help="Only this article (repeatable). Default: every article with a raw snapshot.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report instead of text.")
@friendly_errors
def reextract(home: Path, ids: tuple[str, ...], as_json: bool) -> None:
    """Re-run extraction on the raw HTML kept under HOME/raw, without fetching again.

    Articles keep their id, ingestedAt, fetchedAt, url, and the source, date and tags that came
    from a feed or the command line; the rest is taken from the new extraction. Files change only
    when the result differs. Prints created / updated / unchanged / failed counts and each failure;
    exit status 1 if any article failed. Updated articles are sent to the search index."""
    from archive.reextract import reextract as run
    from archive.store import Store
    from scripts.cmd_ingest import IndexUpdater

    updater = IndexUpdater(home)
    try:
        summary = run(Store(home), ids=ids, on_saved=updater.add)
    finally:
        updater.flush()
    counts = summary.counts()
    if as_json:
        click.echo(json.dumps({"counts": counts, "results": [r.__dict__ for r in summary.results],
                               "index": updater.to_dict()}, indent=2, ensure_ascii=False))
    else:
        for result in summary.results:
            if result.status == "failed":
                click.echo(f"failed     {result.id}: {result.error}", err=True)
            elif result.status == "updated":
                click.echo(f"updated    {result.id} {result.path}")
        click.echo(", ".join(f"{counts[k]} {k}" for k in ("created", "updated", "unchanged", "failed"))
                   + f" ({counts['skipped']} without a raw snapshot skipped)")
        if updater.error is not None:
            click.echo(f"index not updated: {updater.error}", err=True)
    if counts["failed"] or updater.error is not None:
        raise SystemExit(1)


COMMANDS = [reextract]
