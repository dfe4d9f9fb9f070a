"""Security headers on every response, and CORS for ``/api/`` when origins are configured.

The Content-Security-Policy allows scripts and styles from the archive itself only (no inline
script, no inline style, no eval), so text that slipped through escaping still cannot run.
``frame-ancestors`` is ``'self'`` everywhere except ``/embed``, which adds the configured wiki
origins (``EMBED_ORIGINS``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from werkzeug.sansio.utils import host_is_trusted

from archive.errors import NewsarchiveError

REFERRER_POLICY = "same-origin"


class UntrustedHost(NewsarchiveError):
    """A request's ``Host`` is not one the archive answers to."""


def public_root() -> str:
    """``https://news.example.org``: the configured ``PUBLIC_URL``, else the request's own
    scheme and (trusted, see ``install_security``) host. Every absolute URL starts with it."""
    configured = current_app.config["PUBLIC_URL"]
    if configured:
        return configured
    if not host_is_trusted(request.headers.get("Host", ""), list(current_app.config["ALLOWED_HOSTS"])):
        return ""  # addresses stay relative on the error page for an untrusted host
    return request.host_url.rstrip("/")


def public_host() -> str:
    """The host (and port) of ``public_root()``."""
    return urlsplit(public_root()).netloc


def content_security_policy(frame_ancestors: tuple[str, ...] = ()) -> str:
    ancestors = " ".join(("'self'", *frame_ancestors))
    return "; ".join((
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        f"frame-ancestors {ancestors}",
    ))


def install_security(app: Flask) -> None:
    embed_origins: tuple[str, ...] = app.config["EMBED_ORIGINS"]
    cors_origins: tuple[str, ...] = app.config["CORS_ORIGINS"]
    page_csp = content_security_policy()
    embed_csp = content_security_policy(embed_origins)
    # the page saying "not allowed here" (web.embed.refused) shows in any frame
    anyone_csp = content_security_policy(("*",))
    from web.embedding import EMBED_VIEWS

    embed_endpoints = frozenset(EMBED_VIEWS.values())
    trusted: tuple[str, ...] = app.config["ALLOWED_HOSTS"]  # (Flask's own TRUSTED_HOSTS would
    # refuse the host before any URL can be built, and break the error page)

    @app.before_request
    def check_host() -> None:
        # the Host header is the client's to choose: never build an address on an unknown one
        host = request.headers.get("Host", "")
        if not host_is_trusted(host, list(trusted)):
            raise UntrustedHost(
                f"this archive does not answer to the host {host[:80]!r}: set "
                "NEWSARCHIVE_PUBLIC_URL to its public address, or list the host in "
                "NEWSARCHIVE_ALLOWED_HOSTS")

    @app.after_request
    def add_headers(response: Response) -> Response:
        embeddable = request.endpoint in embed_endpoints
        response.headers["Content-Security-Policy"] = (
            anyone_csp if g.get("frame_anyone") else embed_csp if embeddable else page_csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = REFERRER_POLICY
        if not embeddable:
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        if cors_origins and request.path.startswith("/api/"):
            add_cors(response, cors_origins)
        return response


def add_cors(response: Response, allowed: tuple[str, ...]) -> None:
    origin = request.headers.get("Origin")
    response.vary.add("Origin")
    if not origin:
        return
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
    else:
        return
    response.headers["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
