"""The benchmark harness (``python -m scripts.bench``, see ``main``): a deterministic synthetic
corpus, the query stream drawn from it, the baselines (SQLite FTS5, plain Whoosh, Tantivy), our
engine's adapter, a loopback web load client and the statistics and report writers."""
