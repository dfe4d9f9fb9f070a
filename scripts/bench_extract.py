"""Extraction quality on trafilatura's evaluation set: our ingest path beside trafilatura alone.

    .venv/bin/python scripts/bench_extract.py [DEVSET] [--limit N] [--json] [--errors dev]
        [--no-check] [--raise-floors] [--floors FILE]

``DEVSET`` is the unpacked set (default ``/work/scratch/trafilatura-eval``, else
``tar xJf ../shared/devsets/trafilatura-eval.tar.xz -C /tmp`` and pass ``/tmp/trafilatura-eval``):
990 real pages (Apache-2.0, from trafilatura's own tests), each with snippets a good extraction
must contain (``with``) and must not (``without``), and mostly the expected title, author and
publication date. Never copied into the repository.

**Splits.** A page is held out when ``int(sha256(file name)[:8], 16) % 10 < 3`` (~30%). Tuning
looks at the dev split only (``--errors dev`` lists dev pages where we are wrong); every figure
is printed for the dev split, the held-out split and all pages.

**Systems**, on the same pages in the same run:

- ``trafilatura``: ``trafilatura.extract(html, url=url)`` with its defaults (plain text) for the
  text; ``trafilatura.extract_metadata(html, default_url=url)`` for title, author and date
  (htmldate's extensive search);
- ``ours``: what lands in an article file: ``archive.extract.extract_article`` then
  ``archive.ingest.finish_article`` (cleanup, the date from the body or "unknown"), Markdown
  body; ``ours, markup removed``: the same body with Markdown markers removed before matching.

**Figures.** Text: a ``with`` snippet found (whitespace normalised) is a true positive, missing a
false negative; a ``without`` snippet found a false positive; summed over pages; precision,
recall, F1. Title and author, over the pages annotated with one (an empty annotation means "none"):
right (equal after case and spacing are folded; authors as a set of names), wrong (another
value given), missing. Date, over the pages with an expected date: right (the same day), wrong
(another day), missing (ours: undated); plus dates given on pages annotated as having none.
Rates are right / annotated and wrong / annotated. Ours also per ``dateSource`` (right / wrong):
what ``archive.dates.DATE_CONFIDENCE`` is calibrated on (dev split).

**Floors.** ``scripts/benchdata/extract_floors.json`` holds a floor for each of our figures
(``f1``, ``title_right``, ``author_right``, ``date_right`` as minimums, ``date_wrong`` as a
maximum; per split): the run exits 1 when a figure is past its floor (``--no-check`` skips
this). ``--raise-floors`` moves floors to the figures of this run where they improved, never the
other way. A run with ``--limit`` is never checked.

trafilatura's outputs are cached under ``bench-results/`` (keyed by its version and the set's
hash), so a second run only runs ours.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEVSET = Path("/work/scratch/trafilatura-eval")
FLOORS = ROOT / "scripts" / "benchdata" / "extract_floors.json"
CACHE = ROOT / "bench-results"
SPLITS = ("dev", "heldout", "all")
#: the clock of our ingest path (the set's pages are from 2012-2023)
NOW = datetime(2026, 12, 3, tzinfo=timezone.utc)


def split_of(name: str) -> str:
    """``heldout`` for ~30% of the pages, by a fixed hash of the file name; else ``dev``."""
    return "heldout" if int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:8], 16) % 10 < 3 \
        else "dev"


# ----------------------------------------------------------------------------------- scoring --

def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def strip_markup(text: str) -> str:
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", text, flags=re.M)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    text = re.sub(r"(?<![\w*])\*{1,2}(?=\S)|(?<=\S)\*{1,2}(?![\w*])", "", text)  # emphasis
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>~|])", r"\1", text)  # backslash escapes


def fold(text: Any) -> str:
    """For comparing titles: NFKC, case, quotes and dashes, spacing folded."""
    if isinstance(text, (list, tuple)):
        text = "; ".join(str(t) for t in text)
    text = unicodedata.normalize("NFKC", text if isinstance(text, str) else "").casefold()
    text = re.sub(r"[\u2018\u2019\u201a\u201b]", "'", text)
    text = re.sub(r"[\u201c\u201d\u201e\u201f\u00ab\u00bb]", '"', text)
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def author_names(text: str | None) -> frozenset[str]:
    """``"Jane Doe; John Roe"``, ``"Jane Doe and John Roe"``, ``"Jane Doe, John Roe"`` -> names."""
    parts = re.split(r"\s*(?:;|,|\band\b|\bund\b|&|\|)\s*", fold(text))
    return frozenset(p for p in parts if p)


class TextScore:
    def __init__(self) -> None:
        self.tp = self.fn = self.fp = self.tn = 0

    def add(self, output: str, expected: dict[str, Any]) -> None:
        text = normalise(output)
        for snippet in expected.get("with", []):
            if normalise(snippet) in text:
                self.tp += 1
            else:
                self.fn += 1
        for snippet in expected.get("without", []):
            if normalise(snippet) in text:
                self.fp += 1
            else:
                self.tn += 1

    def figures(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4),
                "tp": self.tp, "fn": self.fn, "fp": self.fp}


class FieldScore:
    """Right / wrong / missing over annotated pages (an empty annotation: nothing expected)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, found: Any, expected: Any) -> str:
        if expected:
            outcome = "missing" if not found else "right" if found == expected else "wrong"
        else:
            outcome = "given_where_none" if found else "right_none"
        self.counts[outcome] += 1
        return outcome

    def figures(self) -> dict[str, Any]:
        annotated = self.counts["right"] + self.counts["wrong"] + self.counts["missing"]
        out: dict[str, Any] = dict(sorted(self.counts.items()))
        out["annotated"] = annotated
        out["right_rate"] = round(self.counts["right"] / annotated, 4) if annotated else 0.0
        out["wrong_rate"] = round(self.counts["wrong"] / annotated, 4) if annotated else 0.0
        return out


