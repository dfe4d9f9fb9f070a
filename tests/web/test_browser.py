"""What htmx does, in Debian's headless Chromium driven by Playwright, against the real app served
over HTTP on 127.0.0.1 (werkzeug's server in a thread, a real index in a tmp folder).

Screenshots go to test-artifacts/screenshots/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.web.conftest import HOSTILE_TITLE

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = REPO / "test-artifacts" / "screenshots"


class WikiPage(BaseHTTPRequestHandler):
    """A page of "another site" (another port) that embeds the archive with the one-line snippet."""

    body = b""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def wiki():
    server = ThreadingHTTPServer(("127.0.0.1", 0), WikiPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def live(hostile_home: Path, wiki):
    """The archive on its own port; the wiki's origin (127.0.0.1 only) may frame /embed."""
    from werkzeug.serving import make_server

    from web.app import create_app

    wiki_origin = f"http://127.0.0.1:{wiki.server_port}"
    app = create_app({"HOME": hostile_home, "EMBED_ORIGINS": wiki_origin})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    WikiPage.body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Team wiki: crypto desk</title></head>"
        "<body style='font-family:sans-serif;max-width:720px;margin:2rem auto'>"
        "<h1>Crypto desk</h1><p>Latest coverage from the archive:</p>"
        f"<script src='{base}/embed.js' data-q='bitcoin' data-sort='newest'></script>"
        "<p id='after'>Text after the embed.</p></body></html>"
    ).encode()
    yield base
    server.shutdown()
    app.extensions["newsarchive"].close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()


def api(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return json.loads(response.read())


def titles(page) -> list[str]:
    return page.locator("ol.hits .hit-title a").all_inner_texts()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": no style injected by Playwright (the CSP would refuse it and log an error)
    page.screenshot(path=str(SHOTS / name), full_page=True, caret="initial")


def test_typing_facets_back_and_forward(page, live) -> None:
    from playwright.sync_api import expect

    page.goto(live + "/search")
    total = api(live, "/api/search")["total"]
    assert total == 21  # 19 fixture articles shown (one is a draft) and the 2 hostile ones
    expect(page.locator(".count")).to_contain_text(f"{total} matches")
    shot(page, "search-desktop.png")
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the whole page
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/search?" in r.url else None)

    page.locator("#q").press_sequentially("bitcoin", delay=40)
    page.wait_for_url(live + "/search?q=bitcoin")
    expect(page.locator("#status")).to_have_text(re.compile(r"^4 matches in \d+ ms$"))
    assert 1 <= len(searches) < len("bitcoin")  # debounced: not one request per key
    expected = [h["title"] for h in api(live, "/api/search?q=bitcoin")["hits"]]
    expect(page.locator("ol.hits .hit-title a")).to_have_text(expected)
    expect(page.locator(".count")).to_contain_text("4 matches")
    assert page.title() == "bitcoin · newsarchive search"

    page.locator("a.facet-value", has_text="CoinDesk").click()
    page.wait_for_url(live + "/search?q=bitcoin&source=coindesk")
    coindesk = [h["title"] for h in api(live, "/api/search?q=bitcoin&source=coindesk")["hits"]]
    expect(page.locator("ol.hits .hit-title a")).to_have_text(coindesk)
    expect(page.locator("a.facet-value.selected")).to_have_count(1)
    assert len(coindesk) < len(expected)
    assert page.evaluate("window.__sameDocument === true")

    page.go_back()
    page.wait_for_url(live + "/search?q=bitcoin")
    expect(page.locator("ol.hits .hit-title a")).to_have_text(expected)
    expect(page.locator("a.facet-value.selected")).to_have_count(0)
    expect(page.locator("#q")).to_have_value("bitcoin")

    page.go_forward()
    page.wait_for_url(live + "/search?q=bitcoin&source=coindesk")
    expect(page.locator("ol.hits .hit-title a")).to_have_text(coindesk)

    page.reload()
    expect(page.locator("ol.hits .hit-title a")).to_have_text(coindesk)
    expect(page.locator("#q")).to_have_value("bitcoin")

    # a histogram bar narrows the dates
    bar = page.locator("figure.histogram svg a").first
    bar.click()
    page.wait_for_url(lambda url: "from=" in url and "to=" in url)
    expect(page.locator("#from")).not_to_have_value("")
    assert page.problems == [], "\n".join(page.problems)  # type: ignore[attr-defined]


def test_phone_width(browser, live) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live + "/search?q=rates")
    page.locator("ol.hits").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing sticks out sideways
    shot(page, "search-phone.png")
    context.close()


