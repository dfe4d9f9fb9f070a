"""``python -m scripts.bench``: the benchmark (see ``scripts.bench.main``)."""

from scripts.bench.main import main

main()
