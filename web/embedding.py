""""Embed this": what a wiki needs to show a view of the archive (an iframe, the script snippet,
the oEmbed address), which origins may frame it and how to add one, and how an ``/embed...``
request was framed. The embed routes are in ``web.embed``; every page that offers itself for
embedding (search, analysis, timeline) builds its offer here."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import current_app, request, url_for
from markupsafe import escape

from web.security import public_root

#: the views a page may frame: their CSP lists EMBED_ORIGINS in frame-ancestors
EMBED_VIEWS = {"search": "embed.embed", "timeline": "embed.timeline", "analysis": "embed.analysis"}
#: the pages that carry an oEmbed discovery link (and the view they embed as)
DISCOVERABLE = {"pages.search": "search", "pages.article": "article",
                "analysis.timeline": "timeline", "analysis.analysis": "analysis"}

EMBED_WIDTH = 600
EMBED_HEIGHT = 420


@dataclass(frozen=True)
class EmbedOffer:
    """Ready-to-paste snippets for one view, the oEmbed address, and where it may be shown."""

    iframe: str
    script: str
    oembed: str
    #: origins whose pages may frame the widget (the archive's own first)
    origins: tuple[str, ...]
    #: how to add an origin (the setting and the command)
    how_to_add: str


def allowed_origins() -> tuple[str, ...]:
    return (public_root(), *current_app.config["EMBED_ORIGINS"])


def how_to_add_origin() -> str:
    listed = " ".join(current_app.config["EMBED_ORIGINS"])
    example = f"{listed} https://wiki.example" if listed else "https://wiki.example"
    return ("To show it on another site, add that site's origin to EMBED_ORIGINS and restart the "
            f'server: NEWSARCHIVE_EMBED_ORIGINS="{example}" newsarchive serve (or EMBED_ORIGINS '
            "in the config file; several origins are separated by spaces).")


def view_title(view: str, what) -> str:
    """The title of an embedded view (the iframe's, oEmbed's): ``what`` is the view's
    ``SearchQuery`` (search, analysis) or ``TimelineQuery`` (timeline)."""
    site = current_app.config["SITE_NAME"]
    if view == "timeline":
        names = [label or q.q or "everything" for label, q in zip(what.labels, what.queries)]
        return f"{site} coverage over time: {', '.join(names)}"
    if view == "analysis":
        return f"{site}: what {what.q or 'the archive'} talks about"
    return f"{site} search: {what.q}" if what.q else f"{site} search"


def iframe_html(src: str, title: str, width: int = EMBED_WIDTH, height: int = EMBED_HEIGHT) -> str:
    return (f'<iframe src="{escape(src)}" width="{width}" height="{height}" '
            f'title="{escape(title)}" loading="lazy" style="border:0"></iframe>')


def embed_src(view: str, params: str) -> str:
    """The absolute address of an embed view with its parameters (a query string, no ``?``)."""
    return url_for(EMBED_VIEWS[view], _external=True) + (f"?{params}" if params else "")


def embed_offer(view: str, params: str, title: str) -> EmbedOffer:
    """The offer of the page being shown (``view`` one of ``EMBED_VIEWS``, ``params`` the query
    string of what it shows, without ``?``)."""
    script_src = url_for("embed.embed_script", _external=True)
    if view == "search":  # embed.js's documented data- attributes, a repeated value comma-joined
        values: dict[str, list[str]] = {}
        for name, value in parse_qsl(params):
            values.setdefault(name, []).append(value)
        attrs = "".join(f' data-{name}="{escape(",".join(v))}"' for name, v in values.items())
    else:
        attrs = f' data-view="{view}"' + (f' data-params="{escape(params)}"' if params else "")
    return EmbedOffer(
        iframe=iframe_html(embed_src(view, params), title),
        script=f'<script src="{escape(script_src)}"{attrs} async></script>',
        oembed=oembed_url(),
        origins=allowed_origins(), how_to_add=how_to_add_origin())


def page_url() -> str:
    """The absolute address of the page being shown (on the public root, not the Host asked)."""
    return public_root() + request.full_path.rstrip("?")


def oembed_url() -> str:
    return url_for("embed.oembed", _external=True) + "?" + urlencode(
        {"url": page_url(), "format": "json"})


def framing() -> str:
    """How an ``/embed...`` request came: ``"refused"`` (in a frame of a page whose origin may
    not frame it: the browser would show a broken frame), ``"framed"``, or ``"direct"`` (opened
    as a page, or by a client that does not say). Browsers send ``Sec-Fetch-Dest: iframe`` for
    a frame and, by their default referrer policy, the framing page's origin as ``Referer``;
    without a Referer the browser alone enforces ``frame-ancestors``."""
    if request.headers.get("Sec-Fetch-Dest") != "iframe":
        return "direct"
    embedder = embedder_origin()
    if embedder is None:
        return "framed"
    allowed = {origin.lower().rstrip("/") for origin in allowed_origins()}
    return "framed" if embedder.lower() in allowed else "refused"


def embedder_origin() -> str | None:
    try:
        parts = urlsplit(request.headers.get("Referer") or "")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"
