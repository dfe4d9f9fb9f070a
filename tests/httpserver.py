"""A real HTTP server on 127.0.0.1 (or ``host``; port chosen by the OS) for every test that fetches.

It serves our own fixture pages and feeds and a set of misbehaving routes:

    /pages/<file>            tests/fixtures/html/<file> as text/html
    /feeds/<file>            tests/fixtures/feeds/<file> as application/rss+xml (or atom),
                             with ``{base}`` replaced by the server's address
    /gzip/<file>             a fixture page, gzip-encoded          /deflate/<file>  deflate-encoded
    /raw-deflate/<file>      deflate without the zlib wrapper      /bad-gzip  "gzip" that is not
    /slow                    sleeps ``slow_seconds`` before answering (past any test timeout)
    /trickle                 sends a byte every 0.2 s for ``slow_seconds``
    /missing                 404                                   /gone  410
    /flaky                   503 for the first ``flaky_failures`` requests, then a page
    /busy                    429 with ``Retry-After: 0``, every time
    /error                   500, every time
    /loop/a  /loop/b         redirect to each other (a redirect loop)
    /hops/<n>                redirect chain: /hops/n -> /hops/n-1 ... -> /pages/ledger-etf.html
    /to-file  /to-ftp        redirect to file:///etc/passwd and ftp://127.0.0.1/
    /image.png               a PNG image                          /download.bin  octet-stream
    /no-type                 binary bytes with no Content-Type
    /huge                    an endless HTML page, streamed in chunks, no Content-Length
    /huge-declared           an HTML page declaring a Content-Length of 50 MB
    /gzip-bomb               20 MB of zeros gzip-compressed to a few KB, sent as text/html
    /moved                   301 to /pages/ledger-etf.html (relative Location)
    /redirect-to/<url>       302 to the (percent-encoded) url      /feed-to/<url>  an RSS feed
                             whose one entry links to the url
    POST /hook               204, the body recorded in ``server.posts`` as ``(path, headers, body)``
    POST /hook-redirect      307 to /hook                          POST /hook-error  500

Every request is recorded in ``server.requests`` as ``(path, headers)``. Use as a context
manager (``with LocalServer() as server: server.url("/pages/x.html")``); leaving it stops the
server and wakes any handler still sleeping.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote
from xml.sax.saxutils import escape as xml_escape

FIXTURES = Path(__file__).resolve().parent / "fixtures"

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
       b"\x00\x00IEND\xaeB`\x82")


#: made once at import, so that serving it never keeps a client with a short timeout waiting
_BOMB = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)


class LocalServer:
    def __init__(self, *, slow_seconds: float = 3.0, flaky_failures: int = 1,
                 host: str = "127.0.0.1") -> None:
        self.slow_seconds = slow_seconds
        self.flaky_failures = flaky_failures
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._flaky_seen = 0
        self.posts: list[tuple[str, dict[str, str], bytes]] = []
        self.httpd = _QuietServer((host, 0), _handler_for(self))
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> "LocalServer":
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- state shared by handler threads
    def record_post(self, path: str, headers: dict[str, str], body: bytes) -> None:
        with self._lock:
            self.posts.append((path, headers, body))

    def record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append((path, headers))

    def next_flaky(self) -> bool:
        """True while the flaky route should still fail."""
        with self._lock:
            self._flaky_seen += 1
            return self._flaky_seen <= self.flaky_failures

    def bomb(self) -> bytes:
        return _BOMB


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up mid-answer (size caps, timeouts) are expected here, not errors."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "fixture-server/1.0"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            pass

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1024 * 1024))
            server.record_post(self.path, dict(self.headers.items()), body)
            if self.path == "/hook":
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/hook-redirect":
                self.redirect("/hook", 307)
            else:
                self.send(500, b"broken")

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            server.record(self.path, {k.lower(): v for k, v in self.headers.items()})
            try:
                self.route(self.path.split("?", 1)[0])
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client hung up (size caps, timeouts): expected in these tests

        # -- helpers
        def send(self, status: int, body: bytes, ctype: str | None = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def redirect(self, location: str, status: int = 302) -> None:
            self.send(status, b"", None, {"Location": location})

        def fixture(self, folder: str, name: str) -> bytes | None:
            path = (FIXTURES / folder / name).resolve()
            if path.parent != (FIXTURES / folder).resolve() or not path.is_file():
                return None
            return path.read_bytes()

        # -- routes
        def route(self, path: str) -> None:
            if path.startswith("/pages/"):
                body = self.fixture("html", path[len("/pages/"):])
                return self.send(200, body) if body is not None else self.send(404, b"not found")
            if path.startswith("/feeds/"):
                body = self.fixture("feeds", path[len("/feeds/"):])
                if body is None:
                    return self.send(404, b"not found")
                body = body.replace(b"{base}", server.base.encode())
                ctype = "application/atom+xml" if b"<feed" in body[:500] else "application/rss+xml"
                return self.send(200, body, ctype + "; charset=utf-8")
            if path.startswith(("/gzip/", "/deflate/", "/raw-deflate/")):
                kind, name = path[1:].split("/", 1)
                body = self.fixture("html", name)
                if body is None:
                    return self.send(404, b"not found")
                if kind == "gzip":
                    packed = gzip.compress(body)
                elif kind == "deflate":
                    packed = zlib.compress(body)
                else:  # deflate without the zlib wrapper, as some servers send it
                    squeezer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
                    packed = squeezer.compress(body) + squeezer.flush()
                encoding = "gzip" if kind == "gzip" else "deflate"
                return self.send(200, packed, headers={"Content-Encoding": encoding})
            if path == "/bad-gzip":
                return self.send(200, b"this is not gzip data at all", headers={"Content-Encoding": "gzip"})
            if path == "/slow":
                server.stopping.wait(server.slow_seconds)
                return self.send(200, b"<html><body><p>finally</p></body></html>")
            if path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                ends = time.monotonic() + server.slow_seconds
                while time.monotonic() < ends and not server.stopping.is_set():
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    server.stopping.wait(0.2)
                self.close_connection = True
                return None
            if path == "/missing":
                return self.send(404, b"<html><body>Not found</body></html>")
            if path == "/gone":
                return self.send(410, b"<html><body>Gone</body></html>")
            if path == "/flaky":
                if server.next_flaky():
                    return self.send(503, b"try later")
                body = self.fixture("html", "ledger-etf.html")
                return self.send(200, body or b"")
            if path == "/busy":
                return self.send(429, b"slow down", headers={"Retry-After": "0"})
            if path == "/error":
                return self.send(500, b"oops")
            if path == "/loop/a":
                return self.redirect("/loop/b")
            if path == "/loop/b":
                return self.redirect(server.url("/loop/a"), 301)
            if path.startswith("/hops/"):
                n = int(path.rsplit("/", 1)[1])
                return self.redirect(f"/hops/{n - 1}" if n > 1 else "/pages/ledger-etf.html")
            if path == "/moved":
                return self.redirect("/pages/ledger-etf.html", 301)
            if path.startswith("/redirect-to/"):  # to any address (another server)
                return self.redirect(unquote(path[len("/redirect-to/"):]))
            if path.startswith("/feed-to/"):  # a feed whose one entry links to any address
                link = xml_escape(unquote(path[len("/feed-to/"):]))
                body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>"
                        f"<item><title>Internal memo</title><link>{link}</link>"
                        "<description>An entry whose page is elsewhere.</description>"
                        "<pubDate>Tue, 03 Feb 2026 09:00:00 GMT</pubDate></item></channel></rss>")
                return self.send(200, body.encode(), "application/rss+xml; charset=utf-8")
            if path == "/to-file":
                return self.redirect("file:///etc/passwd")
            if path == "/to-ftp":
                return self.redirect("ftp://127.0.0.1/pub/page.html", 301)
            if path == "/image.png":
                return self.send(200, PNG, "image/png")
            if path == "/download.bin":
                return self.send(200, bytes(range(256)) * 64, "application/octet-stream")
            if path == "/no-type":
                return self.send(200, b"\x00\x01\x02binary\x00" * 100, None)
            if path == "/huge":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"<p>" + b"filler text " * 1000 + b"</p>\n"
                line = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                sent = 0
                while sent < 200 * 1024 * 1024 and not server.stopping.is_set():
                    self.wfile.write(line)
                    sent += len(chunk)
                self.wfile.write(b"0\r\n\r\n")
                return None
            if path == "/huge-declared":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
                self.wfile.write(b"<html>")
                self.close_connection = True
                return None
            if path == "/gzip-bomb":
                return self.send(200, server.bomb(), headers={"Content-Encoding": "gzip"})
            return self.send(404, b"<html><body>Not found</body></html>")

    return Handler
