"""Article files on disk: parse and render the canonical Markdown, write atomically, find by id.

The files under ``<home>/articles/YYYY/MM/<slug>.<lang>.md`` are the archive's source of truth.
``parse_article``/``render_article`` are pure; ``Store`` does the disk work.

YAML is read with a loader stricter than PyYAML's safe one: no aliases (an alias bomb is refused
before it grows), no tags beyond the plain ones (``!!python/...`` is refused), and YAML 1.1's
surprises turned off: ``no``/``yes``/``on``/``off`` stay strings, ``007`` stays ``"007"``, dates stay
strings (the article fields parse their own dates). Writing quotes whatever a YAML 1.1 reader
could misread, so the file means the same to any tool.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

import frontmatter
import yaml

from archive import identity
from archive.article import Article, article_from_mapping, article_to_mapping, is_valid_id
from archive.errors import FormatError, InputError, NotFound, StoreError
from archive.home import resolve_home
from archive.identity import relative_path

__all__ = ["MAX_FILE_BYTES", "SaveResult", "Store", "atomic_write_bytes", "atomic_write_text",
           "decode_text", "dump_yaml", "load_yaml", "parse_article", "read_article", "read_id",
           "read_article_file", "relative_path", "render_article", "split_frontmatter"]

#: article files larger than this are refused (a news article is a few tens of KB)
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FRONTMATTER_BYTES = 256 * 1024
MAX_YAML_DEPTH = 32


# ---------------------------------------------------------------------------------------- YAML --

class YamlTimestamp(str):
    """A date or time written unquoted (``date: 2026-01-01``). Read as its text, like every date
    here (the article fields parse their own), and written back unquoted, so a tool that reads
    YAML timestamps still finds one where there was one, as key or as value."""


class YamlOmap(list):
    """A ``!!omap`` (ordered map): its ``(key, value)`` pairs, written back as an ``!!omap``."""

    tag = "tag:yaml.org,2002:omap"


class YamlPairs(list):
    """A ``!!pairs`` (pairs, keys may repeat): written back as ``!!pairs``."""

    tag = "tag:yaml.org,2002:pairs"


class _StrictMappings:
    """Mappings whose keys are unique: a key given twice (``1`` and ``true`` are one key to
    Python) would lose a value silently, so it is refused."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
                try:
                    earlier = seen.get(key)
                except TypeError:
                    raise yaml.constructor.ConstructorError(
                        None, None, "a map key must be a plain value, not a list or map",
                        key_node.start_mark) from None
                if earlier is not None:
                    raise yaml.MarkedYAMLError(
                        None, None, f"the key {key_node.value!r} is given twice (first at line "
                        f"{earlier.start_mark.line + 1})", key_node.start_mark)
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


def _construct_pairs(kind: type) -> Callable[[Any, Any], Any]:
    base = (yaml.constructor.SafeConstructor.construct_yaml_omap if kind is YamlOmap
            else yaml.constructor.SafeConstructor.construct_yaml_pairs)

    def construct(loader: Any, node: Any) -> Any:
        steps = base(loader, node)
        pairs = next(steps)
        for _ in steps:
            pass
        return kind(pairs)

    return construct


class ArticleYamlLoader(_StrictMappings, yaml.SafeLoader):
    """Safe loader with YAML 1.2-like scalars, unique keys and no aliases or anchors."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in frontmatter", event.start_mark
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "YAML anchors (&name) are not allowed in frontmatter", event.start_mark
            )
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"frontmatter is nested deeper than {MAX_YAML_DEPTH} levels",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


# Replace the implicit resolvers: booleans only true/false, ints without leading zeros,
# timestamps kept as their text (``YamlTimestamp``), floats as in YAML 1.2.
ArticleYamlLoader.yaml_implicit_resolvers = {}
_TIMESTAMP = next(regex for regex_tag, regex in yaml.resolver.Resolver.yaml_implicit_resolvers["0"]
                  if regex_tag == "tag:yaml.org,2002:timestamp")
ArticleYamlLoader.add_implicit_resolver("tag:yaml.org,2002:timestamp", _TIMESTAMP, list("0123456789"))
ArticleYamlLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                  lambda loader, node: YamlTimestamp(loader.construct_scalar(node)))
ArticleYamlLoader.add_constructor(YamlOmap.tag, _construct_pairs(YamlOmap))
ArticleYamlLoader.add_constructor(YamlPairs.tag, _construct_pairs(YamlPairs))
for _tag, _regex, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9_]*))$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    ArticleYamlLoader.add_implicit_resolver(_tag, re.compile(_regex), list(_first))


class ArticleYamlDumper(yaml.SafeDumper):
    """Block style, keys in the order given, long strings unwrapped, lists indented like the seeds."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)

    def represent_str(self, data: str) -> Any:
        # Multi-line strings as literal blocks. YAML's other line breaks (NEL, LS, PS) would be
        # read back as a newline or a space from a block or a single-quoted string: those strings
        # are double-quoted, where they are escapes. Strings a YAML 1.1 reader would take for
        # something else (``no``, ``007``, dates) need nothing here: the dumper's own resolver is
        # YAML 1.1's, so the emitter quotes them.
        if _OTHER_BREAKS.search(data):
            style: str | None = '"'
        else:
            style = "|" if "\n" in data else None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    def represent_timestamp(self, data: YamlTimestamp) -> Any:
        return self.represent_scalar("tag:yaml.org,2002:timestamp", str(data))

    def represent_pairs(self, data: YamlOmap | YamlPairs) -> Any:
        return self.represent_sequence(data.tag, [{key: value} for key, value in data])