def test_search_works_with_javascript_off(browser, live) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live + "/search")
    page.fill("#q", "rates")
    page.press("#q", "Enter")
    page.wait_for_url(lambda url: "q=rates" in url)
    expected = [h["title"] for h in api(live, "/api/search?q=rates")["hits"]]
    assert titles(page) == expected
    page.locator("a.facet-value", has_text="Market Wire").click()
    page.wait_for_url(lambda url: "source=marketwire" in url)
    assert titles(page) == [h["title"] for h in api(live, "/api/search?q=rates&source=marketwire")["hits"]]
    # the sidebar form fields go with the same form: change the order and apply
    page.select_option("#sort", "oldest")
    page.locator("button.apply").click()
    page.wait_for_url(lambda url: "sort=oldest" in url)
    assert titles(page) == [h["title"] for h in api(
        live, "/api/search?q=rates&source=marketwire&sort=oldest")["hits"]]
    context.close()


def test_embed_snippet_on_another_origin(page, live, wiki) -> None:
    from playwright.sync_api import expect

    page.goto(f"http://127.0.0.1:{wiki.server_port}/")
    frame = page.frame_locator("iframe.newsarchive-embed")
    expected = [h["title"] for h in api(live, "/api/search?q=bitcoin&sort=newest&per_page=5")["hits"]]
    expect(frame.locator(".embed-hits li > a")).to_have_text(expected)
    iframe = page.locator("iframe.newsarchive-embed")
    # the frame is sized to its content by postMessage (not the 360px it starts with)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        height = iframe.evaluate("f => f.style.height")
        if height != "360px":
            break
        time.sleep(0.05)
    inner = frame.locator("#embed-root").evaluate("e => Math.ceil(e.getBoundingClientRect().height + 2)")
    assert iframe.evaluate("f => f.style.height") == f"{inner}px"
    # searching inside the frame works too
    frame.locator("#q").fill("")
    frame.locator("#q").press_sequentially("rates", delay=30)
    rates = [h["title"] for h in api(live, "/api/search?q=rates&sort=newest&per_page=5")["hits"]]
    expect(frame.locator(".embed-hits li > a")).to_have_text(rates)
    shot(page, "embed.png")
    assert page.problems == [], "\n".join(page.problems)  # type: ignore[attr-defined]


def test_embed_on_an_origin_not_configured_says_which_origins_may_and_how_to_add_one(
        browser, live, wiki) -> None:
    """Issue 11: the widget on a page whose origin is not allowed was a broken frame with no
    hint. Now the frame holds a page naming the allowed origins and the setting to change."""
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    # same port, but another origin: http://localhost:N is not in EMBED_ORIGINS
    page.goto(f"http://localhost:{wiki.server_port}/")
    frame = page.frame_locator("iframe.newsarchive-embed")
    note = frame.locator(".embed-refused")
    expect(note).to_contain_text("newsarchive may not be shown on this page.")
    text = " ".join(note.inner_text().split())
    assert (f"may be framed by pages of {live} (this archive), http://127.0.0.1:{wiki.server_port}, "
            f"and this page is on http://localhost:{wiki.server_port}.") in text
    assert (f'NEWSARCHIVE_EMBED_ORIGINS="http://127.0.0.1:{wiki.server_port} https://wiki.example" '
            "newsarchive serve") in text
    assert frame.locator(".embed-hits").count() == 0  # the widget itself stays refused
    # the widget opened directly says the same, above the search
    direct = context.new_page()
    direct.goto(live + "/embed?q=bitcoin")
    expect(direct.locator(".embed-help")).to_contain_text(
        f"It may be framed by pages of {live} (this archive), http://127.0.0.1:{wiki.server_port};")
    context.close()


