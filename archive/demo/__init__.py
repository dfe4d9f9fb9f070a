"""The demo archive: articles we wrote ourselves, bundled with the package.

They are invented but realistic market, crypto and technology news from fictional outlets, in the
canonical format of ``shared/FORMAT.md`` minus what the archive computes on ingest (``id``,
``contentHash``, ``ingestedAt`` and, where a file leaves them out, ``sentiment`` and ``lang``).
``newsarchive demo`` ingests them through the ordinary pipeline.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_articles_dir() -> Path:
    """The folder of bundled demo articles (one Markdown file each), inside the installed package."""
    folder = resources.files("archive.demo").joinpath("articles")
    # The package is installed as plain files (editable or a wheel unpacked by pip), so the
    # traversable is a real folder the importers can walk.
    return Path(str(folder))
