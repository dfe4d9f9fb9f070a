"""Extraction quality on trafilatura's evaluation set: our pipeline against trafilatura alone.

    tar xJf ../shared/devsets/trafilatura-eval.tar.xz -C /tmp
    .venv/bin/python scripts/bench_extract.py /tmp/trafilatura-eval [--limit N] [--json]

The set (990 real pages, Apache-2.0, from trafilatura's own tests) gives, per page, snippets a good
extraction must contain (``with``) and must not (``without``), and mostly the expected date. Scoring
as its README says: whitespace normalised; a ``with`` snippet found is a true positive, missing a
false negative; a ``without`` snippet found is a false positive; summed over all pages; F1.

Systems compared:

- ``trafilatura``: ``trafilatura.extract(html, url=url)``, its defaults (plain text, comments
  included); its date from ``trafilatura.extract_metadata`` (htmldate's extensive search);
- ``ours``: ``archive.extract.extract_article`` then ``archive.cleanup.clean_body`` (what lands in
  an article file: Markdown);
- ``ours (markup removed)``: the same, with Markdown markers (emphasis, ``#``, ``- ``, backslash
  escapes) removed before matching, to separate formatting from content differences.

Dates: of pages with an expected publication date, how many each system gets right, wrong or
leaves empty (ours only states a date the page declares; trafilatura alone also guesses).
Timing: seconds per page for each system (this machine is shared; compare, don't quote).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def strip_markup(text: str) -> str:
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text, flags=re.M)
    text = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", text, flags=re.M)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    text = re.sub(r"(?<![\w*])\*{1,2}(?=\S)|(?<=\S)\*{1,2}(?![\w*])", "", text)  # emphasis
    return re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>~|])", r"\1", text)  # backslash escapes


class Score:
    def __init__(self) -> None:
        self.tp = self.fn = self.fp = self.tn = 0
        self.seconds = 0.0
        self.empty = 0

    def add(self, output: str, expected: dict[str, Any]) -> None:
        text = normalise(output)
        if not text:
            self.empty += 1
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

    def metrics(self, pages: int) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                "tp": self.tp, "fn": self.fn, "fp": self.fp, "tn": self.tn, "empty": self.empty,
                "seconds_per_page": round(self.seconds / max(pages, 1), 4)}


class DateScore:
    def __init__(self) -> None:
        self.right = self.wrong = self.missing = 0
        #: a day off: a time near midnight read in UTC (ours) against the page's local date
        self.next_day = 0
        #: pages whose expected date is empty but a date was given anyway
        self.invented = 0

    def add(self, found: str | None, expected: str | None) -> None:
        if expected:
            if not found:
                self.missing += 1
            elif found[:10] == expected[:10]:
                self.right += 1
            elif _one_day_apart(found[:10], expected[:10]):
                self.next_day += 1
            else:
                self.wrong += 1
        elif found:
            self.invented += 1

    def as_dict(self) -> dict[str, int]:
        return {"right": self.right, "one_day_off": self.next_day, "wrong": self.wrong,
                "missing": self.missing,
                "given_where_none_expected": self.invented}


def _one_day_apart(a: str, b: str) -> bool:
    from datetime import date

    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) == 1
    except ValueError:
        return False


def find_file(root: Path, name: str) -> Path | None:
    for folder in ("eval", "cache"):
        path = root / folder / name
        if path.is_file():
            return path
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("devset", type=Path, help="the unpacked trafilatura-eval folder")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    import trafilatura

    from archive.cleanup import clean_body
    from archive.errors import NewsarchiveError
    from archive.extract import decode_html, extract_article

    evaldata = json.loads((args.devset / "evaldata.json").read_text(encoding="utf-8"))
    items = list(evaldata.items())
    if args.limit:
        items = items[: args.limit]
    theirs, ours, ours_plain = Score(), Score(), Score()
    their_dates, our_dates = DateScore(), DateScore()
    pages = 0
    failures: dict[str, int] = {}
    for url, expected in items:
        path = find_file(args.devset, expected["file"])
        if path is None:
            continue
        pages += 1
        data = path.read_bytes()
        html = decode_html(data)

        started = time.perf_counter()
        try:
            their_text = trafilatura.extract(html, url=url) or ""
        except Exception:  # noqa: BLE001 - a crash of the baseline counts as empty output
            their_text = ""
        theirs.seconds += time.perf_counter() - started
        theirs.add(their_text, expected)
        try:  # the date trafilatura alone would give (htmldate's extensive search), not timed
            their_date = trafilatura.extract_metadata(html, default_url=url).date
        except Exception:  # noqa: BLE001
            their_date = None

        started = time.perf_counter()
        try:
            article = extract_article(html, url=url)
            source = article.source.key if article.source else None
            our_text = clean_body(article.body, source_key=source)
            our_date = article.published_at.strftime("%Y-%m-%d") if article.published_at else None
        except NewsarchiveError as exc:
            our_text, our_date = "", None
            reason = re.sub(r"only \d+ word", "only N word", exc.message)
            failures[reason] = failures.get(reason, 0) + 1
        elapsed = time.perf_counter() - started
        ours.seconds += elapsed
        ours_plain.seconds += elapsed
        ours.add(our_text, expected)
        ours_plain.add(strip_markup(our_text), expected)
        if "date" in expected:
            their_dates.add(their_date, expected["date"])
            our_dates.add(our_date, expected["date"])

    report = {
        "pages": pages,
        "trafilatura": theirs.metrics(pages) | {"dates": their_dates.as_dict()},
        "ours": ours.metrics(pages) | {"dates": our_dates.as_dict()},
        "ours_markup_removed": ours_plain.metrics(pages),
        "our_refusals": dict(sorted(failures.items(), key=lambda kv: -kv[1])),
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(f"{pages} pages from {args.devset}")
    print(f"{'system':<24} {'F1':>7} {'prec':>7} {'recall':>7} {'empty':>6} {'s/page':>8}")
    for name, key in (("trafilatura alone", "trafilatura"), ("ours (body, cleaned)", "ours"),
                      ("ours, markup removed", "ours_markup_removed")):
        m = report[key]
        print(f"{name:<24} {m['f1']:>7.4f} {m['precision']:>7.4f} {m['recall']:>7.4f} "
              f"{m['empty']:>6} {m['seconds_per_page']:>8.4f}")
    print("dates, of pages with an expected date: right / one day off (UTC vs local) / wrong / "
          "missing; and dates given where none is expected:")
    for name, key in (("trafilatura alone", "trafilatura"), ("ours", "ours")):
        d = report[key]["dates"]
        print(f"  {name:<22} {d['right']:>4} / {d['one_day_off']:>3} / {d['wrong']:>3} / "
              f"{d['missing']:>3}; {d['given_where_none_expected']}")
    if failures:
        print("pages we refused (no article):")
        for reason, count in report["our_refusals"].items():
            print(f"  {count:>4}  {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
