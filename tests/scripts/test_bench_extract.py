"""``scripts/bench_extract.py`` on a tiny evaluation set we wrote (the real one is never in the
repository): the scoring, the splits, the floors it checks and raises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import bench_extract as bench

PARAGRAPHS = ("<p>The ferry operator added two evening crossings to the island after a summer in "
              "which queues at the harbour reached three hours on weekends.</p>"
              "<p>Passengers will be able to book the new sailings from next week, the company said, "
              "and fares stay the same as on the daytime boats.</p>")


def write_set(root: Path) -> None:
    pages = {
        "https://ferries.example/2021/06/02/evening-crossings": {
            "file": "ferries.html", "title": "Ferry operator adds evening crossings",
            "author": "Ines Marlow", "date": "2021-06-02",
            "with": ["two evening crossings", "fares stay the same"], "without": ["Subscribe now"],
            "html": ("<html><head><title>Ferry operator adds evening crossings</title>"
                     "<meta name='author' content='Ines Marlow'></head><body><article>"
                     f"<h1>Ferry operator adds evening crossings</h1>{PARAGRAPHS}</article>"
                     "<aside><p>Subscribe now</p></aside></body></html>"),
        },
        "https://ferries.example/about": {
            "file": "about.html", "title": "About the ferry company", "author": "", "date": "",
            "with": ["queues at the harbour"], "without": [],
            "html": (f"<html><head><title>About the ferry company</title></head><body><main>{PARAGRAPHS}"
                     "</main></body></html>"),
        },
    }
    (root / "eval").mkdir(parents=True)
    evaldata = {}
    for url, page in pages.items():
        (root / "eval" / page["file"]).write_text(page.pop("html"), encoding="utf-8")
        evaldata[url] = page
    (root / "evaldata.json").write_text(json.dumps(evaldata), encoding="utf-8")


def test_scores_and_floors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    devset = tmp_path / "set"
    write_set(devset)
    floors = tmp_path / "floors.json"
    assert bench.main([str(devset), "--no-cache", "--floors", str(floors), "--raise-floors"]) == 0
    written = json.loads(floors.read_text(encoding="utf-8"))
    assert set(written) == {"dev", "heldout", "all"}
    assert set(written["all"]) == {"f1", "title_right", "author_right", "date_right", "date_wrong"}
    capsys.readouterr()
    assert bench.main([str(devset), "--no-cache", "--json", "--floors", str(floors)]) == 0
    report = json.loads(capsys.readouterr().out)
    ours = report["splits"]["all"]["ours"]
    assert (ours["tp"], ours["fn"], ours["fp"], ours["f1"]) == (3, 0, 0, 1.0)
    assert (ours["title"]["right"], ours["title"]["annotated"]) == (2, 2)
    assert ours["author"] == {"right": 1, "right_none": 1, "annotated": 1, "right_rate": 1.0,
                              "wrong_rate": 0.0}
    assert (ours["date"]["right"], ours["date"]["annotated"], ours["date_sources"]) == (
        1, 1, {"url": {"right": 1}})
    assert report["splits"]["dev"]["ours"]["pages"] + report["splits"]["heldout"]["ours"]["pages"] == 2
    # a floor above what we reach fails the run with one line per figure
    written["all"]["f1"] = 1.01
    written["all"]["date_wrong"] = -0.5
    floors.write_text(json.dumps(written), encoding="utf-8")
    assert bench.main([str(devset), "--no-cache", "--floors", str(floors)]) == 1
    err = capsys.readouterr().err
    assert "FLOOR: all f1 1.0000 is below the floor 1.0100" in err
    assert "FLOOR: all date_wrong 0.0000 is above the ceiling -0.5000" in err
    # raising never lowers
    assert bench.raised_floors(report, written)["all"]["f1"] == 1.01


def test_helpers() -> None:
    assert bench.fold("  Ferry \u2013 \u201cCrossings\u201d. ") == 'ferry - "crossings"'
    assert bench.author_names("Jane Doe; John Roe") == bench.author_names("john roe and jane doe")
    assert bench.split_of("a.html") in ("dev", "heldout")
    assert sum(bench.split_of(f"page{n}.html") == "heldout" for n in range(1000)) in range(250, 350)
