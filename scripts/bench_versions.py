"""What finding the versions of a story costs: for a page of hits, and for one article page.

    .venv/bin/python -m scripts.bench_versions [--n 20000] [--out /tmp/newsarchive-bench]
    .venv/bin/python -m scripts.bench_versions --home /tmp/demo   # an existing archive

For a few queries, prints the time of ``SearchService.search`` (one page of 20) and the time of
``SearchService.versions`` for every hit of that page: cold (a new service: nothing cached, as
the first visitor of a page pays) and warm (the same again). This is the figure behind the
choice of finding versions on the article page only, not for every hit of a result list.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

QUERIES = ("bitcoin", "market price", "exchange hack", "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/newsarchive-bench"))
    parser.add_argument("--home", type=Path, default=None, help="an archive with an index")
    args = parser.parse_args(argv)

    from index.model import SearchQuery
    from index.search import SearchService

    home = args.home
    if home is None:
        from index.build import current_index_path, reindex
        from scripts.bench.corpus import generate_corpus

        home, _ = generate_corpus(args.out, args.n)
        if current_index_path(home) is None:
            reindex(home)
    print(f"{'query':<16} {'hits':>5} {'search ms':>10} {'versions cold ms':>17} "
          f"{'warm ms':>8} {'per hit cold ms':>16} {'with versions':>14}")
    per_hit = []
    for text in QUERIES:
        with SearchService(home) as service:
            service.warm()
            result = service.search(SearchQuery(q=text))
            ids = [hit.id for hit in result.hits]
            started = time.perf_counter()
            counts = [len(service.versions(i, limit=100)) for i in ids]
            cold = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            for i in ids:
                service.versions(i, limit=100)
            warm = (time.perf_counter() - started) * 1000
        if ids:
            per_hit.append(cold / len(ids))
        print(f"{text!r:<16} {len(ids):>5} {result.took_ms:>10.1f} {cold:>17.1f} {warm:>8.1f} "
              f"{cold / max(1, len(ids)):>16.1f} {sum(c > 0 for c in counts):>14}")
    if per_hit:
        print(f"median cold cost per hit: {statistics.median(per_hit):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