_OTHER_BREAKS = re.compile("[\x85\u2028\u2029]")
ArticleYamlDumper.add_representer(str, ArticleYamlDumper.represent_str)
ArticleYamlDumper.add_representer(YamlTimestamp, ArticleYamlDumper.represent_timestamp)
ArticleYamlDumper.add_representer(YamlOmap, ArticleYamlDumper.represent_pairs)
ArticleYamlDumper.add_representer(YamlPairs, ArticleYamlDumper.represent_pairs)


# Fast path: libyaml (about 12x faster; parsing is most of a reindex's reading time) for texts
# that cannot contain what the strict loader refuses: no anchor, alias or tag indicator
# (``&``, ``*``, ``!`` at the start of a node), few nesting indicators, and a result no deeper
# than the limit. Anything else, and any libyaml error, goes to the strict loader, which gives
# the result or the explained error; so the fast path changes speed, never outcomes.
_NODE_PROPERTY = re.compile(r"(?:^|[\s\[{,])[&*!]")
_MAX_FAST_INDICATORS = 2000
_FastYamlLoader = None
if getattr(yaml, "__with_libyaml__", False):
    class _FastYamlLoader(_StrictMappings, yaml.CSafeLoader):  # type: ignore[no-redef]
        pass

    _FastYamlLoader.yaml_implicit_resolvers = ArticleYamlLoader.yaml_implicit_resolvers
    _FastYamlLoader.yaml_constructors = ArticleYamlLoader.yaml_constructors


