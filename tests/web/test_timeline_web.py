"""The timeline's faces on the real app and the real command: the page (server-rendered SVG,
legend, table), the htmx fragment, /api/timeline, CSV and ``newsarchive timeline``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from archive.store import Store
from index.build import reindex
from index.search import SearchService
from index.timeline import parse_timeline_params
from scripts.cli import main
from tests.index.timeline_fixtures import timeline_articles

QS = "q1=copper&q2=gold&label2=Gold&interval=month"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("timeline-web") / "home"
    store = Store(home)
    for article in timeline_articles():
        store.save(article)
    reindex(home, procs=1)
    return home


@pytest.fixture(scope="module")
def client(home: Path):
    from web.app import create_app

    return create_app({"HOME": home}).test_client()


def expected(home: Path, qs: str = QS):
    from werkzeug.datastructures import MultiDict
    from urllib.parse import parse_qsl

    with SearchService(home) as service:
        return service.timeline(parse_timeline_params(MultiDict(parse_qsl(qs))))


def test_the_api_is_the_timeline_itself(client, home):
    data = client.get(f"/api/timeline?{QS}").json
    want = expected(home).to_dict()
    data.pop("took_ms"), want.pop("took_ms")
    assert data == {"ok": True, **want}
    assert [(s["label"], s["counts"], s["undated"]) for s in data["series"]] == [
        ("copper", [4, 2], 1), ("Gold", [1, 4], 0)]
    assert data["base"] == {"counts": [9, 18], "undated": 2}


def test_the_page_draws_a_chart_with_axes_points_legend_and_table(client):
    doc = lxml.html.fromstring(client.get(f"/timeline?{QS}&measure=share").data)
    svg = doc.cssselect("svg.chart")[0]
    assert svg.get("role") == "img"
    # the time axis: the year's tick and January/February labels; the value axis in percent
    labels = [t.text_content() for t in svg.cssselect(".x-axis text")]
    assert labels == ["2026", "Feb"]
    assert [t.text_content() for t in svg.cssselect(".y-axis text.tick-label")] == [
        "0%", "20%", "40%", "60%"]
    assert svg.cssselect(".axis-title")[0].text_content() == "share of all coverage"
    # one link per point, with the value on hover, opening the search narrowed to the month
    points = [(a.get("href"), a.cssselect("title")[0].text_content()) for a in svg.cssselect(".series a")]
    assert points == [
        ("/search?q=copper&from=2026-01-01&to=2026-01-31&sort=newest",
         "copper, Jan 2026: 4 articles (44.4% of all coverage)"),
        ("/search?q=copper&from=2026-02-01&to=2026-02-28&sort=newest",
         "copper, Feb 2026: 2 articles (11.1% of all coverage)"),
        ("/search?q=gold&from=2026-01-01&to=2026-01-31&sort=newest",
         "Gold, Jan 2026: 1 article (11.1% of all coverage)"),
        ("/search?q=gold&from=2026-02-01&to=2026-02-28&sort=newest",
         "Gold, Feb 2026: 4 articles (22.2% of all coverage)"),
    ]
    assert [li.text_content().split() for li in doc.cssselect(".legend li")] == [
        ["copper", "6", "articles"], ["Gold", "5", "articles"]]
    rows = [[c.text_content().strip() for c in tr] for tr in doc.cssselect(".timeline-table tr")]
    assert rows == [["Month", "copper", "Gold", "All coverage"],
                    ["Jan 2026", "4 (44.4%)", "1 (11.1%)", "9"],
                    ["Feb 2026", "2 (11.1%)", "4 (22.2%)", "18"],
                    ["Date unknown", "1", "0", "2"]]
    assert "counted apart" in doc.cssselect(".undated-note")[0].text_content()


def test_the_fragment_and_the_form_work_with_htmx_and_without(client):
    page = lxml.html.fromstring(client.get("/timeline").data)
    form = page.cssselect("form#timeline-form")[0]
    assert (form.get("method"), form.get("action"), form.get("hx-get")) == ("get", "/timeline", "/timeline")
    assert [i.get("name") for i in form.cssselect("input[type=search]")] == [f"q{i}" for i in range(1, 7)]
    response = client.get(f"/timeline?{QS}", headers={"HX-Request": "true"})
    assert response.headers["HX-Push-Url"] == "/timeline?" + QS
    assert response.headers["Vary"] == "HX-Request"
    fragment = lxml.html.fromstring(response.data)
    assert fragment.cssselect("svg.chart") and not fragment.cssselect("form")


def test_csv_is_the_table(client, home):
    response = client.get(f"/timeline.csv?{QS}")
    assert response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(response.data.decode()))) == [
        [str(c) for c in row] for row in expected(home).rows()]


@pytest.mark.parametrize("path, status, message", [
    ("/api/timeline", 400, "a timeline needs at least one query: q1=... (up to q6)"),
    ("/api/timeline?q1=x&interval=hourly", 400,
     "'interval' must be one of auto, day, week, month, year, not 'hourly'"),
    ("/api/timeline?q1=%22open", 400, None),
    ("/api/timeline?q1=x&limit=5", 400, None),
])
def test_bad_requests_are_one_json_envelope(client, path, status, message):
    response = client.get(path)
    assert response.status_code == status and response.mimetype == "application/json"
    assert set(response.json) == {"ok", "error", "status"} and response.json["ok"] is False
    if message:
        assert response.json["error"] == message


def test_a_bad_timeline_page_is_a_400_page_with_the_form(client):
    response = client.get("/timeline?q1=x&interval=hourly")
    doc = lxml.html.fromstring(response.data)
    assert response.status_code == 400
    assert doc.cssselect(".notice-error p")[0].text_content() == (
        "'interval' must be one of auto, day, week, month, year, not 'hourly'")
    assert doc.cssselect("input#q1")[0].get("value") == "x"


def test_the_command_prints_the_same_timeline(home):
    runner = CliRunner()
    result = runner.invoke(main, ["timeline", "--home", str(home), "copper", "gold",
                                  "--label", "copper", "--label", "Gold", "--interval", "month", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    want = expected(home, QS + "&label1=copper").to_dict()
    data.pop("took_ms"), want.pop("took_ms")
    assert data == want
    text = runner.invoke(main, ["timeline", "--home", str(home), "copper", "--interval", "month"])
    assert text.exit_code == 0
    assert text.stdout.splitlines()[2:6] == [
        "month                 copper       all",
        "Jan 2026           4 (44.4%)         9",
        "Feb 2026           2 (11.1%)        18",
        "date unknown               1         2",
    ]
    bad = runner.invoke(main, ["timeline", "--home", str(home), "x", "--from", "2026-13"])
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: 'from' must be a date")
