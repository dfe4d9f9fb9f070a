"""The web app's settings: defaults here, then a config file, then ``NEWSARCHIVE_*`` variables.

Order (later wins): ``DEFAULTS`` -> the file named by ``$NEWSARCHIVE_CONFIG`` (``.toml`` read with
tomllib, ``.py`` executed like Flask's ``from_pyfile``) -> environment variables
``NEWSARCHIVE_<KEY>`` -> the mapping given to ``create_app(config)``. Nothing is read at import
time; ``load_settings`` does the reading when the app is created.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from archive.errors import NewsarchiveError
from archive.home import default_home, resolve_home

ENV_PREFIX = "NEWSARCHIVE_"
ENV_CONFIG_FILE = "NEWSARCHIVE_CONFIG"

#: every setting the web layer reads, with its default
DEFAULTS: dict[str, Any] = {
    #: the archive's home folder (articles/, index/); None means ``archive.home.default_home()``
    "HOME": None,
    #: the name shown in page titles, feeds and the OpenSearch description
    "SITE_NAME": "newsarchive",
    #: origins allowed to frame ``/embed`` (CSP ``frame-ancestors``), besides the archive itself
    "EMBED_ORIGINS": (),
    #: origins allowed to call ``/api/`` from a browser (CORS); empty means CORS is off
    "CORS_ORIGINS": (),
    #: most rows a CSV / JSONL export writes
    "EXPORT_CAP": 10_000,
    #: entries in an Atom feed
    "FEED_SIZE": 50,
    #: hits shown in the compact embed view
    "EMBED_PER_PAGE": 5,
    #: similar articles on an article page
    "SIMILAR_COUNT": 5,
    #: the archive's public address (``https://news.example.org``): every absolute URL (feeds,
    #: OpenSearch, oEmbed, citations, exports, the API) is built on it; unset, on the request's
    #: own host, which must then be a trusted one
    "PUBLIC_URL": None,
    #: host names a request's ``Host`` may carry (``.example.org`` for its subdomains too); any
    #: other is refused with a 400. Default: the public URL's host and this machine's names
    "ALLOWED_HOSTS": (),
}

#: hosts always trusted: this machine's own names
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$|^\*$")


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings after every layer, checked and normalised."""
    environ = os.environ if environ is None else environ
    settings: dict[str, Any] = dict(DEFAULTS)
    config_file = environ.get(ENV_CONFIG_FILE)
    if config_file:
        settings.update(read_config_file(Path(config_file)))
    for key in DEFAULTS:
        value = environ.get(ENV_PREFIX + key)
        if value is not None and value.strip():
            settings[key] = value
    settings.update({k.upper(): v for k, v in (overrides or {}).items()})
    return normalise(settings)


def read_config_file(path: Path) -> dict[str, Any]:
    """Upper-case keys of a ``.toml`` or ``.py`` file (keys of DEFAULTS only matter)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NewsarchiveError(f"cannot read the config file: {exc.strerror}", source=str(path)) from None
    if path.suffix == ".toml":
        try:
            loaded = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise NewsarchiveError(f"not valid TOML: {exc}", source=str(path)) from None
        return {k.upper(): v for k, v in loaded.items()}
    if path.suffix == ".py":
        namespace: dict[str, Any] = {"__file__": str(path)}
        try:
            exec(compile(data, str(path), "exec"), namespace)  # noqa: S102 - an admin's own file
        except Exception as exc:  # noqa: BLE001 - any error in the file is the admin's to fix
            raise NewsarchiveError(f"the config file failed: {exc}", source=str(path)) from None
        return {k: v for k, v in namespace.items() if k.isupper()}
    raise NewsarchiveError("the config file must end in .toml or .py", source=str(path))


def normalise(settings: dict[str, Any]) -> dict[str, Any]:
    out = dict(settings)
    out["HOME"] = resolve_home(out["HOME"]) if out["HOME"] else default_home()
    out["SITE_NAME"] = str(out["SITE_NAME"]).strip() or DEFAULTS["SITE_NAME"]
    for key in ("EMBED_ORIGINS", "CORS_ORIGINS"):
        out[key] = parse_origins(out[key], key)
    out["PUBLIC_URL"] = parse_public_url(out["PUBLIC_URL"])
    out["ALLOWED_HOSTS"] = parse_hosts(out["ALLOWED_HOSTS"], out["PUBLIC_URL"])
    for key, low, high in (("EXPORT_CAP", 1, 10_000_000), ("FEED_SIZE", 1, 500),
                           ("EMBED_PER_PAGE", 1, 50), ("SIMILAR_COUNT", 0, 50)):
        out[key] = parse_int(out[key], key, low, high)
    return out


def parse_origins(value: Any, key: str) -> tuple[str, ...]:
    """``"https://a.example, https://b.example"`` or a list -> a tuple of origins (no paths)."""
    if value is None:
        return ()
    items = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value)
    origins = []
    for item in items:
        origin = str(item).strip().rstrip("/")
        if not origin:
            continue
        if not _ORIGIN.match(origin):
            raise NewsarchiveError(
                f"{ENV_PREFIX}{key}: {origin[:80]!r} is not an origin like https://wiki.example.com")
        origins.append(origin)
    return tuple(dict.fromkeys(origins))


def parse_public_url(value: Any) -> str | None:
    """``https://news.example.org`` (scheme, host and port only; a trailing ``/`` is dropped)."""
    if value is None or not str(value).strip():
        return None
    url = str(value).strip().rstrip("/")
    if url == "*" or not _ORIGIN.match(url):
        raise NewsarchiveError(f"{ENV_PREFIX}PUBLIC_URL: {url[:80]!r} is not an address like "
                               "https://news.example.org (scheme and host, no path)")
    return url


def parse_hosts(value: Any, public_url: str | None) -> tuple[str, ...]:
    """Trusted host names: the configured ones, else the public URL's host; always this
    machine's own names."""
    items = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value or ())
    hosts = []
    for item in items:
        host = str(item).strip().lower()
        if not host:
            continue
        if not re.match(r"^\.?[a-z0-9.\-]+$|^\[?[0-9a-f:]+\]?$", host):
            raise NewsarchiveError(f"{ENV_PREFIX}ALLOWED_HOSTS: {host[:80]!r} is not a host name "
                                   "like news.example.org or .example.org")
        hosts.append(host)
    if public_url:
        hosts.append(urlsplit(public_url).hostname or "")
    return tuple(dict.fromkeys([*hosts, *LOCAL_HOSTS]))


def parse_int(value: Any, key: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip().replace("_", ""))
    except ValueError:
        raise NewsarchiveError(f"{ENV_PREFIX}{key} must be a whole number, not {str(value)[:40]!r}") from None
    if not low <= number <= high:
        raise NewsarchiveError(f"{ENV_PREFIX}{key} must be between {low} and {high}, not {number}")
    return number