def _depth(value: Any, level: int = 1) -> int:
    if isinstance(value, dict):
        return max((max(_depth(k, level + 1), _depth(v, level + 1)) for k, v in value.items()),
                   default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def _load_yaml_fast(text: str) -> Any:
    """The parsed text, or ``_NOT_FAST`` when the strict loader must decide."""
    if _FastYamlLoader is None or _NODE_PROPERTY.search(text):
        return _NOT_FAST
    if sum(text.count(c) for c in "[{-:?") > _MAX_FAST_INDICATORS:
        return _NOT_FAST
    try:
        data = yaml.load(text, Loader=_FastYamlLoader)  # noqa: S506 - a CSafeLoader
    except (yaml.YAMLError, RecursionError):
        return _NOT_FAST
    return data if _depth(data) <= MAX_YAML_DEPTH else _NOT_FAST


_NOT_FAST = object()


def load_yaml(text: str) -> Any:
    if len(text.encode("utf-8")) > MAX_FRONTMATTER_BYTES:
        raise FormatError(f"the frontmatter is larger than {MAX_FRONTMATTER_BYTES // 1024} KB")
    data = _load_yaml_fast(text)
    if data is not _NOT_FAST:
        return data
    try:
        return yaml.load(text, Loader=ArticleYamlLoader)  # noqa: S506 - our loader is a SafeLoader
    except yaml.constructor.ConstructorError as exc:
        tag = getattr(exc, "problem", "") or ""
        raise FormatError(f"the frontmatter uses a YAML tag that is not allowed ({tag.strip()})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        content = text.rstrip("\n")
        if mark and mark.index >= len(content):  # at the end: say where the last line ends
            where = f" at line {content.count(chr(10)) + 1}, column {len(content) - content.rfind(chr(10))}"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FormatError(f"the frontmatter is not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise FormatError("the frontmatter is nested too deeply") from None


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=ArticleYamlDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
    )


# -------------------------------------------------------------------------- parse and render --

_FM_HANDLER = frontmatter.YAMLHandler()


#: the block: the opening line, then the lines up to the first closing ``---`` line, each with
#: its line end (a literal block scalar at the end keeps its final newline)
_FRONTMATTER = re.compile(r"\A---[ \t]*\r?\n(|.*?\n)---[ \t]*(?:\r?\n|\Z)", re.S)


def split_frontmatter(text: str) -> tuple[str, str] | None:
    """``(yaml, body)`` of a text that starts with a ``---`` block, else ``None``. The body is
    kept exactly (python-frontmatter would strip it), apart from the newline after ``---``."""
    text = text.lstrip("\ufeff")
    if not _FM_HANDLER.detect(text):
        return None
    match = _FRONTMATTER.match(text)
    if not match:
        return None
    return match.group(1), text[match.end():]


def decode_text(data: bytes, *, name: str | None = None) -> str:
    """Bytes of a text file as str: UTF-8 (with or without BOM), refusing binary data."""
    if b"\x00" in data[:8192]:
        raise InputError("this is a binary file, not text", source=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the file is not valid UTF-8 (byte {exc.start}); convert it to UTF-8 first", source=name
        ) from None


def parse_article(text: str, *, name: str | None = None) -> Article:
    """A canonical article file's text as an ``Article``. Raises ``FormatError`` with the reason."""
    parts = split_frontmatter(text)
    if parts is None:
        raise FormatError("the file has no YAML frontmatter block (--- ... ---)", source=name)
    fm_text, body = parts
    try:
        meta = load_yaml(fm_text)
        if meta is None:
            raise FormatError("the frontmatter is empty")
        return article_from_mapping(meta, body.replace("\r\n", "\n"))
    except FormatError as exc:
        raise FormatError(exc.message, source=name) from None


def render_article(article: Article) -> str:
    """The canonical file text: ``---``, the frontmatter in canonical key order, ``---``, the body
    with exactly one newline at the end. A value no reader could get back (see
    ``article_to_mapping``; a body with NUL characters or lone surrogates) is a ``FormatError``
    naming it, never a file."""
    body = article.body.replace("\r\n", "\n").strip("\n")
    if "\x00" in body:
        raise FormatError("the body holds NUL characters; a text file cannot", source=article.title)
    try:
        body.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise FormatError(f"the body holds a lone surrogate (U+{ord(body[exc.start]):04X}) that "
                          "UTF-8 cannot store", source=article.title) from None
    return f"---\n{dump_yaml(article_to_mapping(article))}---\n" + (f"{body}\n" if body else "")


# ----------------------------------------------------------------------------------- writing --

def atomic_write_text(path: Path, text: str) -> None:
    """``atomic_write_bytes`` of the text in UTF-8."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``: a reader
    (or a crash) sees the old file or the new one, never half of one."""
    with atomic_writer(path) as handle:
        handle.write(data)


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` in pieces (a stream too large to hold): a temporary file
    in the same folder, fsynced and renamed over ``path`` when the block ends; removed, and
    ``path`` untouched, when it raises."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_article(path: Path) -> Article:
    """Read and parse one article file; every failure is a ``FormatError``/``InputError``."""
    return read_article_file(path)[1]


def read_article_file(path: Path) -> tuple[bytes, Article]:
    """The file's bytes and its article (for those who compare bytes, like ``verify``)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"the file is {size // 1024 // 1024} MB; articles are limited to "
                             f"{MAX_FILE_BYTES // 1024 // 1024} MB", source=str(path))
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", source=str(path)) from None
    return data, parse_article(decode_text(data, name=str(path)), name=str(path))


# ------------------------------------------------------------------------------------- store --

_ID_LINE = re.compile(r"^id:[ \t]*['\"]?([A-Za-z0-9_-]+)['\"]?[ \t]*$", re.M)
_FENCE = re.compile(r"\r?\n---[ \t]*(?:\r?\n|\Z)")

#: the journal is rewritten with one line per id when it grows past this
JOURNAL_COMPACT_BYTES = 8 * 1024 * 1024
#: how long a save waits for another process's save (one article's decision and write)
LOCK_TIMEOUT = 30.0


@dataclass(frozen=True)
class SaveResult:
    status: str  # "created" | "updated" | "unchanged"
    path: Path
    article: Article


class Store:
    """The article files under ``<home>/articles``: iterate, find by id, save (create or update).

    Which article an input is and where its file goes is ``archive.identity``'s decision;
    ``save`` takes the home's write lock (``.articles.lock``, across processes), asks
    ``identity.place`` and writes, so two processes saving versions of one article never leave
    two files with one id. Every save also appends ``id<TAB>path`` to ``.articles.ids``, a
    journal the other processes read under the lock: what another ingest wrote since their index
    was opened is found there (the index itself is updated after the files, in batches). The
    journal is a cache like the index: every answer is checked against the file's ``id:`` line."""

    def __init__(self, home: Path | str, *, locate: Callable[[str], Path | None] | None = None) -> None:
        """``locate`` is a faster way to find an article's file by id than reading the head of
        every file (the command line passes the search index's stored paths). Its answers are
        checked against the file's own ``id:`` line; when it knows nothing, ``save`` looks at the
        path the article would have. Without it, the first lookup reads the whole folder."""
        self.home = resolve_home(home)
        self.articles_dir = self.home / "articles"
        self._paths_by_id: dict[str, Path] | None = None
        self._locate = locate
        #: ids found, written, or read from the journal (on top of the locator or the catalogue)
        self._known: dict[str, Path] = {}
        self._journal_state: tuple[int, int] = (0, 0)  # (inode, bytes read)
        self._journal_floor = 0  # its size after the last compaction

    @property
    def knows_every_file(self) -> bool:
        """True when ``path_of`` answers from a reading of every file (no locator)."""
        return self._locate is None

    # -- reading
    def iter_paths(self) -> Iterator[Path]:
        """Every article file, in a stable order (temporary files of unfinished writes skipped)."""
        if not self.articles_dir.is_dir():
            return iter(())
        return iter(sorted(p for p in self.articles_dir.rglob("*.md") if not p.name.startswith(".")))

    def iter_articles(self) -> Iterator[tuple[Path, Article | None, Exception | None]]:
        for path, _, article, error in self.iter_files():
            yield path, article, error

    def iter_files(self) -> Iterator[tuple[Path, bytes | None, Article | None, Exception | None]]:
        """Every article file with its bytes and its article, or the error that stopped it."""
        for path in self.iter_paths():
            try:
                data, article = read_article_file(path)
            except (InputError, FormatError) as exc:
                yield path, None, None, exc
            else:
                yield path, data, article, None

    def _catalog(self) -> dict[str, Path]:
        """id -> path, from each file's ``id:`` line (cheap: no YAML parse)."""
        if self._paths_by_id is None:
            catalog: dict[str, Path] = {}
            for path in self.iter_paths():
                found = read_id(path)
                if found:
                    catalog.setdefault(found, path)
            self._paths_by_id = catalog
        return self._paths_by_id

    def path_of(self, article_id: str) -> Path | None:
        """The file holding ``article_id`` (its ``id:`` line says so), or ``None``."""
        if not is_valid_id(article_id):
            return None
        known = self._known.get(article_id)
        if known is not None and read_id(known) == article_id:
            return known
        if self._locate is None:
            path = self._catalog().get(article_id)
        else:
            path = self._locate(article_id)
        if path is not None and read_id(path) == article_id:
            self._known[article_id] = path
            return path
        return None

    def id_at(self, path: Path) -> str | None:
        return read_id(path)

    def read(self, path: Path) -> Article | None:
        """The article of a file, ``None`` if it cannot be read or parsed."""
        try:
            return read_article(path)
        except (InputError, FormatError):
            return None

    def get(self, article_id: str) -> Article:
        path = self.path_of(article_id)
        if path is None or not path.exists():
            raise NotFound(f"no article with id {article_id!r}")
        return read_article(path)

    # -- writing
    def save(self, article: Article, *, trust_id: bool = True) -> SaveResult:
        """Create the article's file, or update the existing one with the same id.

        ``trust_id=False`` when the article's id came with an input (see ``archive.identity``).
        An update keeps ``id`` and ``ingestedAt``; if nothing but volatile fields changed the file
        is left alone (``unchanged``). A changed title or date moves the file (new path written
        first, then the old one removed: a crash in between leaves two copies with the same id,
        which ``newsarchive verify`` reports, never zero)."""
        with self._locked():
            self._read_journal()
            return self.write(identity.place(article, self, trust_id=trust_id))

    def write(self, placement: identity.Placement) -> SaveResult:
        """Write what ``identity.place`` decided (with the lock held)."""
        article, target, previous, old = (placement.article, placement.path, placement.previous,
                                           placement.old)
        if old is not None and _same_content(old, article):
            return SaveResult("unchanged", previous or target, old)
        article_id = article.id or ""
        try:
            atomic_write_text(target, render_article(article))
            if previous is not None and previous != target and read_id(previous) == article_id:
                previous.unlink(missing_ok=True)
                _fsync_dir(previous.parent)
        except OSError as exc:
            raise StoreError(f"cannot write {target}: {exc.strerror}") from None
        self._known[article_id] = target
        if self._paths_by_id is not None:
            self._paths_by_id[article_id] = target
        self._append_journal(article_id, target)
        return SaveResult(placement.status, target, article)

    # -- the lock and the journal
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The home's write lock, across processes. A home that cannot be written to is not
        locked: nothing can be written there either, and the write says so."""
        try:
            self.articles_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            yield
            return
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError(f"another process has held {self._lock_path} "
                                         f"for more than {LOCK_TIMEOUT:.0f} s") from None
                    time.sleep(0.005)
            yield
        finally:
            os.close(fd)  # releases the lock

    @property
    def _lock_path(self) -> Path:
        return self.home / ".articles.lock"

    @property
    def _journal(self) -> Path:
        return self.home / ".articles.ids"

    def _read_journal(self) -> None:
        """What other processes saved since the last look (read with the lock held)."""
        try:
            with self._journal.open("rb") as handle:
                st = os.fstat(handle.fileno())
                inode, size = st.st_ino, st.st_size
                seen_inode, offset = self._journal_state
                if inode != seen_inode or size < offset:
                    offset = 0  # a new journal (compacted, or the first look)
                handle.seek(offset)
                data = handle.read()
        except OSError:
            return
        complete = data[: data.rfind(b"\n") + 1]
        self._journal_state = (inode, offset + len(complete))
        for line in complete.decode("utf-8", "replace").splitlines():
            article_id, _, rel = line.partition("\t")
            if article_id and rel:
                self._known[article_id] = self.home / rel

    def _append_journal(self, article_id: str, path: Path) -> None:
        try:
            with self._journal.open("ab") as handle:
                if handle.tell() != self._journal_state[1]:  # a half line left by a crash: end it
                    handle.write(b"\n")
                handle.write(self._journal_line(article_id, path))
                self._journal_state = (os.fstat(handle.fileno()).st_ino, handle.tell())
            if self._journal_state[1] > max(JOURNAL_COMPACT_BYTES, 2 * self._journal_floor):
                self._compact_journal()
        except (OSError, ValueError):
            pass  # the journal is a cache: without it the index and the paths still find files

    def _journal_line(self, article_id: str, path: Path) -> bytes:
        return f"{article_id}\t{path.relative_to(self.home).as_posix()}\n".encode("utf-8")

    def _compact_journal(self) -> None:
        """One line per id (the latest), written aside and renamed over the journal; the other
        processes see a new file and read it from the start."""
        data = b"".join(self._journal_line(i, p) for i, p in self._known.items()
                        if p.is_relative_to(self.home))
        self._journal_floor = len(data)
        if 2 * len(data) > self._journal_state[1]:
            return  # mostly distinct ids: not worth a rewrite yet
        atomic_write_bytes(self._journal, data)
        self._journal_state = (os.stat(self._journal).st_ino, len(data))


def read_id(path: Path) -> str | None:
    """The ``id:`` of an article file, from its frontmatter's text (no YAML parse), however long
    the frontmatter; ``None`` if the file is missing, has no frontmatter or no id line. When the
    id is given twice, the last one counts, as for a YAML reader."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16384)
            while _FENCE.search(head.decode("utf-8", "replace"), 3) is None:
                if len(head) > MAX_FRONTMATTER_BYTES:
                    return None
                more = handle.read(65536)
                if not more:
                    return None
                head += more
    except OSError:
        return None
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    if not text.startswith("---"):
        return None
    end = _FENCE.search(text, 3)
    found = _ID_LINE.findall(text, 0, end.start() if end else len(text))
    return found[-1] if found else None


#: fields that change on every ingest without the article changing
VOLATILE_FIELDS = ("ingested_at", "fetched_at")


def _same_content(old: Article, new: Article) -> bool:
    blank = {f: None for f in VOLATILE_FIELDS}
    return render_article(old.replace(**blank)) == render_article(new.replace(**blank))
