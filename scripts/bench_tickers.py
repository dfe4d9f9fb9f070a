"""Measure ticker extraction (``archive.tickers``) on our labelled set.

    .venv/bin/python scripts/bench_tickers.py [--errors N] [--no-check]

``scripts/benchdata/tickers.tsv`` holds texts about crypto and markets written and labelled by us
(the guideline is in its header), split into dev and held-out by the fixed rule of
``scripts/bench/splits.py``. Precision and recall count (text, ticker) pairs; the text goes
through ``extract_tickers`` as ingest calls it. ``FLOORS`` are checked on held-out (exit 1 below);
``--errors`` prints dev mistakes only. Speed: whole English demo articles per CPU-second.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click

from archive import tickers
from scripts.bench.splits import split_of

ROOT = Path(__file__).resolve().parent.parent
TICKER_SET = ROOT / "scripts" / "benchdata" / "tickers.tsv"
#: held-out floors (raise them when the figures improve, never lower one quietly)
FLOORS = {"precision": 0.95, "recall": 0.95}


def read_ticker_set(path: Path = TICKER_SET) -> list[tuple[tuple[str, ...], str]]:
    """``(expected tickers, text)`` per ``TICKERS<TAB>text`` line (``-`` for none)."""
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        labels, tab, text = line.partition("\t")
        if not tab or not text.strip():
            raise click.ClickException(f"{path.name} line {number}: expected TICKERS<TAB>text")
        expected = () if labels == "-" else tuple(labels.split(","))
        rows.append((expected, text))
    return rows


def score(rows: list[tuple[tuple[str, ...], str]]) -> tuple[float, float, int, int, int]:
    """Precision, recall, true positives, false positives, false negatives."""
    tp = fp = fn = 0
    for expected, text in rows:
        got = set(tickers.extract_tickers(text))
        tp += len(got & set(expected))
        fp += len(got - set(expected))
        fn += len(set(expected) - got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


@click.command()
@click.option("--errors", type=int, default=0, help="Print this many DEV mistakes (never held-out ones).")
@click.option("--check/--no-check", default=True, show_default=True,
              help="Exit 1 when a held-out figure is below its floor (FLOORS).")
@click.option("--speed/--no-speed", default=True, show_default=True,
              help="Also measure whole demo articles per CPU-second.")
def main(errors: int, check: bool, speed: bool) -> None:
    """Precision and recall of the tickers field, dev and held-out."""
    tickers.load_assets()  # not timed
    rows = read_ticker_set()
    splits = {name: [r for r in rows if split_of(r[1]) == name] for name in ("dev", "heldout")}
    click.echo(f"tickers: {len(rows)} texts, {sum(len(e) for e, _ in rows)} tickers; "
               f"dev {len(splits['dev'])}, held-out {len(splits['heldout'])}")
    failed = []
    for name, part in splits.items():
        precision, recall, tp, fp, fn = score(part)
        click.echo(f"  {name:<8} precision {precision:.3f}  recall {recall:.3f}  "
                   f"(right {tp}, wrong {fp}, missed {fn})")
        if name == "heldout":
            for figure, value in (("precision", precision), ("recall", recall)):
                ok = value >= FLOORS[figure]
                click.echo(f"  floor {figure} {FLOORS[figure]:.2f}: {'ok' if ok else 'BELOW'}")
                if not ok:
                    failed.append(f"held-out {figure} {value:.3f} < {FLOORS[figure]:.2f}")
    shown = 0
    for expected, text in splits["dev"]:
        got = tickers.extract_tickers(text)
        if shown < errors and set(got) != set(expected):
            shown += 1
            click.echo(f"    dev [{','.join(expected) or '-'} got {','.join(got) or '-'}] {text}")
    if speed:
        from archive.store import Store

        articles = [a for _, a, _ in Store(ROOT / "archive" / "demo").iter_articles() if a]
        done, started = 0, time.process_time()
        while time.process_time() - started < 1.0:
            for article in articles:
                tickers.extract_tickers(article.body, title=article.title)
            done += len(articles)
        rate = done / (time.process_time() - started)
        click.echo(f"speed: {rate:,.0f} whole demo articles per CPU-second ({len(articles)} articles)")
    if check and failed:
        raise click.ClickException("below the quality floor: " + "; ".join(failed))


if __name__ == "__main__":
    main()
