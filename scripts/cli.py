"""The ``newsarchive`` command: ingest, reindex, search, serve and the rest.

Each group of commands lives in its own module (``cmd_*.py``) and is registered here."""

from __future__ import annotations

import click

from scripts import cmd_demo, cmd_export, cmd_index, cmd_ingest, cmd_reextract, cmd_search, \
    cmd_timeline, cmd_verify, cmd_watch, cmd_web


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsarchive")
def main() -> None:
    """newsarchive: an archive and search engine for news coverage.

    Articles are Markdown files with YAML frontmatter under HOME/articles; the search index
    under HOME/index is derived from them and can be rebuilt at any time."""


for module in (cmd_ingest, cmd_reextract, cmd_index, cmd_search, cmd_export, cmd_timeline,
               cmd_watch, cmd_verify, cmd_web, cmd_demo):
    for command in module.COMMANDS:
        main.add_command(command)


if __name__ == "__main__":  # pragma: no cover
    main()
