"""Saved searches ("watches"): a plain YAML file in the home folder that people can read and edit.

``<home>/watches.yaml``::

    # newsarchive saved searches ...
    watches:
    - name: kestrel
      search:                   # the search page's parameters (q, source, tag, from, ...)
        q: kestrel
        source: [ledgerwire]
      created: '2026-12-03T10:00:00.000Z'
      last_run: '2026-12-03T11:00:00.000Z'   # `newsarchive watch run` moves it
      webhook: https://hooks.example/news  # optional: POSTed each new match (JSON)
      command: notify-send               # optional: run once per new match

This module only reads and writes the file (atomically); what a watch finds is the index's
business (``SearchService.new_since``), wired by ``scripts/cmd_watch.py``. Unknown keys of a
watch survive a rewrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import yaml

from archive.article import format_datetime
from archive.errors import InputError, NotFound
from archive.store import atomic_write_text

WATCHES_FILE = "watches.yaml"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
HEADER = """\
# newsarchive saved searches ("watches"). Edit freely: each has a name, the search (the search
# page's parameters), and optionally a webhook (a URL each new match is POSTed to, as JSON) and a
# command (run once per new match, the match as JSON on its input). `newsarchive watch run`
# reports what each found since its last_run and moves last_run; `newsarchive watch add` and
# `newsarchive watch remove` change this file too.
"""


@dataclass(frozen=True)
class Watch:
    name: str
    #: parameter -> values, as the search page takes them
    search: dict[str, list[str]]
    created: datetime
    last_run: datetime | None = None
    webhook: str | None = None
    command: str | None = None
    #: keys of the file this version does not know, kept as they are
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def since(self) -> datetime:
        return self.last_run or self.created


def watches_path(home: Path) -> Path:
    return Path(home) / WATCHES_FILE


def check_name(name: str) -> str:
    if not _NAME.match(name or ""):
        raise InputError(f"a watch name is letters, digits, - and _ (at most 64, starting with a "
                         f"letter or digit), not {name[:40]!r}")
    return name


def load_watches(home: Path) -> list[Watch]:
    """The watches of a home (none when there is no file). ``InputError`` names what is wrong."""
    path = watches_path(home)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}") from None
    rows = data.get("watches") if isinstance(data, dict) else None
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise InputError(f"{path}: 'watches' must be a list")
    out, seen = [], set()
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise InputError(f"{path}: watch {n} is not a mapping")
        try:
            watch = _watch_of(row)
        except (InputError, ValueError, TypeError) as exc:
            message = exc.message if isinstance(exc, InputError) else str(exc)
            raise InputError(f"{path}: watch {n} ({str(row.get('name'))[:40]}): {message}") from None
        if watch.name in seen:
            raise InputError(f"{path}: two watches are named {watch.name!r}")
        seen.add(watch.name)
        out.append(watch)
    return out


def _instant(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = str(value)
    text = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _watch_of(row: dict) -> Watch:
    known = {"name", "search", "created", "last_run", "webhook", "command"}
    search = row.get("search") or {}
    if not isinstance(search, dict):
        raise InputError("'search' must map parameters to values")
    params = {str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs]) if v is not None]
              for k, vs in search.items()}
    created = _instant(row.get("created")) or datetime(1970, 1, 1, tzinfo=timezone.utc)
    for key in ("webhook", "command"):
        if row.get(key) is not None and not isinstance(row.get(key), str):
            raise InputError(f"'{key}' must be text")
    return Watch(name=check_name(str(row.get("name", ""))), search=params, created=created,
                 last_run=_instant(row.get("last_run")), webhook=row.get("webhook") or None,
                 command=row.get("command") or None,
                 extra={k: v for k, v in row.items() if k not in known})


def now_ms() -> datetime:
    """Now in UTC, cut to the millisecond (the precision of ``ingestedAt`` in the files): a run
    reports what was ingested up to this instant and the next starts from it, so a match is
    never reported twice nor skipped."""
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def stamp(value: datetime | None) -> str | None:
    """An instant as the file writes it (``2026-12-03T11:00:00.000Z``)."""
    return None if value is None else format_datetime(value.astimezone(timezone.utc))


def _row_of(watch: Watch) -> dict:
    search = {k: (v[0] if len(v) == 1 else list(v)) for k, v in watch.search.items() if v}
    row: dict[str, Any] = {"name": watch.name, "search": search, "created": stamp(watch.created),
                           "last_run": stamp(watch.last_run)}
    if watch.webhook:
        row["webhook"] = watch.webhook
    if watch.command:
        row["command"] = watch.command
    row.update(watch.extra)
    return row


def save_watches(home: Path, watches: Iterable[Watch]) -> None:
    """Write the file anew (temp file + rename: a crash leaves the old one whole)."""
    rows = [_row_of(w) for w in watches]
    text = HEADER + yaml.safe_dump({"watches": rows}, sort_keys=False, allow_unicode=True,
                                   default_flow_style=False)
    Path(home).mkdir(parents=True, exist_ok=True)
    atomic_write_text(watches_path(home), text)


def add_watch(home: Path, watch: Watch) -> None:
    watches = load_watches(home)
    if any(w.name == watch.name for w in watches):
        raise InputError(f"there is already a watch named {watch.name!r} (remove it first)")
    save_watches(home, [*watches, watch])


def remove_watch(home: Path, name: str) -> None:
    watches = load_watches(home)
    if not any(w.name == name for w in watches):
        raise NotFound(f"no watch named {name[:40]!r}")
    save_watches(home, [w for w in watches if w.name != name])


def find_watch(home: Path, name: str) -> Watch:
    for watch in load_watches(home):
        if watch.name == name:
            return watch
    raise NotFound(f"no watch named {name[:40]!r}")


def mark_run(home: Path, names_run: dict[str, datetime]) -> None:
    """Move ``last_run`` of the named watches (the file is read again: edits meanwhile stay)."""
    watches = [replace(w, last_run=names_run[w.name]) if w.name in names_run else w
               for w in load_watches(home)]
    save_watches(home, watches)
