"""Command: ``newsarchive reindex`` (rebuild the search index from the article files)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from scripts.common import friendly_errors, home_option


class _Bar:
    """A tqdm progress bar on stderr (rate and time left), only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="file", file=sys.stderr,
                            desc="indexing")
        self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.command()
@home_option
@click.option("--changed", is_flag=True,
              help="Update the live index in place: read only files whose bytes changed since they "
                   "were indexed, and keep deleted articles as tombstones.")
@click.option("--procs", type=click.IntRange(min=1), default=None,
              help="Worker processes for a full rebuild (default: every core).")
@click.option("--cluster", metavar="tcp://HOST:8786", envvar="NEWSARCHIVE_CLUSTER", default=None,
              help="Build the segments of a full rebuild as tasks on this Dask scheduler (needs "
                   "newsarchive[cluster]; HOME at the same path on every worker).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly_errors
def reindex(home: Path, changed: bool, procs: int | None, cluster: str | None, as_json: bool) -> None:
    """Rebuild the search index from the article files under HOME/articles.

    A full rebuild writes a new index next to the current one and swaps it in when it is
    complete, so a running server keeps answering from the old one meanwhile; an interrupted
    rebuild leaves the old index in place. Files that fail to parse are listed with the reason
    (exit status 1); the index is built from the rest."""
    from index.build import reindex as run_reindex

    builder = None
    if cluster and not changed:
        from index.cluster import dask_segment_builder

        builder = dask_segment_builder(cluster)
    bar = _Bar(enabled=sys.stderr.isatty() and not as_json)
    try:
        report = run_reindex(home, procs=procs, changed_only=changed, progress=bar,
                             segment_builder=builder)
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        rate = report.files / report.seconds if report.seconds else 0.0
        how = "updated in place" if report.mode == "changed" else f"rebuilt with {report.procs} " + (
            "process" if report.procs == 1 else "processes") if report.procs else f"rebuilt on {cluster}"
        click.echo(f"Index {how}: {report.files} files in {report.seconds:.1f} s ({rate:.0f} files/s).")
        click.echo(f"  {report.added} added, {report.updated} updated, {report.deleted} deleted, "
                   f"{report.unchanged} unchanged, {report.failed} failed.")
        click.echo(f"  The index holds {report.documents} articles and {report.tombstones} "
                   f"tombstones of deleted ones.")
        for article_id, kept, ignored in report.duplicates:
            click.echo(f"warning: {ignored}: id {article_id} is already used by {kept}; "
                       f"not indexed (run `newsarchive verify`)", err=True)
        for path, reason in report.failures:
            click.echo(f"failed: {path}: {reason}", err=True)
    if report.failed:
        raise SystemExit(1)


COMMANDS = [reindex]
