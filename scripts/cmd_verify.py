"""``newsarchive verify``: check the home folder, and with ``--repair`` bring the index in line."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scripts.common import friendly_errors, home_option


@click.command()
@home_option
@click.option("--repair", is_flag=True, help="Fix what can be fixed by updating the index (never deletes article files).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly_errors
def verify(home: Path, repair: bool, as_json: bool) -> None:
    """Check that every article file parses, ids are unique and the index agrees with the files.

    Reports unreadable files (naming the field at fault), duplicate ids, leftover temporary
    files, and documents that are missing from the index, extra in it (no file) or stale: the
    hash of the file's bytes (the whole file, body included) or its path differs from the
    indexed one, so a hand edit is found even when it left contentHash as it was. With --repair the
    index is updated (missing and stale documents added, extra ones kept as tombstones) and
    temporary files are removed. Exit status 1 while anything is wrong."""
    from index.verify import verify_home

    report = verify_home(home, repair=repair)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(f"{report.files} article files under {home / 'articles'}")
        for path, error in report.unreadable:
            click.echo(f"  unreadable  {path}: {error}")
        for article_id, paths in report.duplicate_ids.items():
            click.echo(f"  duplicate   id {article_id}: {', '.join(paths)}")
        for path in report.temp_files:
            click.echo(f"  temp file   {path} (left by an interrupted write)")
        if report.index_error:
            click.echo(f"  index       {report.index_error}")
        for label, ids in (("missing", report.missing), ("extra", report.extra), ("stale", report.stale)):
            if ids:
                shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
                click.echo(f"  {label:<11} {len(ids)} in the index: {shown}")
        if report.repaired:
            click.echo("repaired: " + ", ".join(f"{k} {v}" for k, v in report.repaired.items()))
        click.echo("ok" if report.ok else "problems found" + ("" if repair else " (run with --repair to fix the index)"))
    if not report.ok and not (repair and not report.unreadable and not report.duplicate_ids):
        raise SystemExit(1)


COMMANDS = [verify]
