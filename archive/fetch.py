"""Fetching one web page over HTTP(S), carefully: the only module of the archive that talks to the
network, and only when a user asks for a URL.

``fetch_page`` uses urllib3 directly (trafilatura only ever gets the HTML string):

- a connect timeout, a read timeout per socket read, and a total deadline for the whole fetch
  (redirects and retries included), checked between chunks so a server that trickles bytes
  cannot hold us forever;
- a size cap enforced while streaming (``Content-Length`` is checked first, then every chunk),
  and gzip/deflate decoded by us with a bound on the *decoded* size, so a compression bomb
  stops at the cap instead of filling memory;
- a clear user agent;
- retries with exponential backoff on connection errors, 5xx and 429 (``Retry-After`` honoured
  within the deadline), never on other 4xx;
- redirects followed by hand: at most ``max_redirects``, only to ``http``/``https``, loops
  detected;
- the content type checked before the body is read: an image is refused, not downloaded;
- **only public addresses** (``check_address``): the host of the first request, of every
  redirect and of every feed entry is resolved, and the fetch is refused when an address is
  loopback, private, link-local, shared, multicast, reserved or unspecified (IPv4-mapped IPv6
  addresses are judged as the IPv4 they carry); the connection then goes to the address that was
  checked, so a second DNS answer cannot swap in another (no rebinding gap). Intranet archives
  allow them: ``allow_private`` (``--allow-private-addresses``, or
  ``NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES=1``).

Every failure is a ``FetchError`` whose message says what happened in words a person can act on.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import time
import zlib
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any, Mapping, Union
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from archive.errors import FetchError, InputError

USER_AGENT = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive; archiving on request)"

#: content types accepted as web pages, and as feeds
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
              "application/rdf+xml")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
RETRY_STATUSES = (429, 500, 502, 503, 504)
CHUNK = 16 * 1024


@dataclass(frozen=True)
class FetchSettings:
    """How to fetch; ``IngestOptions.fetch`` is a mapping of these names (all optional)."""

    #: seconds to connect, and to wait for each read from the socket
    timeout: float = 10.0
    #: seconds for the whole fetch, redirects and retries included
    deadline: float = 60.0
    #: the largest page we accept, decoded (a news page is a few hundred KB)
    max_bytes: int = 5 * 1024 * 1024
    #: attempts after the first one, on connection errors, 5xx and 429
    retries: int = 2
    #: first wait between attempts, doubled each time
    backoff: float = 0.5
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    #: content types accepted (``HTML_TYPES``, or ``HTML_TYPES + FEED_TYPES`` for feeds)
    accept: tuple[str, ...] = HTML_TYPES
    #: fetch loopback, private and link-local addresses too (an intranet archive); the default
    #: (``None``) is ``NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES``, else off
    allow_private: bool | None = None

    @property
    def private_allowed(self) -> "PrivatePolicy":
        if self.allow_private is not None:
            return bool(self.allow_private)
        return private_allowed_by_environment()

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> "FetchSettings":
        values = dict(values or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InputError(f"unknown fetch setting(s): {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
        if "accept" in values:
            values["accept"] = tuple(values["accept"])
        settings = cls(**values)
        for name in ("timeout", "deadline"):
            if not getattr(settings, name) > 0:
                raise InputError(f"fetch setting {name!r} must be a positive number of seconds")
        if settings.max_bytes < 1 or settings.retries < 0 or settings.max_redirects < 0:
            raise InputError("fetch settings max_bytes, retries and max_redirects must be positive")
        return settings


@dataclass(frozen=True)
class FetchedPage:
    """A page as the server sent it: the bytes (decoded from gzip/deflate, not from its charset)."""

    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    fetched_at: datetime
    #: every address visited, the asked-for one first
    redirects: tuple[str, ...] = field(default=())

    @property
    def content_type(self) -> str:
        return media_type(self.headers.get("content-type"))

    @property
    def charset(self) -> str | None:
        match = re.search(r"charset=[\"']?([\w.:-]+)", self.headers.get("content-type") or "", re.I)
        return match.group(1) if match else None


def media_type(header: str | None) -> str:
    """``"text/html; charset=utf-8"`` -> ``"text/html"``."""
    return (header or "").split(";", 1)[0].strip().lower()


def fetch_page(url: str, **settings: Any) -> FetchedPage:
    """Fetch ``url`` (following redirects) and return the page; raise ``FetchError`` otherwise.

    Keyword arguments are the fields of ``FetchSettings`` (``timeout``, ``deadline``,
    ``max_bytes``, ``retries``, ``backoff``, ``max_redirects``, ``user_agent``, ``accept``)."""
    conf = FetchSettings.from_mapping(settings)
    _check_url(url, original=url)
    started = time.monotonic()
    ends = started + conf.deadline
    headers = {
        "User-Agent": conf.user_agent,
        "Accept": ", ".join(conf.accept) + ", */*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
    }
    pool = urllib3.PoolManager(retries=False, headers=headers)
    try:
        visited = [url]
        current = url
        while True:
            response = _request_with_retries(pool, current, conf, ends, original=url)
            try:
                if response.status in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {response.status} redirect without a Location header",
                                         source=url)
                    target = urljoin(current, location.strip())
                    _check_url(target, original=url, redirect=True)
                    if target in visited:
                        raise FetchError(f"redirect loop: {target} redirects back to itself "
                                         f"after {len(visited) - 1} redirect(s)", source=url)
                    if len(visited) > conf.max_redirects:
                        raise FetchError(f"too many redirects (more than {conf.max_redirects})",
                                         source=url)
                    visited.append(target)
                    current = target
                    continue
                if response.status >= 400:
                    raise FetchError(_status_message(response.status, response.reason), source=url)
                if response.status != 200:
                    raise FetchError(f"HTTP {response.status} {response.reason or ''}: the server "
                                     "sent no page".replace("  ", " "), source=url)
                ctype = media_type(response.headers.get("content-type"))
                if ctype and ctype not in conf.accept:
                    what = "an HTML page" if conf.accept == HTML_TYPES else "a web page or feed"
                    raise FetchError(f"not {what} ({ctype})", source=url)
                content = _read_body(response, conf, ends, url)
                if not ctype and _looks_binary(content):
                    raise FetchError("not an HTML page (binary content, no content type)", source=url)
                return FetchedPage(
                    url=url,
                    final_url=current,
                    status=response.status,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    content=content,
                    fetched_at=datetime.now(timezone.utc).replace(microsecond=0),
                    redirects=tuple(visited),
                )
            finally:
                response.close()
                response.release_conn()
    finally:
        pool.clear()


def _check_url(url: str, *, original: str, redirect: bool = False) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise FetchError(f"not a valid address: {url!r}", source=original) from None
    if parts.scheme.lower() not in ("http", "https"):
        if redirect:
            raise FetchError(f"redirected to a {parts.scheme or 'relative'}: address ({url}); only "
                             "http and https are followed", source=original)
        raise FetchError("only http:// and https:// addresses can be fetched", source=original)
    if not parts.hostname:
        raise FetchError(f"the address has no host name: {url!r}", source=original)


#: the environment variable that allows private addresses (an intranet archive)
ALLOW_PRIVATE_ENV = "NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES"


#: ``True``: every address; a tuple of networks: public addresses and those; ``False``: public only
PrivatePolicy = Union[bool, tuple[Union[ipaddress.IPv4Network, ipaddress.IPv6Network], ...]]


def private_allowed_by_environment() -> PrivatePolicy:
    """``NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES``: ``1`` (``true``, ``yes``, ``on``) allows every
    private address; a comma-separated list of networks (``10.20.0.0/16, 192.168.1.5``) allows
    those only (an intranet, not the machine itself nor the cloud's metadata address); unset,
    empty or ``0``: public addresses only."""
    value = os.environ.get(ALLOW_PRIVATE_ENV, "").strip()
    if value.lower() in ("", "0", "false", "no", "off"):
        return False
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False)
                     for part in value.split(",") if part.strip())
    except ValueError:
        raise InputError(f"{ALLOW_PRIVATE_ENV} must be 1 (every private address) or a list of "
                         f"networks like 10.20.0.0/16,192.168.1.5, not {value[:60]!r}") from None


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address (an IPv4-mapped IPv6 address as the IPv4 address it carries)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_kind(address: str) -> str | None:
    """What makes ``address`` not a public internet address (``"loopback"``, ``"private"``...),
    or ``None`` for a public one."""
    ip = _ip(address)
    for kind, test in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                       ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                       ("private", ip.is_private), ("reserved", ip.is_reserved)):
        if test:
            return kind
    if not ip.is_global:
        return "non-public"
    return None


def check_address(url: str, *, allow_private: PrivatePolicy, original: str) -> str:
    """Resolve the host of ``url`` and return the address to connect to; ``FetchError`` when
    it does not resolve, or when any of its addresses is not public (unless ``allow_private``
    is ``True`` or holds a network the address is in)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise FetchError(f"could not find the server {host!r} (the name does not resolve)",
                         source=original) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(f"could not find the server {host!r} (the name does not resolve)",
                         source=original)
    if allow_private is not True:
        networks = allow_private or ()
        for address in addresses:
            kind = address_kind(address)
            if kind is not None and not any(_ip(address) in net for net in networks):
                shown = host if host == address else f"{host} ({address})"
                raise FetchError(
                    f"refused: {shown} is a {kind} address, and fetching private addresses is "
                    f"off (for an intranet archive: --allow-private-addresses or {ALLOW_PRIVATE_ENV}=1)",
                    source=original)
    return addresses[0]


def _pinned_request(pool: urllib3.PoolManager, method: str, url: str, address: str,
                    **kwargs: Any) -> urllib3.BaseHTTPResponse:
    """``method url`` sent to ``address`` (checked by ``check_address``) with the URL's host
    in the Host header and, for https, in SNI and the certificate check."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    port = parts.port or (443 if scheme == "https" else 80)
    pool_kwargs = {"server_hostname": host, "assert_hostname": host} if scheme == "https" else {}
    connection = pool.connection_from_host(address, port=port, scheme=scheme, pool_kwargs=pool_kwargs)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    netloc = parts.netloc.rsplit("@", 1)[-1]
    headers = {**pool.headers, **kwargs.pop("headers", {}), "Host": netloc}
    return connection.urlopen(method, target, headers=headers, assert_same_host=False, **kwargs)


def _remaining(ends: float) -> float:
    return ends - time.monotonic()


def _request_with_retries(pool: urllib3.PoolManager, url: str, conf: FetchSettings, ends: float,
                          *, original: str) -> urllib3.BaseHTTPResponse:
    """One GET (headers read, body not yet), retried on connection errors, 5xx and 429."""
    attempt = 0
    while True:
        remaining = _remaining(ends)
        if remaining <= 0:
            raise FetchError(f"gave up after the {conf.deadline:g} s time limit", source=original)
        timeout = urllib3.Timeout(connect=min(conf.timeout, remaining), read=min(conf.timeout, remaining))
        retry_after: float | None = None
        address = check_address(url, allow_private=conf.private_allowed, original=original)
        try:
            response = _pinned_request(pool, "GET", url, address, timeout=timeout, redirect=False,
                                       retries=False, preload_content=False, decode_content=False)
        except ReadTimeoutError:
            # the server accepted the connection but did not answer in time: asking again would
            # most likely wait just as long, so this is not retried
            raise FetchError(f"timed out after {min(conf.timeout, remaining):g} s waiting for "
                             "the server to answer", source=original) from None
        except (ConnectTimeoutError, NameResolutionError, NewConnectionError, ProtocolError,
                SSLError, HTTPError) as exc:
            error = _connection_message(exc, url, conf)
            if isinstance(exc, (SSLError, NameResolutionError)):
                raise FetchError(error, source=original) from None
        else:
            if response.status not in RETRY_STATUSES:
                return response
            error = _status_message(response.status, response.reason)
            retry_after = _retry_after(response.headers.get("retry-after"))
            # not drained (an error page's body is not worth waiting for): the connection is
            # closed, not reused
            response.close()
            response.release_conn()
        if attempt >= conf.retries:
            tries = f" (tried {attempt + 1} times)" if attempt else ""
            raise FetchError(error + tries, source=original)
        wait = conf.backoff * (2 ** attempt)
        if retry_after is not None:
            wait = max(wait, retry_after)
        if wait >= _remaining(ends):
            raise FetchError(f"{error}; no time left to try again within the {conf.deadline:g} s "
                             "limit", source=original)
        time.sleep(wait)
        attempt += 1


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def _connection_message(exc: Exception, url: str, conf: FetchSettings) -> str:
    host = urlsplit(url).netloc
    # urllib3: NameResolutionError < NewConnectionError < ConnectTimeoutError, so this order
    if isinstance(exc, NameResolutionError):
        return f"cannot find the host {urlsplit(url).hostname!r} (DNS lookup failed)"
    if isinstance(exc, NewConnectionError):
        reason = "connection refused" if "refused" in str(exc).lower() else "no connection"
        return f"cannot connect to {host} ({reason}); is the address right and the site up?"
    if isinstance(exc, ConnectTimeoutError):
        return f"timed out after {conf.timeout:g} s connecting to {host}"
    if isinstance(exc, SSLError):
        return f"secure connection to {host} failed (TLS/SSL error); the certificate may be invalid"
    if isinstance(exc, ProtocolError):
        return f"the connection to {host} broke off before the server answered"
    return f"cannot fetch from {host}: {exc.__class__.__name__}"


def _status_message(status: int, reason: str | None) -> str:
    words = {
        401: "the page needs a login",
        403: "the server refuses access to this page",
        404: "no page at this address",
        410: "the page was removed",
        429: "the server says too many requests; try again later",
    }
    explain = words.get(status) or ("the server had an error" if status >= 500 else "the request was refused")
    return f"HTTP {status}{' ' + reason if reason else ''}: {explain}"


def _read_body(response: urllib3.BaseHTTPResponse, conf: FetchSettings, ends: float, url: str) -> bytes:
    """The body, decoded from its Content-Encoding, never more than ``max_bytes`` decoded."""
    limit = conf.max_bytes
    too_big = f"the page is larger than the {_size(limit)} limit"
    length = response.headers.get("content-length")
    encoding = (response.headers.get("content-encoding") or "").strip().lower()
    if length and length.strip().isdigit() and int(length) > limit and encoding in ("", "identity"):
        raise FetchError(f"{too_big} ({_size(int(length))})", source=url)
    decoder = _decoder(encoding, url)
    out = bytearray()
    try:
        for chunk in response.stream(CHUNK, decode_content=False):
            if _remaining(ends) <= 0:
                raise FetchError(f"gave up after the {conf.deadline:g} s time limit while "
                                 "reading the page", source=url)
            if decoder is None:
                out += chunk
            else:
                _inflate_into(decoder, chunk, out, limit, too_big, url)
            if len(out) > limit:
                raise FetchError(too_big, source=url)
        if decoder is not None:
            out += decoder.flush()[: limit + 1 - len(out)]
            if len(out) > limit:
                raise FetchError(too_big, source=url)
    except ReadTimeoutError:
        raise FetchError(f"timed out after {conf.timeout:g} s while reading the page", source=url) from None
    except (ProtocolError, HTTPError) as exc:
        raise FetchError(f"the connection broke off while reading the page ({exc.__class__.__name__})",
                         source=url) from None
    except zlib.error:
        raise FetchError(f"the page's {encoding} compression is corrupt", source=url) from None
    return bytes(out)


def _decoder(encoding: str, url: str) -> Any:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Deflate()
    raise FetchError(f"the server used a compression we do not read ({encoding})", source=url)


class _Deflate:
    """``deflate`` is zlib-wrapped by the standard but raw from some servers: try both."""

    def __init__(self) -> None:
        self._obj = zlib.decompressobj()
        self._first = True
        self.unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        if self._first:
            self._first = False
            try:
                out = self._obj.decompress(data, max_length)
            except zlib.error:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                out = self._obj.decompress(data, max_length)
        else:
            out = self._obj.decompress(data, max_length)
        self.unconsumed_tail = self._obj.unconsumed_tail
        return out

    def flush(self) -> bytes:
        return self._obj.flush()


def _inflate_into(decoder: Any, chunk: bytes, out: bytearray, limit: int, message: str, url: str) -> None:
    """Decompress ``chunk`` into ``out`` in bounded steps: never more than ``limit + 1`` bytes."""
    data = chunk
    while data:
        room = limit + 1 - len(out)
        if room <= 0:
            raise FetchError(message, source=url)
        out += decoder.decompress(data, room)
        data = decoder.unconsumed_tail


def _looks_binary(content: bytes) -> bool:
    return b"\x00" in content[:4096]


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.0f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def post_json(url: str, payload: Any, *, timeout: float = 10.0, max_bytes: int = 64 * 1024) -> int:
    """POST ``payload`` as JSON to ``url`` (a webhook the user configured): the fetch policy of
    this module (http/https only, a host, connect/read timeouts, a bounded answer) and **no
    redirect followed** (a webhook that redirects is refused: a redirect is how a request is
    bounced to an address the user never named). Returns the HTTP status; ``FetchError`` for a
    refused address, a failure or a status of 400 and more."""
    import json as json_module

    _check_url(url, original=url)
    address = check_address(url, allow_private=private_allowed_by_environment(), original=url)
    body = json_module.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
    pool = urllib3.PoolManager(retries=False)
    try:
        try:
            response = _pinned_request(
                pool, "POST", url, address, body=body, timeout=urllib3.Timeout(connect=timeout, read=timeout),
                redirect=False, retries=False, preload_content=False,
                headers={"Content-Type": "application/json", "User-Agent": USER_AGENT})
        except ReadTimeoutError:
            raise FetchError(f"timed out after {timeout:g} s waiting for the webhook to answer",
                             source=url) from None
        except (ConnectTimeoutError, NameResolutionError, NewConnectionError, ProtocolError,
                SSLError, HTTPError) as exc:
            raise FetchError(_connection_message(exc, url, FetchSettings(timeout=timeout)),
                             source=url) from None
        try:
            response.read(max_bytes)  # the answer is not used; at most this much is read
            if response.status in REDIRECT_STATUSES:
                raise FetchError(f"the webhook answered HTTP {response.status} (a redirect); "
                                 "redirects are not followed: give its final address", source=url)
            if response.status >= 400:
                raise FetchError(_status_message(response.status, response.reason), source=url)
            return response.status
        finally:
            response.close()
            response.release_conn()
    finally:
        pool.clear()


def check_url(url: str) -> None:
    """``FetchError`` unless ``url`` is an address this module would fetch or post to."""
    _check_url(url, original=url)
