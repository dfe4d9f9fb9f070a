"""A child process for the fault-injection tests: ingest a folder (or reindex) and get killed.

    python -m tests.reliability.crash_worker ingest HOME INPUT_DIR
    python -m tests.reliability.crash_worker reindex HOME
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path


def main(argv: list[str]) -> int:
    command, home = argv[0], Path(argv[1])
    if command == "ingest":
        from archive.ingest import IngestOptions, ingest
        from archive.store import Store

        options = IngestOptions(now=datetime(2026, 3, 1, tzinfo=timezone.utc), home=home)
        store = Store(home)
        saved = []
        for result in ingest([argv[2]], store, options, on_saved=lambda s: saved.append((s.path, s.article))):
            if result.status == "failed":
                print(result.input, result.error, file=sys.stderr)
                return 1
        try:
            from index.build import update_documents
        except ImportError:
            return 0
        update_documents(home, saved)
        return 0
    if command == "reindex":
        from index.build import reindex

        reindex(home)
        return 0
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
