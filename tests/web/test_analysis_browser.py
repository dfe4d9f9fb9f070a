"""The analysis views and collapsed results in real headless Chromium (issue 11): 'N versions'
expanding in place with htmx, the collapse switch, the timeline drawn through the form and a
point narrowing the search, a top term adding itself to the query; screenshots at 1280 and 390
wide (test-artifacts/screenshots/), with nothing sticking out sideways at 390."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.store import Store
from index.build import reindex
from scripts.bench_stories import load_split
from tests.web.test_browser import browser, page, shot  # noqa: F401 - the shared fixtures

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from werkzeug.serving import make_server

    from web.app import create_app

    home = tmp_path_factory.mktemp("stories") / "home"
    store = Store(home)
    for item in load_split("dev")[0]:
        store.save(item.article.replace(ingested_at=datetime(2026, 6, 1, tzinfo=timezone.utc)))
    reindex(home, procs=1)
    app = create_app({"HOME": home})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    app.extensions["newsarchive"].close()


def api(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return json.loads(response.read())


def test_versions_expand_in_place_and_collapse_switches_off(page, live) -> None:  # noqa: F811
    from playwright.sync_api import expect

    result = api(live, "/api/search?q=halvard")
    grouped = next(h for h in result["hits"] if h["versions"] > 1)
    versions = api(live, f"/api/search?q=halvard&story={grouped['story']}&collapse=0&sort=oldest")
    page.goto(live + "/search?q=halvard")
    hit = page.locator("ol.hits > li", has=page.locator(f"a[href='/article/{grouped['id']}']"))
    summary = hit.locator("details.versions summary")
    expect(summary).to_have_text(f"{grouped['versions']} versions of this story")
    summary.click()
    expect(hit.locator(".version-list li")).to_have_count(len(versions["hits"]))
    assert hit.locator(".version-list li a").all_inner_texts() == [h["title"] for h in versions["hits"]]
    assert page.url == live + "/search?q=halvard"  # expanded in place, no navigation
    shot(page, "search-collapsed-desktop.png")
    page.locator("#collapse").uncheck()
    expect(page.locator("ol.hits > li")).to_have_count(min(result["total"], 20))
    assert page.locator("details.versions").count() == 0
    assert page.problems == [], "\n".join(page.problems)  # type: ignore[attr-defined]


def test_timeline_drawn_with_the_form_and_a_point_narrows_the_search(page, live) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page.goto(live + "/timeline")
    page.locator("#q1").fill("halvard")
    page.locator("#q2").fill("brightwater")
    page.locator("#timeline-form button[type=submit]").click()
    expect(page.locator("svg.chart")).to_have_count(1)
    data = api(live, "/api/timeline?q1=halvard&q2=brightwater")
    expect(page.locator(".legend li")).to_have_count(2)
    assert [" ".join(t.split()) for t in page.locator(".legend li").all_inner_texts()] == [
        f"{s['label']} {s['total']} articles" for s in data["series"]]
    assert page.url.startswith(live + "/timeline?q1=halvard&q2=brightwater")  # the address follows
    shot(page, "timeline-desktop.png")
    point = page.locator("svg.chart .series").first.locator("a").first
    href = point.get_attribute("href")
    point.locator("circle.hit-area").click()
    page.wait_for_url(live + href)
    assert page.locator("#q").input_value() == "halvard"
    assert page.problems == [], "\n".join(page.problems)  # type: ignore[attr-defined]


def test_a_top_term_adds_itself_to_the_query(page, live) -> None:  # noqa: F811
    page.goto(live + "/analysis?q=halvard")
    terms = api(live, "/api/terms?q=halvard")["terms"]
    labels = page.locator(".terms li .label").all_inner_texts()
    assert len(labels) == len(terms) > 0
    shot(page, "analysis-desktop.png")
    page.locator(".terms li a").first.click()
    page.wait_for_load_state()
    assert page.locator("#q").input_value().startswith("halvard ")
    assert page.problems == [], "\n".join(page.problems)  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/search?q=halvard", "/analysis?q=halvard",
                                  "/timeline?q1=halvard&q2=brightwater&q3=valmere"])
def test_phone_width_nothing_sticks_out(browser, live, path) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live + path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    shot(page, f"{path.split('?')[0].strip('/')}-phone.png".replace("search-phone", "search-collapsed-phone"))
    context.close()
