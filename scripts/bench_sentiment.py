"""Measure the sentiment classifier (newsarchive-finlex) on the Financial PhraseBank.

    .venv/bin/python scripts/bench_sentiment.py [--devset ../shared/devsets/financial_phrasebank]

For each file (``Sentences_AllAgree.txt``, ``Sentences_75Agree.txt``; one ``sentence@label`` per
line, the 75Agree file in Latin-1) it prints accuracy, macro-F1 and the confusion matrix of our
classifier and of the trivial baseline (always NEUTRAL), and the time per sentence. Then, for whole
articles, the English demo articles of ``archive/demo`` (written by us, labelled by their authors).

The PhraseBank is CC BY-NC-SA: it is read here to measure, never copied into the repository, and the
word lists were not derived from it (they are written by hand; the thresholds were tuned by hand
looking at these figures).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Callable, Sequence

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click

from archive import sentiment

LABELS = ("POSITIVE", "NEGATIVE", "NEUTRAL")
DEFAULT_DEVSET = Path(__file__).resolve().parent.parent.parent / "shared" / "devsets" / "financial_phrasebank"
FILES = (("Sentences_AllAgree.txt", "utf-8"), ("Sentences_75Agree.txt", "latin-1"))


def read_phrasebank(path: Path, encoding: str) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_bytes().decode(encoding).splitlines():
        if "@" not in line:
            continue
        sentence, label = line.rsplit("@", 1)
        rows.append((sentence.strip(), label.strip().upper()))
    return rows


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    matrix = {g: {p: 0 for p in LABELS} for g in LABELS}
    for g, p in zip(gold, predicted):
        matrix[g][p] += 1
    return matrix


def scores(matrix: dict[str, dict[str, int]]) -> tuple[float, float, dict[str, float]]:
    """Accuracy, macro-F1 and F1 per label from a confusion matrix (rows gold, columns predicted)."""
    total = sum(sum(row.values()) for row in matrix.values())
    correct = sum(matrix[label][label] for label in LABELS)
    f1s = {}
    for label in LABELS:
        tp = matrix[label][label]
        predicted = sum(matrix[g][label] for g in LABELS)
        actual = sum(matrix[label].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1s[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return (correct / total if total else 0.0), sum(f1s.values()) / len(LABELS), f1s


def report(name: str, gold: Sequence[str], predicted: Sequence[str]) -> None:
    matrix = confusion(gold, predicted)
    accuracy, macro_f1, f1s = scores(matrix)
    per_label = "  ".join(f"F1 {label[:3]} {f1s[label]:.3f}" for label in LABELS)
    click.echo(f"  {name:<28} accuracy {accuracy:.3f}  macro-F1 {macro_f1:.3f}  ({per_label})")
    header = "gold / predicted"
    click.echo(f"    {header:<18}" + "".join(f"{p:>10}" for p in LABELS))
    for g in LABELS:
        click.echo(f"    {g:<18}" + "".join(f"{matrix[g][p]:>10}" for p in LABELS))


def run(rows: list[tuple[str, str]], classify: Callable[[str], str]) -> tuple[list[str], float]:
    started = time.perf_counter()
    predicted = [classify(sentence) for sentence, _ in rows]
    return predicted, time.perf_counter() - started


@click.command()
@click.option("--devset", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=DEFAULT_DEVSET, show_default=True, help="Folder of the Financial PhraseBank.")
@click.option("--errors", type=int, default=0,
              help="Also print this many misclassified sentences per file (for tuning by hand).")
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Also score whole articles: the English demo articles against their own labels.")
def main(devset: Path, errors: int, demo: bool) -> None:
    """Accuracy, macro-F1 and confusion matrices: newsarchive-finlex vs always-NEUTRAL."""
    sentiment.load_lexicon()  # not timed
    click.echo(f"classifier: {sentiment.NAME} {sentiment.VERSION}")
    for filename, encoding in FILES:
        path = devset / filename
        if not path.exists():
            click.echo(f"{filename}: missing, skipped")
            continue
        rows = read_phrasebank(path, encoding)
        gold = [label for _, label in rows]
        counts = ", ".join(f"{label.lower()} {gold.count(label)}" for label in LABELS)
        click.echo(f"\n{filename}: {len(rows)} sentences ({counts})")
        predicted, seconds = run(rows, sentiment.classify_sentence)
        report(f"{sentiment.NAME} {sentiment.VERSION}", gold, predicted)
        click.echo(f"    {seconds / len(rows) * 1e6:.0f} us per sentence")
        report("baseline: always NEUTRAL", gold, ["NEUTRAL"] * len(rows))
        shown = 0
        for (sentence, label), guess in zip(rows, predicted):
            if shown >= errors:
                break
            if label != guess:
                shown += 1
                click.echo(f"    [{label[:3]} got {guess[:3]} {sentiment.score_sentence(sentence):+.2f}] {sentence}")
    if demo:
        report_demo()


def report_demo() -> None:
    """Whole articles: the English demo articles (ours) against the sentiment their authors gave."""
    from archive.store import Store

    home = Path(__file__).resolve().parent.parent / "archive"
    articles = [a for _, a, _ in Store(home / "demo").iter_articles() if a is not None]
    rows = [a for a in articles if (a.lang or "en").startswith("en") and a.sentiment
            and a.sentiment_source != "computed"]
    if not rows:
        return
    gold = [a.sentiment for a in rows]
    counts = ", ".join(f"{label.lower()} {gold.count(label)}" for label in LABELS)
    click.echo(f"\nEnglish demo articles, whole articles (title + body): {len(rows)} ({counts})")
    started = time.perf_counter()
    predicted = [sentiment.classify_article(a.title, a.body) for a in rows]
    seconds = time.perf_counter() - started
    report(f"{sentiment.NAME} {sentiment.VERSION}", gold, predicted)
    click.echo(f"    {seconds / len(rows) * 1e3:.1f} ms per article")
    report("baseline: always NEUTRAL", gold, ["NEUTRAL"] * len(rows))


if __name__ == "__main__":
    main()
