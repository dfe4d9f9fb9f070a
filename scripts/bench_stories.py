"""Measure the story rule (``index.stories``) on our labelled pairs of articles.

    .venv/bin/python scripts/bench_stories.py [--split dev|heldout|both] [--show-errors]

The labelled set (``tests/fixtures/stories/dev.yaml`` and ``heldout.yaml``, written by us) names
the story of every article; every pair of articles of one split is labelled ``same`` (one news
event: independent reports, syndicated copies, reposts, AI rewrites, exact duplicates),
``related`` (follow-ups, months-long context, one outlet's template headline or boilerplate
lede, same-day look-alikes) or ``unrelated``. The rule is tuned on ``dev`` only; ``heldout`` is
measured, never tuned on.

Two figures per split, each precision (linked pairs that are the same story) and recall (same-
story pairs that are linked):

- ``pairs``: the rule itself (``same_story``) on every pair;
- ``index``: the story ids the index gives (``assign_stories``: each article, oldest first,
  joins the story of its best match or starts one), the pairs with one story id.
"""

from __future__ import annotations

import itertools
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click
import yaml

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id

SET_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stories"
SPLITS = ("dev", "heldout")
LABELS = ("same", "related", "unrelated")

SOURCE_NAMES = {
    "harborstreet": "Harbor Street", "meridian": "Meridian Markets", "ledgerwire": "The Ledger Wire",
    "blockframe": "Blockframe", "tokentribune": "Token Tribune", "circuitdaily": "Circuit Daily",
    "newsloop": "NewsLoop", "cryptobrief": "CryptoBrief", "valleyherald": "Valley Herald",
    "coastalpost": "Coastal Post", "wirefeed": "Wirefeed", "dailyledger": "The Daily Ledger",
    "finanzblick": "Finanzblick",
}


@dataclass(frozen=True)
class Labelled:
    key: str
    story: str
    role: str
    article: Article


@dataclass(frozen=True)
class Pair:
    a: Labelled
    b: Labelled
    label: str
    #: why: the role of the copy for ``same``, the relation for ``related``, else ``unrelated``
    kind: str


def load_split(split: str, folder: Path = SET_DIR) -> tuple[list[Labelled], list[tuple[str, str, str]]]:
    """The articles of one split (as the archive would hold them) and its related story pairs."""
    data = yaml.safe_load((folder / f"{split}.yaml").read_text(encoding="utf-8"))
    rows = {row["key"]: row for row in data["articles"]}
    out = []
    for row in data["articles"]:
        fields = _resolved(row, rows)
        when = datetime.fromisoformat(str(fields["published"])).replace(tzinfo=timezone.utc)
        key = fields["source"]
        body = fields["body"].strip()
        article = Article(
            title=fields["title"], description=fields.get("description") or None, body=body,
            published_at=when, lang="de" if key == "finanzblick" else "en",
            source=Source(name=SOURCE_NAMES.get(key, key), key=key, type="RSS"),
            category="NEWS", tags=("NEWS",), url=f"https://{key}.example/{split}/{row['key']}",
            ingested_at=when, date_source="ingested" if fields.get("undated") else "provided",
            ai={"rewritten": True} if fields.get("ai") else None,
            content_hash=compute_content_hash(body),
        )
        out.append(Labelled(row["key"], row["story"], row.get("role", ""),
                            article.replace(id=derive_id(article))))
    related = [tuple(r) for r in data.get("related") or ()]
    return out, related


def _resolved(row: dict, rows: dict) -> dict:
    """A row with ``copy_of`` applied (title, description, body taken from the original, then
    the row's own edits)."""
    if "copy_of" not in row:
        return row
    original = _resolved(rows[row["copy_of"]], rows)
    fields = {**original, **{k: v for k, v in row.items() if k not in ("copy_of", "paragraphs", "lead", "tail")}}
    if "description" in row:
        fields["description"] = row["description"]
    paragraphs = [p for p in original["body"].strip().split("\n\n") if p.strip()]
    if row.get("paragraphs"):
        paragraphs = paragraphs[: row["paragraphs"]]
    if row.get("lead"):
        paragraphs.insert(0, row["lead"].replace("{title}", ""))
    if row.get("tail"):
        paragraphs.append(row["tail"])
    fields["body"] = "\n\n".join(p.strip() for p in paragraphs)
    fields.pop("undated", None)
    if row.get("undated"):
        fields["undated"] = True
    return fields


