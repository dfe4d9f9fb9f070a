"""``newsarchive ingest``: take articles in from URLs, files, folders or stdin, then index them.

The work is ``archive.ingest.ingest``; this module reads the options, shows progress, prints
one line per article and a summary (or ``--json``), and updates the search index so that what
was saved is searchable at once. Exit status 1 if any input failed or the index could not be
updated (the article files are saved either way: they are the source of truth).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from archive.article import Article
from archive.errors import NewsarchiveError
from archive.ingest import FORMATS, expand_inputs
from archive.pipeline import INDEX_BATCH, SLICE_RECORDS
from archive.types import IngestOptions, InputResult
from archive.store import SaveResult, Store
from scripts.common import friendly_errors, home_option

STATUSES = ("created", "updated", "unchanged", "failed")
#: seconds one page's extraction may take, unless ``--extract-timeout`` says otherwise
DEFAULT_EXTRACT_TIMEOUT = 30.0


def parse_date_option(value: str | None) -> tuple[date | None, int | None]:
    """``--date``: ``YYYY-MM-DD`` (a date, and its year as context) or ``YYYY`` (context only)."""
    if value is None:
        return None, None
    text = value.strip()
    if re.fullmatch(r"\d{4}", text):
        return None, int(text)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text), None
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD, or YYYY for the year only",
                                 param_hint="'--date'") from None


def parse_mapping(values: tuple[str, ...]) -> dict[str, str]:
    """``--map FIELD=KEY`` (repeatable) -> ``{FIELD: KEY}``; FIELD is one of the bulk fields."""
    if not values:
        return {}
    from archive.importers.bulk import FIELDS

    mapping: dict[str, str] = {}
    for value in values:
        field, sep, key = value.partition("=")
        field, key = field.strip(), key.strip()
        if not sep or not field or not key:
            raise click.BadParameter(f"{value!r}: write FIELD=KEY, e.g. title=headline",
                                     param_hint="'--map'")
        if field not in FIELDS:
            raise click.BadParameter(f"{field!r} is not a field; use one of {', '.join(FIELDS)}",
                                     param_hint="'--map'")
        mapping[field] = key
    return mapping


def parse_value_mapping(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``--map-value FIELD:FROM=TO`` (repeatable) -> ``{FIELD: {FROM: TO}}``."""
    if not values:
        return {}
    from archive.importers.bulk import FIELDS

    mapping: dict[str, dict[str, str]] = {}
    for value in values:
        field, colon, rest = value.partition(":")
        source, equals, target = rest.partition("=")
        field, source, target = field.strip(), source.strip(), target.strip()
        if not colon or not equals or not field or not source:
            raise click.BadParameter(f"{value!r}: write FIELD:FROM=TO, e.g. sentiment:bullish=POSITIVE",
                                     param_hint="'--map-value'")
        if field not in FIELDS:
            raise click.BadParameter(f"{field!r} is not a field; use one of {', '.join(FIELDS)}",
                                     param_hint="'--map-value'")
        mapping.setdefault(field, {})[source] = target
    return mapping


def open_store(home: Path) -> Store:
    """The store of a batch: existing articles found through the index, not a folder scan (a
    module-level function, so worker processes can be handed it)."""
    return _IndexedStore(home)


class _IndexedStore(Store):
    def __init__(self, home: Path) -> None:
        from index.locate import IndexLocator

        self.locator = IndexLocator(home)
        super().__init__(home, locate=self.locator)

    def close(self) -> None:
        self.locator.close()


