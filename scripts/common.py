"""What every command shares: the ``--home`` option and turning domain errors into messages."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import click

from archive.errors import NewsarchiveError
from archive.home import ENV_HOME, default_home, resolve_home


def home_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--home DIR`` (or ``$NEWSARCHIVE_HOME``), defaulting to ``~/.local/share/newsarchive``."""
    return click.option(
        "--home",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=ENV_HOME,
        default=default_home,
        show_default="$NEWSARCHIVE_HOME or ~/.local/share/newsarchive",
        help="Home folder of the archive (articles/, raw/, index/).",
        callback=lambda _ctx, _param, value: resolve_home(value),
    )(func)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Domain errors become one clear line on stderr and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NewsarchiveError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


#: (option, parameter name of the search page, help) of the filters every search command takes
_FILTERS = (
    ("--source", "sources", "source", "KEY", "Only this source (repeatable: any of them)."),
    ("--tag", "tags", "tag", "TAG", "Only articles with this tag (repeatable: any of them)."),
    ("--sentiment", "sentiments", "sentiment", "S", "Only this sentiment (repeatable)."),
    ("--category", "categories", "category", "C", "Only this category (repeatable)."),
    ("--lang", "langs", "lang", "CODE", "Only this language, e.g. en (repeatable)."),
)


def search_filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The search filters as options: the facets, ``--from``/``--to``, ``--sort``, ``--drafts``
    (``search_params`` turns them into the search page's parameters)."""
    options = [
        *(click.option(flag, dest, multiple=True, metavar=meta, help=text)
          for flag, dest, _, meta, text in _FILTERS),
        click.option("--from", "date_from", metavar="DATE", help="Published on or after (2026, 2026-02 or 2026-02-04)."),
        click.option("--to", "date_to", metavar="DATE", help="Published on or before (inclusive)."),
        click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="newest",
                     show_default=True, help="Order."),
        click.option("--drafts", is_flag=True, help="Include drafts."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def search_params(query: str, **filters: Any) -> dict[str, list[str]]:
    """The search page's parameters for a query and the options of ``search_filter_options``."""
    params: dict[str, list[str]] = {"q": [query] if query else []}
    for _, dest, param, _, _ in _FILTERS:
        params[param] = list(filters.get(dest) or ())
    for name, key in (("from", "date_from"), ("to", "date_to"), ("sort", "sort")):
        if filters.get(key):
            params[name] = [str(filters[key])]
    if filters.get("drafts"):
        params["drafts"] = ["1"]
    return {k: v for k, v in params.items() if v}
