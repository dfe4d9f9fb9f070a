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
