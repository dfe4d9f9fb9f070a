"""``newsarchive search`` and ``newsarchive stats``: the search API on the command line."""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import datetime
from pathlib import Path

import click

from scripts.common import friendly_errors, home_option

#: hit fields in a ``--csv`` row, in order
CSV_FIELDS = ("id", "published", "date_source", "source", "source_name", "title", "sentiment",
              "tags", "lang", "category", "author", "url", "score")
#: how an unknown publication date reads (CSV and the listing; JSON says null)
UNKNOWN_DATE = "date unknown"


@click.command()
@home_option
@click.argument("query", required=False, default="")
@click.option("--source", "sources", multiple=True, metavar="KEY",
              help="Only this source (repeat for several: any of them).")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only articles with this tag (repeatable: any of them).")
@click.option("--ticker", "tickers", multiple=True, metavar="SYMBOL",
              help="Only articles about this asset or company, e.g. BTC or CIFR (repeatable: any of them).")
@click.option("--sentiment", "sentiments", multiple=True, metavar="S",
              help="POSITIVE, NEGATIVE or NEUTRAL (repeatable).")
@click.option("--category", "categories", multiple=True, metavar="C", help="Only this category (repeatable).")
@click.option("--lang", "langs", multiple=True, metavar="CODE", help="Only this language, e.g. en (repeatable).")
@click.option("--from", "date_from", metavar="DATE", help="Published on or after (2026, 2026-02 or 2026-02-04).")
@click.option("--to", "date_to", metavar="DATE", help="Published on or before (inclusive).")
@click.option("--undated", type=click.Choice(["include", "exclude", "only"]),
              help="Articles whose date is unknown (listed last; left out by --from/--to): "
                   "include them in a date range too, exclude them, or list only them.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance",
              show_default=True, help="Order of the hits (an empty query is always newest first).")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True, help="Hits per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True, help="Page number.")
@click.option("--as-of", "as_of", metavar="INSTANT",
              help="Replay: only what had been ingested by then (2026-02-01T00:00:00Z).")
@click.option("--drafts", is_flag=True, help="Include drafts.")
@click.option("--collapse/--no-collapse", default=True, show_default=True,
              help="One hit per story (syndicated copies, reposts, rewrites counted once), "
                   "with its number of versions.")
@click.option("--unit", type=click.Choice(["articles", "stories"]), default="articles",
              show_default=True, help="What the facet counts and the histogram count.")
@click.option("--story", metavar="ID", help="Only the versions of this story.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON (as /api/search).")
@click.option("--csv", "as_csv", is_flag=True, help="Print the hits of the page as CSV.")
@friendly_errors
def search(home: Path, query: str, sources: tuple[str, ...], tags: tuple[str, ...],
           tickers: tuple[str, ...], sentiments: tuple[str, ...], categories: tuple[str, ...], langs: tuple[str, ...],
           date_from: str | None, date_to: str | None, undated: str | None, sort: str, limit: int,
           page: int, as_of: str | None, drafts: bool, collapse: bool, unit: str, story: str | None,
           as_json: bool, as_csv: bool) -> None:
    """Search the archive and print the hits with facet counts.

    QUERY uses the query language: words (all must match), "phrases", AND/OR/NOT, ( ),
    fields (title: source: tag: ticker: sentiment: author: lang: category:), dates
    (published:2026-02, published:[2026-02-01 TO 2026-03-01]) and prefixes (bitco*).
    An empty QUERY lists everything, newest first."""
    from index.model import parse_params
    from index.search import SearchService

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    params: dict[str, list[str]] = {
        "q": [query], "source": list(sources), "tag": list(tags), "ticker": list(tickers),
        "sentiment": list(sentiments),
        "category": list(categories), "lang": list(langs), "sort": [sort],
        "per_page": [str(limit)], "page": [str(page)],
    }
    for name, value in (("from", date_from), ("to", date_to), ("as_of", as_of),
                        ("undated", undated)):
        if value:
            params[name] = [value]
    if drafts:
        params["drafts"] = ["1"]
    params["collapse"] = ["1" if collapse else "0"]
    params["unit"] = [unit]
    if story:
        params["story"] = [story]
    search_query = parse_params(params)
    with SearchService(home) as service:
        result = service.search(search_query)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_FIELDS)
        for hit in result.hits:
            row = []
            for name in CSV_FIELDS:
                value = getattr(hit, name)
                if isinstance(value, datetime):
                    value = value.isoformat().replace("+00:00", "Z")
                elif name == "published" and value is None:
                    value = UNKNOWN_DATE
                elif isinstance(value, tuple):
                    value = ",".join(value)
                row.append("" if value is None else value)
            writer.writerow(row)
        return
    click.echo(_render(result))


