"""Security headers on every response, and CORS for ``/api/`` when origins are configured.

The Content-Security-Policy allows scripts and styles from the archive itself only (no inline
script, no inline style, no eval), so text that slipped through escaping still cannot run.
``frame-ancestors`` is ``'self'`` everywhere except ``/embed``, which adds the configured wiki
origins (``EMBED_ORIGINS``).
"""

from __future__ import annotations

from flask import Flask, Response, request

REFERRER_POLICY = "same-origin"


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

    @app.after_request
    def add_headers(response: Response) -> Response:
        embeddable = request.endpoint == "embed.embed"
        response.headers["Content-Security-Policy"] = embed_csp if embeddable else page_csp
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