class IndexUpdater:
    """Sends saved articles to the search index in large batches; remembers the first failure."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.indexed = 0
        self.error: str | None = None
        self.pending: list[tuple[Path, Article]] = []
        #: ``(path, reason)`` of saved articles the index refused (a value it cannot hold)
        self.refused: list[tuple[str, str]] = []
        self.locator: Any = None  # index.locate.IndexLocator, for ``missing``

    def add(self, saved: SaveResult) -> None:
        """One saved article (``reextract``), sent with the others in ``INDEX_BATCH``es."""
        if saved.status != "unchanged":
            self.pending.append((saved.path, saved.article))
        if len(self.pending) >= INDEX_BATCH:
            self.flush()

    def flush(self) -> None:
        items, self.pending = self.pending, []
        self(items)

    def __call__(self, items: list[tuple[Path, Article]]) -> None:
        if not items or self.error is not None:
            return
        try:
            refused = index_articles(self.home, items)
        except NewsarchiveError as exc:
            reason = str(exc)
        except OSError as exc:
            reason = f"cannot write {exc.filename or 'the index'}: {exc.strerror or exc}"
        except Exception as exc:  # noqa: BLE001 - the files are saved; say so rather than crash
            reason = f"unexpected error ({type(exc).__name__}: {exc})"
        else:
            self.indexed += len(items) - len(refused)
            self.refused.extend(refused)
            return
        self.error = f"{reason}; the articles are saved, run `newsarchive reindex --changed`"

    def missing(self, results: list[InputResult]) -> list[InputResult]:
        """The saved articles the index does not hold at their path (a run killed before its
        index update); the batch reads them back from their files."""
        if self.locator is None:
            from index.locate import IndexLocator

            self.locator = IndexLocator(self.home)
        return [r for r in results if r.id and self.locator(r.id) != Path(r.path or "")]

    def close(self) -> None:
        if self.locator is not None:
            self.locator.close()
            self.locator = None

    def to_dict(self) -> dict[str, Any]:
        return {"updated": self.indexed, "error": self.error,
                "refused": [{"path": p, "error": e} for p, e in self.refused]}


def index_articles(home: Path, items: list[tuple[Path, Article]]) -> list[tuple[str, str]]:
    """Add or replace saved articles in the index: the one place ingest writes to it. Returns
    ``(path, reason)`` of the articles the index refused (the others are indexed)."""
    from index.build import update_documents

    return update_documents(home, items)


def _progress(total: int, quiet: bool) -> Any:
    """A tqdm bar on stderr counting records, only when stderr is a terminal; else ``None``."""
    if quiet or total < 2 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="record", file=sys.stderr, dynamic_ncols=True, leave=False,
                smoothing=0.1)


#: with a progress bar on a terminal, a batch of more records than this does not list each
#: article on the terminal (the bar and the summary say it all; ``--list`` lists them anyway)
LIST_LIMIT = 50


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Titles and errors come from untrusted input: no terminal escape sequences reach the screen."""
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text.replace("\n", " ").replace("\t", " "))


def _display_path(path: str | None, home: Path) -> str:
    if path is None:
        return ""
    try:
        return str(Path(path).relative_to(home))
    except ValueError:
        return path


@click.command()
@home_option
@click.argument("inputs", nargs=-1, required=True, metavar="URL|FILE|DIR|- ...")
@click.option("--feed", is_flag=True,
              help="Read URLs as RSS/Atom feeds: every entry's page is fetched and extracted.")
@click.option("--source", metavar="NAME",
              help="Source (outlet) name for inputs that do not name one, e.g. 'CoinDesk'.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD|YYYY",
              help="Publication date for inputs without one; YYYY gives only the year in which "
                   "a date like 'Feb. 4' in the text is read.")
@click.option("--tag", "tags", multiple=True, metavar="TAG",
              help="Add this tag to every article (repeatable).")
@click.option("--format", "shape", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="Input shape; 'auto' guesses from the file name and the first bytes.")
@click.option("--map", "mappings", multiple=True, metavar="FIELD=KEY",
              help="Bulk JSON/CSV: read FIELD from the record's KEY, e.g. title=headline "
                   "or source=source.name (repeatable).")
@click.option("--map-value", "value_mappings", multiple=True, metavar="FIELD:FROM=TO",
              help="Bulk JSON/CSV: read the export's value FROM of FIELD as TO, e.g. "
                   "sentiment:bullish=POSITIVE (repeatable; an empty TO drops the value).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes for a large batch [default: one per core].")
@click.option("--cluster", metavar="tcp://HOST:8786", envvar="NEWSARCHIVE_CLUSTER", default=None,
              help="Run the units of work as tasks on this Dask scheduler (needs "
                   "newsarchive[cluster]; HOME and the inputs at the same paths on every worker).")
@click.option("--extract-timeout", type=click.FloatRange(min=0), default=DEFAULT_EXTRACT_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="Time limit for extracting one page; a page over it fails alone (0: no limit).")
@click.option("--allow-private-addresses", is_flag=True,
              help="Fetch loopback, private and link-local addresses too (an intranet archive; "
                   "also NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES=1, or =NETWORK,... for some only).")
@click.option("--slice-records", type=click.IntRange(min=1), default=SLICE_RECORDS, hidden=True,
              help="Records per unit of work of a JSON lines or CSV file (tests, tuning).")
@click.option("--list", "list_all", is_flag=True,
              help="List every article even when a progress bar runs on a terminal.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the results and the summary as JSON (for scripts).")