def date_day(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    match = re.match(r"\s*(\d{4}-\d{2}-\d{2})", value or "")
    return match.group(1) if match else None


# ---------------------------------------------------------------------------------- systems --

def run_trafilatura(html: str, url: str) -> dict[str, Any]:
    import trafilatura

    started = time.process_time()
    try:
        text = trafilatura.extract(html, url=url) or ""
    except Exception:  # noqa: BLE001 - a crash of the baseline counts as empty output
        text = ""
    seconds = time.process_time() - started
    try:
        meta = trafilatura.extract_metadata(html, default_url=url)
    except Exception:  # noqa: BLE001
        meta = None
    return {"text": text, "title": getattr(meta, "title", None), "author": getattr(meta, "author", None),
            "date": getattr(meta, "date", None), "cpu": seconds}


def run_ours(html: str, url: str) -> dict[str, Any]:
    from archive.errors import NewsarchiveError
    from archive.extract import extract_article
    from archive.ingest import finish_article
    from archive.types import IngestOptions

    started = time.process_time()
    try:
        article = finish_article(extract_article(html, url=url), IngestOptions(now=NOW))
    except NewsarchiveError as exc:
        return {"text": "", "title": None, "author": None, "date": None, "date_source": None,
                "refused": re.sub(r"only \d+ word", "only N word", exc.message),
                "cpu": time.process_time() - started}
    return {"text": article.body, "title": article.title, "author": article.author,
            "date": article.published.date().isoformat() if article.published else None,
            "date_source": article.date_source, "refused": None,
            "cpu": time.process_time() - started}


# ------------------------------------------------------------------------------------ the run --

def load_pages(devset: Path, limit: int) -> list[tuple[str, dict[str, Any], Path]]:
    evaldata = json.loads((devset / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, expected in evaldata.items():
        for folder in ("eval", "cache"):
            path = devset / folder / expected["file"]
            if path.is_file():
                pages.append((url, expected, path))
                break
    return pages[:limit] if limit else pages


def baseline_outputs(devset: Path, pages: list, cached: bool) -> dict[str, dict[str, Any]]:
    import trafilatura

    from archive.extract import decode_html

    digest = hashlib.sha256((devset / "evaldata.json").read_bytes()).hexdigest()[:12]
    path = CACHE / f"extract-trafilatura-{trafilatura.__version__}-{digest}.json"
    stored = json.loads(path.read_text(encoding="utf-8")) if cached and path.is_file() else {}
    missing = [(url, p) for url, _, p in pages if url not in stored]
    for url, page in missing:
        stored[url] = run_trafilatura(decode_html(page.read_bytes()), url)
    if missing and cached:
        CACHE.mkdir(exist_ok=True)
        path.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    return stored


def measure(devset: Path, limit: int = 0, cached: bool = True) -> tuple[dict[str, Any], list[dict]]:
    from archive.extract import decode_html

    pages = load_pages(devset, limit)
    theirs_all = baseline_outputs(devset, pages, cached)
    scores: dict[str, dict[str, Any]] = {
        split: {system: {"text": TextScore(), "title": FieldScore(), "author": FieldScore(),
                         "date": FieldScore(), "cpu": 0.0, "pages": 0}
                for system in ("trafilatura", "ours", "ours_markup_removed")}
        for split in SPLITS}
    by_source: dict[str, Counter] = {split: Counter() for split in SPLITS}
    refusals: Counter[str] = Counter()
    rows = []
    for url, expected, path in pages:
        split = split_of(expected["file"])
        html = decode_html(path.read_bytes())
        theirs = theirs_all[url]
        ours = run_ours(html, url)
        if ours["refused"]:
            refusals[ours["refused"]] += 1
        row = {"url": url, "file": expected["file"], "split": split, "expected": expected,
               "theirs": theirs, "ours": ours}
        for part in (split, "all"):
            for system, output in (("trafilatura", theirs), ("ours", ours),
                                   ("ours_markup_removed", {**ours, "text": strip_markup(ours["text"])})):
                s = scores[part][system]
                s["text"].add(output["text"], expected)
                s["cpu"] += output["cpu"]
                s["pages"] += 1
                if "title" in expected:
                    row[f"{system}_title"] = s["title"].add(fold(output["title"]) or None,
                                                            fold(expected["title"]) or None)
                if "author" in expected:
                    row[f"{system}_author"] = s["author"].add(author_names(output["author"]) or None,
                                                              author_names(expected["author"]) or None)
                if "date" in expected:
                    outcome = s["date"].add(date_day(output["date"]), date_day(expected["date"]))
                    row[f"{system}_date"] = outcome
                    if system == "ours" and output.get("date"):
                        by_source[part][(output["date_source"], outcome)] += 1
        rows.append(row)
    report: dict[str, Any] = {"pages": len(pages), "devset": str(devset), "splits": {}}
    for split in SPLITS:
        out = {}
        for system, s in scores[split].items():
            out[system] = {"pages": s["pages"], **s["text"].figures(),
                           "title": s["title"].figures(), "author": s["author"].figures(),
                           "date": s["date"].figures(),
                           "cpu_ms_per_page": round(1000 * s["cpu"] / max(s["pages"], 1), 1)}
        sources: dict[str, dict[str, int]] = defaultdict(dict)
        for (source, outcome), n in sorted(by_source[split].items()):
            sources[source][outcome] = n
        out["ours"]["date_sources"] = dict(sources)
        report["splits"][split] = out
    report["our_refusals"] = dict(refusals.most_common())
    return report, rows


# ------------------------------------------------------------------------------------ floors --

#: figure name -> (where in a split's "ours" figures, True when higher is better)
FLOOR_FIGURES = {
    "f1": (("f1",), True),
    "title_right": (("title", "right_rate"), True),
    "author_right": (("author", "right_rate"), True),
    "date_right": (("date", "right_rate"), True),
    "date_wrong": (("date", "wrong_rate"), False),
}


def figure(report: dict[str, Any], split: str, name: str) -> float:
    node: Any = report["splits"][split]["ours"]
    for key in FLOOR_FIGURES[name][0]:
        node = node[key]
    return float(node)


def check_floors(report: dict[str, Any], floors: dict[str, dict[str, float]]) -> list[str]:
    """The figures past their floor, as lines for a person."""
    failures = []
    for split, figures in floors.items():
        for name, floor in figures.items():
            value = figure(report, split, name)
            higher = FLOOR_FIGURES[name][1]
            if (value < floor) if higher else (value > floor):
                relation = "below the floor" if higher else "above the ceiling"
                failures.append(f"{split} {name} {value:.4f} is {relation} {floor:.4f}")
    return failures


def raised_floors(report: dict[str, Any], floors: dict[str, dict[str, float]]
                  ) -> dict[str, dict[str, float]]:
    out = {}
    for split in SPLITS:
        out[split] = {}
        for name, (_, higher) in FLOOR_FIGURES.items():
            value = round(figure(report, split, name), 4)
            old = floors.get(split, {}).get(name)
            out[split][name] = value if old is None else (max(old, value) if higher else min(old, value))
    return out


# ------------------------------------------------------------------------------------ output --

def print_report(report: dict[str, Any]) -> None:
    print(f"{report['pages']} pages from {report['devset']}")
    for split in SPLITS:
        figures = report["splits"][split]
        print(f"\n== {split} ({figures['ours']['pages']} pages)")
        print(f"{'system':<22} {'F1':>6} {'prec':>6} {'recall':>6}   "
              f"{'title right/wrong':>17}   {'author right/wrong':>18}   {'date right/wrong':>16}"
              f"   {'ms/page':>7}")
        for name, key in (("trafilatura alone", "trafilatura"), ("ours (file body)", "ours"),
                          ("ours, markup removed", "ours_markup_removed")):
            m = figures[key]
            cells = [f"{m[f]['right_rate']:.3f}/{m[f]['wrong_rate']:.3f}" for f in ("title", "author", "date")]
            print(f"{name:<22} {m['f1']:>6.4f} {m['precision']:>6.4f} {m['recall']:>6.4f}   "
                  f"{cells[0]:>17}   {cells[1]:>18}   {cells[2]:>16}   {m['cpu_ms_per_page']:>7.1f}")
        for key in ("trafilatura", "ours"):
            d = figures[key]["date"]
            print(f"  dates {key:<12} of {d['annotated']} with a date: {d.get('right', 0)} right, "
                  f"{d.get('wrong', 0)} wrong, {d.get('missing', 0)} missing; "
                  f"{d.get('given_where_none', 0)} given on pages with none")
        sources = ", ".join(f"{s} {c.get('right', 0)}/{c.get('wrong', 0) + c.get('given_where_none', 0)}"
                            for s, c in figures["ours"]["date_sources"].items())
        print(f"  our dates by dateSource (right/wrong): {sources}")
    if report["our_refusals"]:
        print("\npages we refused (no article): " + "; ".join(
            f"{n} {reason}" for reason, n in report["our_refusals"].items()))


def print_errors(rows: list[dict], split: str) -> None:
    for row in rows:
        if row["split"] != split:
            continue
        e, ours = row["expected"], row["ours"]
        for part in ("title", "author", "date"):
            if row.get(f"ours_{part}") in ("wrong", "missing", "given_where_none"):
                print(f"{part:<6} {row['ours_' + part]:<16} expected {e.get(part)!r:.60} "
                      f"got {ours.get(part)!r:.60} [{ours.get('date_source') if part == 'date' else ''}] "
                      f"{row['file']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("devset", type=Path, nargs="?", default=DEFAULT_DEVSET,
                        help="the unpacked trafilatura-eval folder")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (not checked)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--errors", choices=["dev"], help="list our wrong titles, authors, dates")
    parser.add_argument("--no-check", action="store_true", help="do not compare with the floors")
    parser.add_argument("--raise-floors", action="store_true",
                        help="raise the floors to this run's figures where they improved")
    parser.add_argument("--no-cache", action="store_true", help="run trafilatura again")
    parser.add_argument("--floors", type=Path, default=FLOORS, help="the floor file")
    args = parser.parse_args(argv)
    if not (args.devset / "evaldata.json").is_file():
        print(f"error: {args.devset} holds no evaldata.json (unpack "
              "../shared/devsets/trafilatura-eval.tar.xz there)", file=sys.stderr)
        return 2
    report, rows = measure(args.devset, args.limit, cached=not args.no_cache)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_report(report)
    if args.errors:
        print_errors(rows, args.errors)
    if args.limit:
        return 0
    floors = json.loads(args.floors.read_text(encoding="utf-8")) if args.floors.is_file() else {}
    if args.raise_floors:
        args.floors.write_text(json.dumps(raised_floors(report, floors), indent=2) + "\n",
                               encoding="utf-8")
        print(f"floors written to {args.floors}", file=sys.stderr)
        return 0
    if not args.no_check and floors:
        failures = check_floors(report, floors)
        for line in failures:
            print(f"FLOOR: {line}", file=sys.stderr)
        if failures:
            return 1
        print("every figure is at or above its floor", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