def test_script_payloads_show_as_text_and_nothing_runs(page, live) -> None:
    from playwright.sync_api import expect

    hostile = next(h for h in api(live, "/api/search?q=token")["hits"] if h["title"] == HOSTILE_TITLE)
    page.goto(live + "/search?q=token")
    expect(page.locator("ol.hits .hit-title a").first).to_be_visible()
    assert HOSTILE_TITLE in titles(page)
    assert page.locator(".tags a", has_text="<svg onload=alert(1)>").count() == 1
    page.locator("ol.hits .hit-title a", has_text="alert(\"title\")").click()
    page.wait_for_url(live + f"/article/{hostile['id']}")
    expect(page.locator("h1")).to_have_text(HOSTILE_TITLE)
    body = page.locator(".article-body").inner_text()
    assert "<script>alert('body')</script>" in body
    assert "<img src=x onerror=alert('body-img')>" in body
    assert "[a javascript link](javascript:alert('link'))" in body
    assert page.locator(".article-body a").evaluate_all("as => as.map(a => a.href)") == [
        "https://example.org/ok", "https://tracker.example/pixel.png"]
    assert page.locator(".article-body img, .article-body script, .article-body iframe").count() == 0
    assert page.locator(".original a").get_attribute("href") == "https://evilwire.example/2026/02/hostile-token"
    shot(page, "article-hostile.png")
    page.goto(live + "/search?q=%3Cscript%3Ealert(%27q%27)%3C/script%3E")
    expect(page.locator("#q")).to_have_value("<script>alert('q')</script>")
    assert page.problems == [], "\n".join(page.problems)  # type: ignore[attr-defined]


def test_article_screenshot(page, live) -> None:
    hit = api(live, "/api/search?q=chipmakers")["hits"][0]
    page.goto(live + f"/article/{hit['id']}")
    page.locator(".similar li").first.wait_for()
    shot(page, "article.png")
    assert page.problems == [], "\n".join(page.problems)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def live_undated(undated_home: Path):
    """The archive with two undated articles, on its own port."""
    from werkzeug.serving import make_server

    from web.app import create_app

    app = create_app({"HOME": undated_home})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["newsarchive"].close()


def test_undated_bucket_and_article_page(page, live_undated) -> None:
    from playwright.sync_api import expect

    live = live_undated
    page.goto(live + "/search?from=2026-01-01")
    expect(page.locator(".histogram-undated")).to_have_text("Date unknown: 2 (not in this date range)")
    expect(page.locator(".count")).to_contain_text("12 matches")
    # the checkbox keeps them in the range, without a reload
    page.evaluate("window.__sameDocument = true")
    page.locator("#undated").check()
    page.wait_for_url(live + "/search?from=2026-01-01&undated=include")
    expect(page.locator(".count")).to_contain_text("14 matches")
    expect(page.locator("ol.hits .date-unknown")).to_have_count(2)
    # the undated bucket lists them alone; the bars stay
    page.goto(live + "/search")
    shot(page, "search-undated-bucket.png")
    page.evaluate("window.__sameDocument = true")
    page.locator(".histogram-undated a").click()
    page.wait_for_url(live + "/search?undated=only")
    expect(page.locator("ol.hits .hit")).to_have_count(2)
    expect(page.locator("ol.hits .hit-meta .date-unknown")).to_have_text(["date unknown"] * 2)
    expect(page.locator("figure.histogram svg a").first).to_be_visible()
    assert page.evaluate("window.__sameDocument === true")
    page.locator("ol.hits .hit-title a", has_text="Bitcoin miners").click()
    expect(page.locator("h1")).to_have_text("Bitcoin miners weigh a move to cheaper power")
    expect(page.locator("header .hit-meta .date-unknown")).to_have_text("date unknown")
    expect(page.locator(".citation dd .date-unknown")).to_have_text("date unknown")
    expect(page.locator(".cite-text")).to_contain_text("\u201d. Date unknown. https:")
    assert "30 Nov 2026" not in page.locator("main").inner_text()
    shot(page, "article-undated.png")
    assert page.problems == [], "\n".join(page.problems)  # type: ignore[attr-defined]
