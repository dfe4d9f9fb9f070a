"""Quick timing of facet counting: Whoosh's ``groupedby`` on all hits vs our numpy array path.

    .venv/bin/python -m scripts.bench_facets [--n 20000] [--out /tmp/newsarchive-bench] [--repeat 5]

Builds (once, then reused) the synthetic corpus of ``scripts/bench/corpus.py`` and our index of
it, then for a few queries of different breadth measures, as medians:

- ``plain``: ``searcher.search(q, limit=None, groupedby=<the five facets>)`` (what Whoosh offers
  out of the box: every hit walked as a Python call);
- ``arrays``: our path for the same counts (query -> boolean array from posting blocks, then one
  ``bincount`` per facet), warm: postings and phrase matches cached per index snapshot, as a
  server has them after the first request; ``cold`` is the same once with those caches empty;
- ``search``: the whole ``SearchService.search`` (facets, histogram, fingerprint, one page of
  relevance-ranked hits with highlights read from the files).

Both paths see the same, warmed searcher. The full comparison against FTS5 and Tantivy is ``python -m scripts.bench``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path


def _median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/newsarchive-bench"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from whoosh import sorting

    from index.build import current_index_path, reindex
    from index.facets import match_mask
    from index.model import FACET_PARAMS, SearchQuery
    from index.query import parse_query
    from index.search import SearchService, _expand_prefixes
    from scripts.bench.corpus import generate_corpus
    from scripts.bench.queries import query_mix

    home, manifest = generate_corpus(args.out, args.n)
    if current_index_path(home) is None:
        started = time.perf_counter()
        reindex(home)
        print(f"indexed {args.n} articles in {time.perf_counter() - started:.0f} s")
    service = SearchService(home)
    searcher, view = service._snapshot()
    facets = {name: sorting.FieldFacet(name, allow_overlap=(name == "tags"), maptype=sorting.Count)
              for name in FACET_PARAMS}
    queries = [q for q in query_mix(42) if q.text and not q.filters and q.page == 1
               and q.sort == "relevance" and q.kind in ("word", "words", "broad", "phrase", "boolean")
               and not q.date_from]
    print(f"{'query':<32} {'hits':>7} {'plain ms':>9} {'arrays ms':>10} {'ratio':>6} "
          f"{'cold ms':>8} {'search ms':>10}")
    for bench in queries:
        parsed = parse_query(bench.text)
        expanded = _expand_prefixes(parsed, searcher)
        visible = view.visible(as_of=None, include_drafts=False)

        def plain():
            results = searcher.search(parsed, limit=None, groupedby=facets)
            return len(results), {name: results.groups(name) for name in FACET_PARAMS}

        def arrays():
            mask = match_mask(expanded, searcher, view) & visible
            return int(mask.sum()), {name: view.count(name, mask) for name in FACET_PARAMS}

        def search():
            return service.search(SearchQuery(q=bench.text))

        view._terms.clear()  # cold: no cached postings or phrase matches of this query
        cold_ms = _median_ms(arrays, 1)
        plain(), arrays(), search()  # warm caches on both sides
        plain_ms = _median_ms(plain, args.repeat)
        arrays_ms = _median_ms(arrays, args.repeat)
        search_ms = _median_ms(search, args.repeat)
        hits = arrays()[0]
        print(f"{bench.text[:32]:<32} {hits:>7} {plain_ms:>9.1f} {arrays_ms:>10.2f} "
              f"{plain_ms / max(arrays_ms, 1e-6):>5.0f}x {cold_ms:>8.1f} {search_ms:>10.1f}")
    service.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