def _render(result) -> str:
    lines = []
    first = (result.page - 1) * result.per_page + 1
    shown = f"{first}-{first + len(result.hits) - 1}" if result.hits else "none"
    stories = (f" in {result.stories} stories" if result.query.collapse and result.stories != result.total
               else "")
    lines.append(f"{result.total} matches{stories} (showing {shown}, page {result.page} of "
                 f"{result.pages}, {result.took_ms:.0f} ms)")
    if result.suggestion:
        lines.append(f"Did you mean: {result.suggestion}")
    for number, hit in enumerate(result.hits, start=first):
        when = hit.published.strftime("%Y-%m-%d") if hit.published else UNKNOWN_DATE
        extra = " ".join(filter(None, [hit.sentiment, ",".join(hit.tags), " ".join(f"${t}" for t in hit.tickers)]))
        lines.append("")
        lines.append(f"{number:>3}. {hit.title}")
        lines.append(f"     {when}  {hit.source_name}  {extra}  [{hit.id}]")
        if hit.versions > 1:
            lines.append(f"     {hit.versions} versions of this story: --story {hit.story}")
        if hit.snippet:
            lines.append("     " + _terminal_text(hit.snippet))
    for name, values in result.facets.items():
        if not values:
            continue
        items = ", ".join(f"{'*' if v.selected else ''}{v.label} {v.count}" for v in values[:12])
        more = f" (+{len(values) - 12} more)" if len(values) > 12 else ""
        lines.append("")
        lines.append(f"{name}: {items}{more}")
    if result.histogram or result.undated.count:
        lines.append("")
        lines.append(f"by {result.interval}: " + ", ".join(
            [f"{b.start.isoformat()} {b.count}" for b in result.histogram if b.count]
            + [f"{UNKNOWN_DATE} {result.undated.count}"
               + ("" if result.undated.included else " (not in this date range)")]
            * bool(result.undated.count)))
    lines.append("")
    lines.append(f"fingerprint {result.fingerprint}"
                 + (f" as of {result.as_of.isoformat()}" if result.as_of else ""))
    return "\n".join(lines)


def _terminal_text(snippet: str) -> str:
    """The HTML snippet for a terminal: marks become [brackets], entities are decoded."""
    import html

    text = snippet.replace("<mark>", "[").replace("</mark>", "]")
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@click.command()
@home_option
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@friendly_errors
def stats(home: Path, as_json: bool) -> None:
    """Count the searchable articles per source, tag, sentiment and year (drafts and deleted
    articles are left out and counted apart)."""
    from index.search import SearchService

    with SearchService(home) as service:
        result = service.stats()
    names = result.extra.get("source_names", {})
    if as_json:
        click.echo(json.dumps({
            "total": result.total,
            "by_source": [{"source": k, "name": names.get(k, k), "count": c} for k, c in result.by_source],
            "by_tag": [{"tag": k, "count": c} for k, c in result.by_tag],
            "by_ticker": [{"ticker": k, "count": c} for k, c in result.by_ticker],
            "by_sentiment": [{"sentiment": k, "count": c} for k, c in result.by_sentiment],
            "by_year": [{"year": k, "count": c} for k, c in result.by_year],
            "undated": result.extra.get("undated", 0),
            "drafts": result.extra.get("drafts", 0),
            "deleted": result.extra.get("deleted", 0),
        }, indent=2, ensure_ascii=False))
        return
    drafts = result.extra.get("drafts", 0)
    click.echo(f"{result.total} articles ({drafts} draft{'' if drafts == 1 else 's'} and "
               f"{result.extra.get('deleted', 0)} deleted not counted)")
    sections = (
        ("source", [(f"{names.get(k, k)} ({k})", c) for k, c in result.by_source]),
        ("tag", list(result.by_tag)),
        ("ticker", list(result.by_ticker)),
        ("sentiment", list(result.by_sentiment)),
        ("year", list(result.by_year) + [(UNKNOWN_DATE, result.extra["undated"])]
         * bool(result.extra.get("undated"))),
    )
    for title, rows in sections:
        click.echo(f"\nby {title}:")
        width = max((len(label) for label, _ in rows), default=0)
        for label, count in rows:
            click.echo(f"  {label:<{width}}  {count:>6}")


COMMANDS = [search, stats]
