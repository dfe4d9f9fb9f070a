"""``newsarchive timeline``: coverage over time of up to six searches, side by side."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click

from scripts.common import friendly_errors, home_option


@click.command()
@click.argument("queries", nargs=-1, required=True)
@home_option
@click.option("--label", "labels", multiple=True, metavar="TEXT",
              help="A name for each query, in order (repeatable).")
@click.option("--source", "sources", multiple=True, metavar="KEY", help="Shared filter: only this source (repeatable).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Shared filter: only this tag (repeatable).")
@click.option("--sentiment", "sentiments", multiple=True, metavar="S", help="Shared filter: only this sentiment.")
@click.option("--lang", "langs", multiple=True, metavar="CODE", help="Shared filter: only this language.")
@click.option("--from", "date_from", metavar="DATE", help="Published on or after (2026, 2026-02 or 2026-02-04).")
@click.option("--to", "date_to", metavar="DATE", help="Published on or before (inclusive).")
@click.option("--interval", type=click.Choice(["auto", "day", "week", "month", "year"]), default="auto",
              show_default=True, help="Bucket size (auto: at most 60 buckets).")
@click.option("--unit", type=click.Choice(["articles", "stories"]), default="articles", show_default=True,
              help="Count articles, or each story once (at its first matching version).")
@click.option("--split", type=click.Choice(["sentiment", "source"]), help="Split every query by this.")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON (as /api/timeline).")
@click.option("--csv", "as_csv", is_flag=True, help="Print the table as CSV (as /timeline.csv).")
@friendly_errors
def timeline(queries: tuple[str, ...], home: Path, labels: tuple[str, ...], sources: tuple[str, ...],
             tags: tuple[str, ...], sentiments: tuple[str, ...], langs: tuple[str, ...],
             date_from: str | None, date_to: str | None, interval: str, unit: str,
             split: str | None, as_json: bool, as_csv: bool) -> None:
    """Count what each of up to six QUERIES finds per day, week, month or year, with its share
    of all coverage matching the shared filters (the options) in that period.

    Each QUERY is a whole search in the query language (fields work: "bitcoin source:coindesk").
    Articles whose date the archive does not know are counted apart, never in a period."""
    from index.search import SearchService
    from index.timeline import parse_timeline_params

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    params: dict[str, list[str]] = {"source": list(sources), "tag": list(tags),
                                    "sentiment": list(sentiments), "lang": list(langs),
                                    "interval": [interval], "unit": [unit]}
    for name, value in (("from", date_from), ("to", date_to), ("split", split)):
        if value:
            params[name] = [value]
    for i, text in enumerate(queries, 1):
        params[f"q{i}"] = [text]
    for i, text in enumerate(labels, 1):
        params[f"label{i}"] = [text]
    spec = parse_timeline_params(params)
    with SearchService(home) as service:
        result = service.timeline(spec)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
        return
    rows = result.rows()
    if as_csv:
        csv.writer(sys.stdout, lineterminator="\n").writerows(rows)
        return
    click.echo(render(result))


def render(result) -> str:
    """A table for the terminal: one line per bucket, count and share per series."""
    names = [s.label + (f" / {s.split_label}" if s.split_label else "") for s in result.series]
    from web.present import bucket_label

    labels = [bucket_label(b, result.interval) for b in result.buckets] + ["date unknown"]
    first = max([len(x) for x in labels] + [len(result.interval)])
    widths = [max(len(n), 14) for n in names]
    out = [f"{result.unit} per {result.interval}; share of all coverage matching the shared filters"
           " in brackets", ""]
    out.append(f"{result.interval:<{first}}  " + "  ".join(f"{n:>{w}}" for n, w in zip(names, widths))
               + f"  {'all':>8}")
    for i, label in enumerate(labels[:-1]):
        cells = []
        for s, w in zip(result.series, widths):
            share = "" if s.shares[i] is None else f" ({s.shares[i] * 100:.1f}%)"
            cells.append(f"{str(s.counts[i]) + share:>{w}}")
        out.append(f"{label:<{first}}  " + "  ".join(cells) + f"  {result.base[i]:>8}")
    out.append(f"{'date unknown':<{first}}  " + "  ".join(
        f"{s.undated:>{w}}" for s, w in zip(result.series, widths)) + f"  {result.base_undated:>8}")
    out.append("")
    out.append("totals: " + ", ".join(f"{n} {s.total}" for n, s in zip(names, result.series)))
    return "\n".join(out)


COMMANDS = [timeline]