def labelled_pairs(items: Sequence[Labelled], related: Iterable[tuple[str, str, str]]) -> list[Pair]:
    relation = {}
    for a, b, why in related:
        relation[frozenset((a, b))] = why
    stories = {i.story for i in items}
    unknown = {s for pair in relation for s in pair} - stories
    if unknown:
        raise ValueError(f"related names unknown stories: {sorted(unknown)}")
    pairs = []
    for a, b in itertools.combinations(items, 2):
        if a.story == b.story:
            roles = sorted({a.role, b.role} - {"original", "report"}) or ["report"]
            pairs.append(Pair(a, b, "same", "+".join(roles)))
        elif frozenset((a.story, b.story)) in relation:
            pairs.append(Pair(a, b, "related", relation[frozenset((a.story, b.story))]))
        else:
            pairs.append(Pair(a, b, "unrelated", "unrelated"))
    return pairs


@dataclass(frozen=True)
class Score:
    linked: int
    correct: int
    same: int

    @property
    def precision(self) -> float:
        return self.correct / self.linked if self.linked else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.same if self.same else 1.0


def score(pairs: Sequence[Pair], linked: Sequence[bool]) -> Score:
    return Score(
        linked=sum(linked),
        correct=sum(1 for p, l in zip(pairs, linked) if l and p.label == "same"),
        same=sum(1 for p in pairs if p.label == "same"),
    )


def pair_links(items: Sequence[Labelled], pairs: Sequence[Pair]) -> list[bool]:
    """The rule on each pair."""
    from index.stories import same_story, telling_of

    tellings = {i.key: telling_of(i.article) for i in items}
    return [same_story(tellings[p.a.key], tellings[p.b.key]) for p in pairs]


def index_links(items: Sequence[Labelled], pairs: Sequence[Pair]) -> list[bool]:
    """Story ids as the index assigns them, oldest article first."""
    from index.stories import assign_stories, telling_of

    story_of = assign_stories([(i.article.id, telling_of(i.article)) for i in items])
    return [story_of[p.a.article.id] == story_of[p.b.article.id] for p in pairs]


def report(split: str, show_errors: bool) -> dict[str, Score]:
    items, related = load_split(split)
    pairs = labelled_pairs(items, related)
    counts = Counter(p.label for p in pairs)
    click.echo(f"{split}: {len(items)} articles, {len({i.story for i in items})} stories, "
               f"{len(pairs)} pairs ({counts['same']} same, {counts['related']} related, "
               f"{counts['unrelated']} unrelated)")
    out = {}
    for name, links in (("pairs", pair_links(items, pairs)), ("index", index_links(items, pairs))):
        s = score(pairs, links)
        out[name] = s
        click.echo(f"  {name:5}  precision {s.precision:.3f} ({s.correct}/{s.linked})  "
                   f"recall {s.recall:.3f} ({s.correct}/{s.same})")
        if show_errors:
            for p, l in zip(pairs, links):
                if l and p.label != "same":
                    click.echo(f"    false link  [{p.kind}] {p.a.key} ~ {p.b.key}")
                elif not l and p.label == "same":
                    click.echo(f"    missed      [{p.kind}] {p.a.key} ~ {p.b.key}")
    return out


@click.command()
@click.option("--split", type=click.Choice((*SPLITS, "both")), default="both", show_default=True)
@click.option("--show-errors", is_flag=True, help="List every false link and missed pair.")
def main(split: str, show_errors: bool) -> None:
    """Precision and recall of the story rule on the labelled pairs."""
    for name in SPLITS if split == "both" else (split,):
        report(name, show_errors)


if __name__ == "__main__":
    main()
