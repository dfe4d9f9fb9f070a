"""Counting articles or stories over sets of matching documents (numpy; no Whoosh object).

A set of matches is a boolean array over the documents of a snapshot (``index.facets.View``);
``StoryColumn`` (``index.story_ids``) gives each document's story. Counting *stories*:

- per facet value: the stories with at least one matching version that has the value (a story
  told by two outlets counts once for each of them, and once in the total);
- over time (histogram, timelines): each story once, at its first matching version
  (``first_versions``), so the buckets add up to the number of stories.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from index.facets import MISSING

_lock = threading.Lock()
#: id(view) -> (view, story column, order), for the last few snapshots
_orders: OrderedDict[int, tuple[Any, Any, np.ndarray]] = OrderedDict()


def distinct_stories(mask: np.ndarray, ordinals: np.ndarray, width: int) -> np.ndarray:
    """Matching documents per story ordinal (0 for stories without a match)."""
    if not len(ordinals):
        return np.zeros(width, dtype=np.int64)
    return np.bincount(ordinals[mask], minlength=width)


def _story_order(view: Any, column: Any) -> np.ndarray:
    """Every document, by story and then publication (undated last), then id rank: cached per
    snapshot and story column, so the first version of each story is one pass away."""
    with _lock:
        cached = _orders.get(id(view))
        if cached is not None and cached[0] is view and cached[1] is column:
            return cached[2]
    order = np.lexsort((view.id_rank, view.published_utc, column.ordinals)) if view.size else \
        np.zeros(0, dtype=np.int64)
    with _lock:
        _orders[id(view)] = (view, column, order)
        while len(_orders) > 4:
            _orders.popitem(last=False)
    return order


def first_versions(view: Any, column: Any, mask: np.ndarray) -> np.ndarray:
    """The earliest matching version of each story with a match, as a mask."""
    order = _story_order(view, column)
    chosen = order[mask[order]]
    out = np.zeros(view.size, dtype=bool)
    if not len(chosen):
        return out
    stories = column.ordinals[chosen]
    first = np.empty(len(chosen), dtype=bool)
    first[0] = True
    first[1:] = stories[1:] != stories[:-1]
    out[chosen[first]] = True
    return out


def count_values(view: Any, name: str, mask: np.ndarray, column: Any | None) -> np.ndarray:
    """Per value of a facet: matching articles (``column`` None) or matching stories."""
    if column is None:
        return view.count(name, mask)
    facet = view.facets[name]
    width = len(facet.values)
    stories = max(1, len(column.ids))
    if facet.docs is None:
        docs = np.flatnonzero(mask)
        values = facet.ords[docs].astype(np.int64)
        keep = values >= 0
        docs, values = docs[keep], values[keep]
    else:
        pairs = mask[facet.docs]
        docs = facet.docs[pairs].astype(np.int64)
        values = facet.ords[pairs].astype(np.int64)
    if not len(docs):
        return np.zeros(width, dtype=np.int64)
    keys = np.unique(values * stories + column.ordinals[docs])
    return np.bincount(keys // stories, minlength=width)


def dated(view: Any, mask: np.ndarray) -> np.ndarray:
    """The documents of ``mask`` with a publication date in the index."""
    return mask & (view.published != MISSING)