@click.option("--quiet", "-q", is_flag=True, help="Print only failures.")
@friendly_errors
def ingest(home: Path, inputs: tuple[str, ...], feed: bool, source: str | None,
           date_text: str | None, tags: tuple[str, ...], shape: str, mappings: tuple[str, ...],
           value_mappings: tuple[str, ...], workers: int | None, cluster: str | None,
           extract_timeout: float, allow_private_addresses: bool,
           slice_records: int, list_all: bool, as_json: bool, quiet: bool) -> None:
    """Take articles in from URLs, files, folders or stdin (-) and index them.

    Each input becomes one Markdown file per article under HOME/articles (a feed, a bulk
    export or a WARC file gives many). Ingesting the same input again changes nothing; a changed
    version updates the file, keeping its id and ingestedAt. Folders are read recursively
    (.md, .txt, .html, .xml/.rss/.atom, .json/.jsonl/.csv, .warc). One bad input never stops the
    batch: the summary lists every failure with its reason, and the exit status is 1 if
    anything failed. Saved articles are searchable at once (the index is updated).

    \b
    Examples:
      newsarchive ingest article.md saved-page.html
      newsarchive ingest --source CoinDesk --date 2026 copied.txt
      newsarchive ingest --feed https://example.com/rss.xml
      newsarchive ingest --map title=headline --map body=content export.csv
      pbpaste | newsarchive ingest --source Reuters -
    """
    published, year = parse_date_option(date_text)
    options = IngestOptions(
        home=home,
        source=source.strip() if source and source.strip() else None,
        date=published,
        year=year,
        tags=tuple(t.strip() for t in tags if t.strip()),
        format=shape,
        feed=feed,
        mapping=parse_mapping(mappings),
        value_mapping=parse_value_mapping(value_mappings),
        extract_timeout=extract_timeout or None,
        fetch={"allow_private": True} if allow_private_addresses else {},
    )
    if inputs.count("-") > 1:
        raise click.BadParameter("stdin (-) can be read only once", param_hint="INPUTS")
    skipped: list[tuple[str, str]] = []
    items = list(expand_inputs(inputs, skipped))
    if not as_json:
        for path, reason in skipped:
            click.echo(_printable(f"skipped {path}: {reason}"), err=True)
    if not items:
        raise click.ClickException(
            "nothing to ingest: the folders given hold no files of a supported kind "
            "(.md, .txt, .html, .xml, .rss, .atom, .json, .jsonl, .csv, .warc)")
    from archive.importers.bulk import check_mapping, check_value_mapping
    from archive.pipeline import BatchReport, UnitContext, plan_units, run_batch

    check_mapping(options.mapping)
    check_value_mapping(options.value_mapping)
    units = plan_units(items, options, slice_records=slice_records)
    updater = IndexUpdater(home)
    results: list[InputResult] = []
    total = sum(u.records for u in units)
    bar = _progress(total, quiet or as_json)
    each = not quiet and not as_json and (list_all or bar is None or not sys.stdout.isatty()
                                          or total <= LIST_LIMIT)
    counts = dict.fromkeys(STATUSES, 0)

    def advance(unit: Any, done: Any) -> None:
        if bar is None:
            return
        if done.records != unit.records:
            bar.total += done.records - unit.records
        for result in done.results:
            counts[result.status] += 1
        bar.set_postfix_str(f"{counts['created']} created, {counts['updated']} updated, "
                            f"{counts['failed']} failed", refresh=False)
        bar.update(done.records)

    report = BatchReport()
    runner = None
    if cluster:
        from archive.cluster import dask_runner

        runner = dask_runner(cluster)
    try:
        for result in run_batch(units, UnitContext(home, options, open_store), index=updater,
                                missing=updater.missing, workers=workers, runner=runner,
                                on_unit=advance, report=report):
            results.append(result)
            if as_json:
                continue
            if result.status == "failed":
                message = _printable(f"failed     {result.input}: {result.error}")
                if bar is not None:
                    bar.write(message, file=sys.stderr)
                else:
                    click.echo(message, err=True)
            elif each:
                line = _printable(f"{result.status:<10} {_display_path(result.path, home)}  {result.title}")
                if bar is not None:
                    bar.write(line, file=sys.stdout)
                else:
                    click.echo(line)
    finally:
        updater.close()
        if bar is not None:
            bar.close()

    summary = {status: sum(1 for r in results if r.status == status) for status in STATUSES}
    failed = summary["failed"] > 0 or updater.error is not None or bool(updater.refused)
    if as_json:
        click.echo(json.dumps({
            "results": [r.to_dict() for r in results],
            "skipped": [{"input": path, "reason": reason} for path, reason in skipped],
            "summary": summary,
            "index": updater.to_dict(),
            "batch": {"units": report.units, "resumed": report.resumed, "workers": report.workers,
                      "records": report.records, **({"cluster": cluster} if cluster else {})},
        }, indent=2, ensure_ascii=False))
    else:
        for path, reason in updater.refused:
            click.echo(_printable(f"not indexed: {path}: {reason}"), err=True)
        if updater.error is not None:
            click.echo(f"index not updated: {updater.error}", err=True)
        if not quiet or failed:
            click.echo(", ".join(f"{summary[s]} {s}" for s in STATUSES), err=failed and quiet)
    if failed:
        raise SystemExit(1)


COMMANDS = [ingest]
