"""HTML -> draft ``Article``: the article text as Markdown and the page's metadata. Pure.

trafilatura finds the main text (as Markdown: headings, lists, emphasis) and most metadata
(title, author, description, site name, categories, tags, canonical URL, image). Two things we
read ourselves, because they decide what gets filed where:

- **the publication date** and how it was found (``archive.page_dates``): what the page states
  about itself (``<meta>`` tags, JSON-LD, microdata, a ``/YYYY/MM/DD/`` address, with a second
  look when the address and the stated date disagree), else a visible date line, else a full
  date in its text; never a footer's "Copyright 2024". The publisher's offset is kept. When the
  page says nothing the date stays ``None`` and ``archive.ingest.finish_article`` infers one from
  the body or records the article as undated (``dateSource``). ``dateModified`` gives
  ``updatedAt``.
- **the language**: the page's declared language (``<html lang>``, JSON-LD ``inLanguage``,
  ``og:locale``) unless the language detector reads the text as another one.

Site furniture that trafilatura keeps (a leading copy of the headline) is dropped here; the
cleanup rules shared by every input shape run later, in ``finish_article``.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from datetime import datetime, timezone
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from archive.article import Article, Source, source_key
from archive.dates import FoundDate
from archive.errors import InputError
from archive.page_dates import as_datetime, find_page_date

EXTRACTOR_NAME = "trafilatura"
#: HTML larger than this is refused before parsing (a news page is a few hundred KB)
MAX_HTML_CHARS = 10 * 1024 * 1024
#: fewer words than this is a menu or an error page, not an article
MIN_WORDS = 10

# trafilatura and htmldate log every page they discard at WARNING/ERROR; the archive reports
# failures itself, as InputError, so their loggers stay quiet
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)


def extractor_version() -> str:
    import trafilatura

    return trafilatura.__version__


def extractor_info() -> dict[str, str]:
    """The ``extractor`` field of every article this module makes."""
    return {"name": EXTRACTOR_NAME, "version": extractor_version()}


# ------------------------------------------------------------------------------- decoding --

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def decode_html(data: bytes, charset: str | None = None) -> str:
    """The text of an HTML page's bytes: the HTTP charset, else the page's ``<meta charset>``,
    else UTF-8, else windows-1252 (what browsers assume for an undeclared non-UTF-8 page); never
    fails: bytes no charset explains are read as Latin-1."""
    candidates = []
    if charset:
        candidates.append(charset)
    match = _META_CHARSET.search(data[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "ignore"))
    candidates += ["utf-8", "cp1252"]
    for name in candidates:
        try:
            return data.decode(_charset_alias(name))
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("latin-1")


def _charset_alias(name: str) -> str:
    lowered = name.strip().lower()
    # browsers read "iso-8859-1" and "ascii" as windows-1252; so do we
    return "cp1252" if lowered in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii") else lowered


# ----------------------------------------------------------------------------- extraction --

@functools.cache
def prepare() -> None:
    """Load, once per process, what the first extraction would otherwise load on its way
    (trafilatura, its language model, our own word lists: about a second), so that a page's time
    limit (``archive.timelimit``) counts that page's work, not the first page's loading."""
    try:
        extract_article("<html><head><title>Harbor volumes</title></head><body><article>"
                        "<h1>Harbor volumes</h1><p>Operators at the harbor said volumes were "
                        "steady through the week, with berths running to schedule and no delays "
                        "reported at the gates.</p></article></body></html>")
    except InputError:  # what it loads is loaded either way
        pass


def extract_article(html: str, *, url: str | None = None) -> Article:
    """The draft article of an HTML page: title, Markdown body and the page's metadata.

    ``url`` is where the page came from (it resolves relative links and, when the page has no
    better one, names the source). Raises ``InputError`` when the page has no article text."""
    import trafilatura

    if not isinstance(html, str):
        raise TypeError("extract_article takes the HTML as a str; see decode_html")
    if len(html) > MAX_HTML_CHARS:
        raise InputError(f"the page is larger than {MAX_HTML_CHARS // 1024 // 1024} MB", source=url)
    tree = _parse(html, url)
    meta = _PageMeta(tree, url)
    found = meta.published()  # before trafilatura, which prunes the tree it is given
    heading = meta.first_heading()
    try:
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_formatting=True,
            include_tables=True,
            include_images=False,
            include_links=False,
            output_format="python",
            # trafilatura asks htmldate for a date too; we ignore it (``_PageMeta.published``
            # is the one we use) and keep htmldate to its cheap mode
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except RecursionError:
        raise InputError("the page's HTML is nested too deeply to read", source=url) from None
    except (ValueError, TypeError, etree.LxmlError) as exc:
        raise InputError(f"the page could not be read as HTML ({exc.__class__.__name__})", source=url) from None
    if document is None or not (document.text or "").strip():
        raise InputError("no article text found in the page", source=url)

    words = len(document.text.split())
    if words < MIN_WORDS:
        raise InputError(f"no article text found in the page (only {words} word(s) of text)", source=url)
    address = meta.canonical() or url
    host = _hostname(address)
    site = meta.site_name() or _clean_line(document.sitename)
    title = _clean_line(document.title)
    title = title_without_site(title, heading=heading, site=site, host=host) if title else heading
    if not title:
        raise InputError("the page has no title (no <title>, og:title or <h1>)", source=url)
    body = tidy_markdown(plain_emphasis(_drop_leading_title(document.text, title)))
    if not body.strip():
        raise InputError("no article text found in the page", source=url)

    if site and host and site.split(":")[0].removeprefix("www.") == host:
        site = None  # trafilatura's fallback: the address, not a name
    # no name on the page: no source here; the importer uses --source, else the host name
    source = Source(name=site, key=source_key(site), type="WEB", url=_site_root(address)) if site else None
    categories = [c for c in (_clean_line(x) for x in document.categories or []) if c]
    tags = _unique_upper(document.tags or [])
    image = meta.image() or _clean_line(document.image)
    return Article(
        title=title,
        body=body.strip() + "\n",
        description=_clean_line(document.description),
        published_at=found.when if found else None,
        date_source=found.source if found else None,
        date_confidence=found.confidence if found else None,
        updated_at=meta.modified(),
        lang=meta.language(body),
        source=source,
        category=categories[0].upper() if categories else None,
        tags=tags,
        canonical_url=meta.canonical(),
        cover_image={"raw": image} if image else None,
        url=url,
        author=_clean_line(document.author),
        extractor=extractor_info(),
    )


def _parse(html: str, url: str | None) -> Any:
    text = html.lstrip("\ufeff")
    if not text.strip():
        raise InputError("the page is empty", source=url)
    # lxml refuses str input with an XML encoding declaration; drop it (we decoded already)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        # without comments and processing instructions: trafilatura drops such a node together
        # with its tail, the text that follows it up to the next element (whole paragraphs)
        parser = lxml.html.HTMLParser(collect_ids=False, huge_tree=False,
                                      remove_comments=True, remove_pis=True)
        tree = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"the page could not be read as HTML ({exc})", source=url) from None
    except RecursionError:
        raise InputError("the page's HTML is nested too deeply to read", source=url) from None
    if tree is None:
        raise InputError("the page could not be read as HTML", source=url)
    return tree


#: what sites put between a headline and their name or section: "Headline | Site",
#: "Site - Headline", "Section: Headline", "Headline › Blog"
_SITE_SEPARATOR = re.compile(r"\s+(?:[|\-–—›»·•~/]|::|\|\|)\s+")
_TITLE_SEPARATOR = re.compile(_SITE_SEPARATOR.pattern + r"|(?<=\w):\s+")


def title_without_site(title: str, *, heading: str | None = None, site: str | None = None,
                       host: str | None = None) -> str:
    """The headline of a page's ``<title>``, without the site name or section around it.

    When the page's ``<h1>`` is one or more of the title's parts (``Klimaschutz: Bohren, bis es
    heiß wird`` with the h1 ``Bohren, bis es heiß wird``), the h1 is the headline. Else a first or
    last part that names the site (its ``og:site_name``, or a name its host spells: ``Stack
    Overflow Blog`` on ``stackoverflow.com``) is dropped. Anything else stays as it is."""
    title = re.sub(r"\s+[|\-–—›»·•]$", "", title)
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    seps = _TITLE_SEPARATOR.findall(title)
    if heading:
        want = _fold(heading)
        for first in range(len(parts)):
            for last in range(first + 1, len(parts) + 1):
                if (first, last) != (0, len(parts)):
                    joined = parts[first]
                    for i in range(first + 1, last):
                        joined += seps[i - 1] + parts[i]
                    if _fold(joined) == want:
                        return joined.strip()
    names = [_squash(site)] if site else []
    names += [_squash(label) for label in (host or "").split(".")[:-1] if len(label) >= 4]
    names = [n for n in names if n and n not in ("www", "blog", "news")]

    def is_site(part: str) -> bool:
        squashed = _squash(part)
        return bool(squashed) and len(part.split()) <= 6 and any(
            n in squashed or (squashed in n and len(squashed) >= 0.6 * len(n)) for n in names)

    parts = _SITE_SEPARATOR.split(title)  # a "Section: Headline" colon is not a site's
    seps = _SITE_SEPARATOR.findall(title)
    kept = list(parts)
    if kept and is_site(kept[-1]):
        kept.pop()
        seps = seps[:len(kept) - 1]
    elif is_site(kept[0]):
        kept.pop(0)
        seps = seps[1:]
    if not kept or not "".join(kept).strip():
        return title
    out = kept[0]
    for sep, part in zip(seps, kept[1:]):
        out += sep + part
    return out.strip() or title


def _squash(text: str | None) -> str:
    return re.sub(r"\W+", "", (text or "").casefold())


def _clean_line(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value).strip()
    return text or None


def _unique_upper(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for part in (value or "").split(","):  # a keywords meta tag is one comma-separated string
            tag = _clean_line(part)
            if tag and tag.upper() not in out:
                out.append(tag.upper())
    return tuple(out)


_INTRAWORD_UNDERSCORE = re.compile(r"(?<=\w)\\_(?=\w)")
_PLAIN_BRACKETS = re.compile(r"\\\[([^\[\]\\\n]{0,200})\\\](?![(\[:])")
_SPACED = re.compile(r"(?<=\s)\\([*<])(?=\s)")


# a line that ends a sentence, then (one newline) a plain line that starts one
_RUN_ON = re.compile(r"(?m)^(?![ \t]*(?:[-*+>|#]|\d{1,3}[.)]\s))(.*[.!?][\"”’)]?)\n(?=[\"“‘(]?[A-Z0-9])"
                     r"(?![ \t]*(?:[-*+>|#]|\d{1,3}[.)]\s))")


# trafilatura's emphasis: ``**bold**`` and ``*italic*`` (never ``_``), inside one line
_BOLD = re.compile(r"(?<![\\*])(\*\*\*?)(?=[^\s*])([^\n]*?[^\s*\\])\1(?!\*)")
_ITALIC = re.compile(r"(?<![\w\\*])\*(?=[^\s*])([^\n*]*?[^\s*\\])\*(?![\w*])")
# an underline trafilatura passes through as a raw tag
_UNDERLINE = re.compile(r"</?u>", re.I)


def plain_emphasis(text: str) -> str:
    """The text without bold and italic markers (and ``<u>`` tags): on news pages emphasis is
    the layout's (names in bold, a bold lead-in), and its markers split the phrases a reader
    searches and a text analysis counts (``die **Autotuning Funktion** eingeführt``)."""
    text = _UNDERLINE.sub("", text)
    text = _BOLD.sub(r"\2", text)
    return _ITALIC.sub(r"\1", text)


def tidy_markdown(text: str) -> str:
    """Drop the backslash escapes trafilatura adds that CommonMark does not need, so the stored
    text reads as written (``Liebe_r``, ``[1]``, ``5 * 3``) and renders the same: an underscore
    inside a word, a bracket pair not followed by ``(``/``[``/``:``, a ``*`` or ``<`` between
    spaces. Text between blocks (after a removed comment, say) comes out of trafilatura joined
    to the next paragraph by one newline, which Markdown reads as one paragraph: a line that
    ends a sentence and a plain line after it become two paragraphs."""
    text = _INTRAWORD_UNDERSCORE.sub("_", text)
    text = _PLAIN_BRACKETS.sub(r"[\1]", text)
    text = _SPACED.sub(r"\1", text)
    return _RUN_ON.sub("\\1\n\n", text)


def _drop_leading_title(text: str, title: str) -> str:
    """trafilatura sometimes keeps the page's ``<h1>``; the title is already in the frontmatter."""
    lines = text.strip().split("\n")
    first = re.sub(r"^#+\s*", "", lines[0]).strip() if lines else ""
    if first and _fold(first) == _fold(title):
        return "\n".join(lines[1:]).strip()
    return text.strip()


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def web_source(url: str | None, name: str | None = None) -> Source | None:
    """The source of a page that does not name itself: ``name`` (``--source``), else its host."""
    name = name or _hostname(url)
    return Source(name=name, key=source_key(name), type="WEB", url=_site_root(url)) if name else None


def _site_root(url: str | None) -> str | None:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") and parts.netloc else None


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


# ------------------------------------------------------------------------ page metadata --

MODIFIED_META = (
    ("property", "article:modified_time"), ("property", "og:updated_time"),
    ("itemprop", "dateModified"), ("name", "dcterms.modified"), ("name", "lastmod"),
)
ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
                 "blogposting", "report", "opinionnewsarticle", "webpage", "techarticle",
                 "scholarlyarticle", "liveblogposting", "socialmediaposting", "posting"}
_LANG = re.compile(r"^([a-zA-Z]{2})(?:[-_][A-Za-z0-9]+)*$")


class _PageMeta:
    """What the page states about itself in JSON-LD, ``<meta>``, ``<link>`` and ``<time>``."""

    def __init__(self, tree: Any, url: str | None) -> None:
        self.tree = tree
        self.url = url
        self._meta: dict[tuple[str, str], str] = {}
        for element in tree.iter("meta"):
            content = element.get("content")
            if content is None or not content.strip():
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                value = element.get(attr)
                if value:
                    self._meta.setdefault((attr, value.strip().lower()), content.strip())
        self.jsonld = list(_jsonld_objects(tree))

    def _get(self, attr: str, value: str) -> str | None:
        return self._meta.get((attr, value.lower()))

    def _articles(self) -> Iterator[dict[str, Any]]:
        for obj in self.jsonld:
            kinds = obj.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in ARTICLE_TYPES for k in kinds):
                yield obj

    def _jsonld_date(self, key: str) -> datetime | None:
        for obj in self._articles():
            when = as_datetime(obj.get(key))
            if when is not None:
                return when
        return None

    def published(self, now: datetime | None = None) -> FoundDate | None:
        """The publication date and how it was found (``archive.page_dates``)."""
        return find_page_date(self.tree, meta=self._get, jsonld=list(self._articles()),
                              addresses=(self.canonical(), self.url), now=now)

    def modified(self) -> datetime | None:
        found = self._jsonld_date("dateModified")
        if found:
            return found
        for attr, value in MODIFIED_META:
            found = as_datetime(self._get(attr, value))
            if found:
                return found
        return None

    def canonical(self) -> str | None:
        candidates = [link.get("href") for link in self.tree.iter("link")
                      if "canonical" in (link.get("rel") or "").lower().split()]
        candidates.append(self._get("property", "og:url"))
        for href in candidates:
            if href and href.strip():
                absolute = urljoin(self.url or "", href.strip())
                if absolute.startswith(("http://", "https://")) and not self._is_home_page(absolute):
                    return absolute
        return None

    def _is_home_page(self, address: str) -> bool:
        """A canonical link to the site's home page from an article is a template bug; trusting
        it would give every article of the site the same identity."""
        path = urlsplit(address).path
        own = urlsplit(self.url).path if self.url else None
        return path in ("", "/") and own not in ("", "/")

    def site_name(self) -> str | None:
        for obj in self._articles():
            publisher = obj.get("publisher")
            if isinstance(publisher, dict) and _clean_line(publisher.get("name")):
                return _clean_line(publisher.get("name"))
        return _clean_line(self._get("property", "og:site_name"))

    def image(self) -> str | None:
        value = self._get("property", "og:image") or self._get("name", "twitter:image")
        if value:
            absolute = urljoin(self.url or "", value)
            if absolute.startswith(("http://", "https://")):
                return absolute
        return None

    def first_heading(self) -> str | None:
        for element in self.tree.iter("h1"):
            text = _clean_line(element.text_content())
            if text:
                return text
        return None

    def declared_language(self) -> str | None:
        candidates = [obj.get("inLanguage") for obj in self._articles()]
        root = self.tree.getroottree().getroot()
        candidates += [root.get("lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang"),
                       self._get("property", "og:locale"), self._get("http-equiv", "content-language")]
        for value in candidates:
            if isinstance(value, str):
                match = _LANG.match(value.strip())
                if match:
                    return match.group(1).lower()
        return None

    def language(self, body: str) -> str | None:
        """The declared language, unless the detector reads the text as another language."""
        from archive import enrich

        declared = self.declared_language()
        detected = enrich.detect_language(body)
        if detected and declared and detected != declared:
            return detected
        return declared or detected


def _jsonld_objects(tree: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's ``application/ld+json`` scripts, ``@graph`` flattened."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = (script.text or "").strip()
        if not text or len(text) > 1_000_000:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        seen = 0
        while stack and seen < 500:
            item = stack.pop(0)
            seen += 1
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
