"""The publisher's local day through the whole path: ``newsarchive ingest`` of a page stamped
``2020-04-07T17:10:46-07:00`` (08 April in UTC) files, filters, counts and shows it on 7 April;
UTC only orders it."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
from click.testing import CliRunner

from scripts.cli import main

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Desert solar farm starts feeding the grid</title>
<meta property="article:published_time" content="2020-04-07T17:10:46-07:00">
<link rel="canonical" href="https://sunwire.example/energy/desert-solar-farm">
</head><body><article><h1>Desert solar farm starts feeding the grid</h1>
<p>The largest solar farm in the state began delivering power on Tuesday evening, its operator
said, after a two-month delay caused by a shortage of transformers.</p>
<p>The plant will supply about 90,000 homes once all of its panels are connected later this
year, according to the utility that buys its output under a twenty-year contract.</p>
</article></body></html>"""

#: the same day's last article in UTC terms: published before the solar farm's instant
EVENING = """---
title: Grid operator warns of tight evening supply
publishedAt: '2020-04-07T23:30:00.000Z'
source: {name: Grid Desk, key: griddesk, type: FILE}
---
The grid operator said evening supply would stay tight until new batteries come online.
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_a_local_date_stays_the_publishers_day(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (tmp_path / "solar.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "evening.md").write_text(EVENING, encoding="utf-8")
    result = run("ingest", "--home", str(home), "--json", str(tmp_path / "solar.html"),
                 str(tmp_path / "evening.md"))
    assert result.exit_code == 0, result.output
    solar = json.loads(result.stdout)["results"][0]
    # filed under the local month, the offset kept in the file
    assert Path(solar["path"]) == home / "articles/2020/04/desert-solar-farm-starts-feeding-the-grid.en.md"
    text = Path(solar["path"]).read_text(encoding="utf-8")
    assert "publishedAt: '2020-04-07T17:10:46.000-07:00'" in text
    assert "dateSource: metadata\ndateConfidence: 0.86\n" in text

    def search(*args: str) -> dict:
        found = run("search", "--home", str(home), "--json", *args)
        assert found.exit_code == 0, found.output
        return json.loads(found.output)

    # the day filter, the query language's day and the histogram use the local day
    assert [h["title"][:11] for h in search("--from", "2020-04-07", "--to", "2020-04-07",
                                            "--sort", "newest")["hits"]] == ["Desert sola", "Grid operat"]
    assert search("--from", "2020-04-08")["total"] == 0
    assert search("published:2020-04-07")["total"] == 2
    everything = search("--sort", "newest")
    assert [(b["start"], b["count"]) for b in everything["histogram"]] == [("2020-04-07", 2)]
    # UTC orders: 00:10 UTC on the 8th is after 23:30 UTC on the 7th
    assert [h["published"] for h in everything["hits"]] == ["2020-04-07T17:10:46-07:00",
                                                            "2020-04-07T23:30:00Z"]
    assert [h["date_source"] for h in everything["hits"]] == ["metadata", "provided"]

    from web.app import create_app

    app = create_app({"HOME": home})
    try:
        page = app.test_client().get(f"/article/{solar['id']}").get_data(as_text=True)
    finally:
        app.extensions["newsarchive"].close()
    doc = lxml.html.fromstring(page)
    assert doc.cssselect("header .hit-meta time")[0].text_content() == "7 Apr 2020"
    cited = {dt.text_content(): dd.text_content().strip()
             for dt, dd in zip(doc.cssselect(".citation dt"), doc.cssselect(".citation dd"))}
    assert cited["Published"] == "2020-04-07 17:10 (UTC\u221207:00)"
