"""Raw snapshots: the HTML as fetched, kept compressed so a later extractor can re-read it
without fetching again (``newsarchive reextract``).

Layout (relative to the home folder)::

    raw/<YYYY>/<MM>/<key>.html.gz     the page's bytes as the server sent them (after HTTP
                                      decompression, before charset decoding), gzip-compressed
    raw/<YYYY>/<MM>/<key>.json        a small sidecar: url, finalUrl, fetchedAt (the batch's
                                      clock, as in the article), requestedAt (the exact time of
                                      the HTTP request), contentType, status, size, sha256

``YYYY/MM`` is the month of the fetch; ``key`` is the first 20 hex digits of the SHA-256 of the
bytes, so fetching the same page twice with the same content writes nothing new (and an ingest
that changes nothing leaves the folder alone). The same bytes at two addresses are kept once; the
sidecar describes the first fetch, and each article keeps its own ``url``.

The article points at its snapshot with the ``raw`` key of its ``extractor`` map
(``extractor: {name: trafilatura, version: 2.3.1, raw: raw/2026/03/<key>.html.gz}``): the
extractor map is exactly "what turned the source into text, for re-extraction later".

Both files are written atomically (snapshot first, then sidecar; a crash in between leaves a
snapshot without sidecar, which reading tolerates). Reading decompresses in bounded steps: a
snapshot that inflates beyond ``MAX_RAW_BYTES`` (a gzip bomb dropped into ``raw/``) is refused
with a clear error, never read into memory.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from archive.article import format_datetime, parse_datetime
from archive.errors import FormatError, InputError
from archive.home import raw_dir
from archive.store import atomic_write_bytes, atomic_write_text

#: a snapshot is refused if it decompresses to more than this
MAX_RAW_BYTES = 32 * 1024 * 1024
#: compressed snapshots larger than this are refused before reading
MAX_COMPRESSED_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class RawSnapshot:
    """A snapshot as read back: the page's bytes and what the sidecar says about them."""

    path: str  # relative to the home folder, with forward slashes
    content: bytes
    url: str | None = None
    final_url: str | None = None
    fetched_at: datetime | None = None
    content_type: str | None = None

    @property
    def charset(self) -> str | None:
        value = self.content_type or ""
        if "charset=" not in value.lower():
            return None
        return value.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") or None


def snapshot_key(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:20]


def save_raw(
    home: Path,
    content: bytes,
    *,
    url: str | None,
    final_url: str | None = None,
    fetched_at: datetime,
    content_type: str | None = None,
    status: int | None = None,
    requested_at: datetime | None = None,
) -> str:
    """Keep ``content`` under ``home/raw``; returns its path relative to ``home``
    (``raw/2026/03/<key>.html.gz``), the value for the article's ``extractor.raw``."""
    key = snapshot_key(content)
    rel = PurePosixPath("raw", f"{fetched_at:%Y}", f"{fetched_at:%m}", f"{key}.html.gz")
    target = Path(home) / rel
    sidecar = target.with_name(f"{key}.json")
    if target.exists() and sidecar.exists():
        return str(rel)  # same address, same bytes: already kept
    buffer = io.BytesIO()
    # mtime=0: the same bytes always compress to the same file
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as handle:
        handle.write(content)
    meta: dict[str, Any] = {
        "url": url,
        "finalUrl": final_url or url,
        "fetchedAt": format_datetime(fetched_at),
        "contentType": content_type,
        "status": status,
        "requestedAt": format_datetime(requested_at) if requested_at else None,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    try:
        atomic_write_bytes(target, buffer.getvalue())
        atomic_write_text(sidecar, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        from archive.errors import StoreError

        raise StoreError(f"cannot keep the raw snapshot {rel}: {exc.strerror}") from None
    return str(rel)


def resolve_raw_path(home: Path, rel: str) -> Path:
    """The file of a snapshot path from an article; refuses anything outside ``home/raw``."""
    if not isinstance(rel, str) or not rel.strip():
        raise FormatError("the article's extractor.raw is not a path")
    pure = PurePosixPath(rel.strip())
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or pure.parts[0] != "raw" \
            or not pure.name.endswith(".html.gz"):
        raise FormatError(f"the raw snapshot path {rel!r} is not a raw/…/*.html.gz path in the home folder")
    root = raw_dir(Path(home)).resolve()
    path = (Path(home) / Path(*pure.parts)).resolve()
    if root not in path.parents:
        raise FormatError(f"the raw snapshot path {rel!r} leads outside the home folder")
    return path


def read_raw(home: Path, rel: str, *, max_bytes: int = MAX_RAW_BYTES) -> RawSnapshot:
    """Read a snapshot back (bounded decompression) with its sidecar, if there is one."""
    path = resolve_raw_path(home, rel)
    try:
        size = path.stat().st_size
        if size > MAX_COMPRESSED_BYTES:
            raise InputError(f"the raw snapshot is {size // 1024 // 1024} MB compressed, more than "
                             f"the {MAX_COMPRESSED_BYTES // 1024 // 1024} MB limit", source=rel)
        packed = path.read_bytes()
    except FileNotFoundError:
        raise InputError("the raw snapshot is missing", source=rel) from None
    except OSError as exc:
        raise InputError(f"cannot read the raw snapshot: {exc.strerror}", source=rel) from None
    content = gunzip_bounded(packed, max_bytes=max_bytes, name=rel)
    meta: dict[str, Any] = {}
    sidecar = path.with_name(path.name[: -len(".html.gz")] + ".json")
    try:
        if sidecar.is_file() and sidecar.stat().st_size < 64 * 1024:
            loaded = json.loads(sidecar.read_text(encoding="utf-8"))
            meta = loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        meta = {}  # the snapshot itself is what matters; the sidecar only helps
    fetched = None
    if isinstance(meta.get("fetchedAt"), str):
        try:
            fetched = parse_datetime(meta["fetchedAt"])
        except FormatError:
            fetched = None
    return RawSnapshot(
        path=rel,
        content=content,
        url=_str(meta.get("url")),
        final_url=_str(meta.get("finalUrl")),
        fetched_at=fetched,
        content_type=_str(meta.get("contentType")),
    )


def gunzip_bounded(packed: bytes, *, max_bytes: int, name: str | None = None) -> bytes:
    """Decompress gzip data in steps, refusing output beyond ``max_bytes`` (a gzip bomb)."""
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    data = packed
    try:
        while data:
            out += decoder.decompress(data, max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                raise InputError(
                    f"the raw snapshot decompresses to more than {max_bytes // 1024 // 1024} MB; it is "
                    "corrupt or a compression bomb, and was not read", source=name)
            data = decoder.unconsumed_tail
            if decoder.eof:
                break
        if not decoder.eof:
            raise InputError("the raw snapshot is truncated (incomplete gzip data)", source=name)
    except zlib.error:
        raise InputError("the raw snapshot is not valid gzip data", source=name) from None
    return bytes(out)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
