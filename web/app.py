"""The Flask application factory: settings, one blueprint per face, errors, security headers.

``create_app(config=None)``: settings from ``web.config`` (defaults, config file, environment, then
``config``); nothing touches the disk until a request needs the index or an article.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask, Response, g, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from archive.errors import IndexUnavailable, NewsarchiveError, QueryError
from web.backend import Backend
from web.config import load_settings
from web.present import bucket_label, format_day, format_stamp
from web.security import install_security, public_root
from web.views import clean_snippet, is_fragment_request

#: endpoints whose errors are shown inside the search page, so the query can be corrected
SEARCH_ENDPOINTS = {"pages.search", "embed.embed"}


class StrictJSONProvider(DefaultJSONProvider):
    """JSON as the standard defines it: ``NaN`` and ``Infinity`` are refused, never written
    (``index.model._jsonable`` turns them into ``null`` before they get here)."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


class ArchiveFlask(Flask):
    """Flask whose absolute URLs (``url_for(..., _external=True)``, in code and templates) are
    built on ``public_root()``: the configured public URL, never an untrusted Host header."""

    def url_for(self, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values: Any) -> str:
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False,
                               **values)
        return public_root() + path if _external or _scheme else path


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = load_settings(config)
    app = ArchiveFlask(__name__)
    app.json = StrictJSONProvider(app)
    app.config.update(settings)
    app.extensions["newsarchive"] = Backend(settings["HOME"])

    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["stamp"] = format_stamp
    app.jinja_env.filters["snippet"] = clean_snippet
    app.jinja_env.globals["bucket_label"] = bucket_label
    app.jinja_env.globals["site_name"] = settings["SITE_NAME"]

    from web import analysis, api, embed, feeds, pages

    for module in (pages, api, feeds, embed, analysis):
        app.register_blueprint(module.bp)
    install_security(app)
    install_errors(app)

    @app.after_request
    def vary_on_htmx(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.vary.add("HX-Request")
        return response

    return app


# ----------------------------------------------------------------------------------- errors --

def wants_json() -> bool:
    return request.path.startswith("/api/") or request.endpoint == "embed.oembed"


def error_response(status: int, message: str) -> Response:
    g.error_page = True  # an error page offers no embedding (web.embed.embedding_context)
    if wants_json():
        response = jsonify({"ok": False, "error": message, "status": status})
        response.status_code = status
        return response
    context = {"status": status, "message": message,
               "reindex": status == 503, "fragment": is_fragment_request()}
    if request.endpoint in SEARCH_ENDPOINTS and status in (400, 503):
        from web.views import render_search_error

        return render_search_error(status, message)
    template = "_error.html" if context["fragment"] else "error.html"
    return Response(render_template(template, **context), status=status, mimetype="text/html")


def install_errors(app: Flask) -> None:
    @app.errorhandler(NewsarchiveError)
    def domain_error(exc: NewsarchiveError) -> Response:
        message = str(exc)
        if isinstance(exc, IndexUnavailable) and "reindex" not in message:
            message += " (run `newsarchive reindex` to build the index)"
        status = 400 if isinstance(exc, QueryError) else exc.status
        return error_response(status, message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = {404: "There is no page at this address.",
                   405: "This address only answers GET requests."}.get(status, exc.description or "")
        response = error_response(status, message)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:  # a bug: logged, and a page that says so
        app.logger.exception("unexpected error on %s", request.path)
        return error_response(500, "Something went wrong on our side; the error was logged.")
