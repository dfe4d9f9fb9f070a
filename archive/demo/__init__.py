"""The demo archive: articles we wrote ourselves, bundled with the package.

They are invented but realistic market, crypto and technology news from fictional outlets, in the
canonical format of ``shared/FORMAT.md`` minus what the archive computes on ingest (``id``,
``contentHash``, ``ingestedAt`` and, where a file leaves them out, ``sentiment`` and ``lang``).
``inputs/`` holds a few more in other shapes the archive takes in: a news page copied as plain
text (with its page furniture) and a JSON-lines export from a news API. ``newsarchive demo``
ingests both folders through the ordinary pipeline.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_articles_dir() -> Path:
    """The folder of bundled demo articles (one Markdown file each), inside the installed package."""
    return _package_folder("articles")


def demo_inputs_dir() -> Path:
    """The folder of bundled demo inputs in other shapes (plain text, JSON lines)."""
    return _package_folder("inputs")


def _package_folder(name: str) -> Path:
    # The package is installed as plain files (editable, or a wheel unpacked by pip), so the
    # traversable is a real folder the importers can walk.
    return Path(str(resources.files("archive.demo").joinpath(name)))
