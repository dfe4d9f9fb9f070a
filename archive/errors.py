"""Every error the product raises on purpose, in one place.

Each one carries a message a person can act on. The command line turns them into
``click.ClickException``; the web layer into 400/404/503 pages or the JSON error envelope.
"""

from __future__ import annotations


class NewsarchiveError(Exception):
    """Base class: something the user can fix or should know about; never a bug."""

    #: HTTP status the web layer answers with when this error reaches it.
    status = 400

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: what the error is about (a path, a URL, an input name), when known
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class InputError(NewsarchiveError):
    """An input cannot be turned into an article (empty, binary, too big, wrong encoding...)."""


class FormatError(InputError):
    """An article file or its frontmatter is not valid (broken YAML, missing title...)."""


class OutOfRange(FormatError):
    """A value of the right kind that an article cannot hold: a date outside the years 1-9999 in
    UTC, a number that is not finite or is beyond its field's range."""


class FetchError(InputError):
    """A URL could not be fetched (unreachable, slow, 404, too big, not HTML...)."""


class StoreError(NewsarchiveError):
    """The archive folder cannot be read or written."""

    status = 503


class NotFound(NewsarchiveError):
    """No article with that id (or no such page)."""

    status = 404


class QueryError(NewsarchiveError):
    """A search query or its parameters cannot be understood; the message explains why."""


class IndexUnavailable(NewsarchiveError):
    """The index is missing, locked for too long, or from an older schema (run reindex)."""

    status = 503


class IndexWriteError(NewsarchiveError):
    """The index could not be written (a full disk, a read-only home): the previous index is
    still the one in use."""


class TimeLimitExceeded(InputError):
    """One page's extraction ran past its time limit (``archive.timelimit``)."""


class ClusterUnavailable(NewsarchiveError):
    """The Dask cluster asked for cannot be reached, or dask is not installed."""
