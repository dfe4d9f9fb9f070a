"""The benchmark harness's parts (see ``scripts/bench.py``): a deterministic synthetic corpus,
the baselines (SQLite FTS5, Whoosh used the plain way), our engine's adapters, a loopback web load
client and the statistics and report writers."""
