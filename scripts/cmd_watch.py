"""``newsarchive watch``: saved searches in the home (``watches.yaml``) and what they found since
their last run, with an optional command or webhook per new match."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import asdict
from pathlib import Path

import click

from archive.watches import stamp
from scripts.common import friendly_errors, home_option, search_filter_options, search_params

#: seconds a --exec command may run for one match
COMMAND_TIMEOUT = 30


@click.group()
def watch() -> None:
    """Saved searches: add, list, remove, and run them (what each found since its last run).

    They live in HOME/watches.yaml, a plain file you can read and edit; the web lists them
    read-only at /watches, each with its Atom feed."""


@watch.command("add")
@click.argument("name")
@click.argument("query", required=False, default="")
@home_option
@search_filter_options
@click.option("--webhook", metavar="URL", help="POST each new match (JSON) to this http(s) address on every run.")
@click.option("--command", "command", metavar="CMD", help="Run this once per new match (the match as JSON on its input).")
@friendly_errors
def add(name: str, query: str, home: Path, webhook: str | None, command: str | None,
        **filters: object) -> None:
    """Save the search QUERY (with the filters) as NAME. Its first run reports what was
    ingested since now."""
    from archive.watches import Watch, add_watch, check_name, now_ms
    from index.model import parse_params

    params = search_params(query, **filters)
    parse_params(params)  # a search that cannot run is refused now, not at every run
    if webhook:
        from archive.fetch import check_url

        check_url(webhook)
    add_watch(home, Watch(name=check_name(name), search=params,
                          created=now_ms(),
                          webhook=webhook, command=command))
    click.echo(f"Saved {name!r}: {_describe(params)}. `newsarchive watch run` reports what it finds.")


@watch.command("list")
@home_option
@click.option("--json", "as_json", is_flag=True, help="Print the watches as JSON.")
@friendly_errors
def list_watches(home: Path, as_json: bool) -> None:
    """List the saved searches."""
    from archive.watches import load_watches

    watches = load_watches(home)
    if as_json:
        click.echo(json.dumps([_watch_json(w) for w in watches], indent=2, ensure_ascii=False))
        return
    if not watches:
        click.echo("No saved searches yet: `newsarchive watch add NAME QUERY`.")
    for w in watches:
        last = stamp(w.last_run) if w.last_run else "never run"
        click.echo(f"{w.name}: {_describe(w.search)} (last run: {last})")


@watch.command("remove")
@click.argument("name")
@home_option
@friendly_errors
def remove(name: str, home: Path) -> None:
    """Remove the saved search NAME."""
    from archive.watches import remove_watch

    remove_watch(home, name)
    click.echo(f"Removed {name!r}.")


@watch.command("run")
@click.argument("names", nargs=-1)
@home_option
@click.option("--json", "as_json", is_flag=True, help="Print what each found as JSON.")
@click.option("--exec", "command", metavar="CMD",
              help="Run this once per new match (the match as JSON on stdin; NEWSARCHIVE_WATCH, "
                   "NEWSARCHIVE_ID, NEWSARCHIVE_TITLE, NEWSARCHIVE_URL in its environment).")
@click.option("--webhook", metavar="URL", help="POST each new match (JSON) to this http(s) address.")
@click.option("--dry-run", is_flag=True, help="Report, call nothing, and leave last_run where it is.")
@friendly_errors
def run(names: tuple[str, ...], home: Path, as_json: bool, command: str | None,
        webhook: str | None, dry_run: bool) -> None:
    """Report what each saved search (or only NAMES) found since its last run: matches that
    the archive took in meanwhile. Commands and webhooks run only when given here or saved with
    the watch; a failing one is reported, the others still run, and that watch's last_run stays
    where it was (the next run reports and calls again: an alert is never silently lost)."""
    from archive.errors import FetchError
    from archive.fetch import post_json
    from archive.watches import find_watch, load_watches, mark_run, now_ms
    from index.model import parse_params
    from index.search import SearchService

    watches = [find_watch(home, n) for n in names] if names else load_watches(home)
    until = now_ms()
    report, failures, done = [], 0, {}
    with SearchService(home) as service:
        for w in watches:
            hits = service.new_since(parse_params(w.search), w.since, until)
            calls = []
            for hit in hits:
                record = _hit_json(w.name, hit)
                for kind, target in (("command", command or w.command), ("webhook", webhook or w.webhook)):
                    if not target or dry_run:
                        continue
                    try:
                        if kind == "command":
                            _run_command(target, w.name, hit, record)
                        else:
                            post_json(target, record)
                        calls.append({"id": hit.id, kind: target, "ok": True})
                    except (FetchError, OSError, subprocess.SubprocessError, ValueError) as exc:
                        failures += 1
                        calls.append({"id": hit.id, kind: target, "ok": False, "error": str(exc)})
            report.append({"name": w.name, "search": w.search, "since": stamp(w.since),
                           "until": stamp(until), "new": [_hit_json(w.name, h) for h in hits],
                           "calls": calls})
            if all(call["ok"] for call in calls):  # a failed alert is sent again next run
                done[w.name] = until
    if not dry_run and done:
        mark_run(home, done)
    if as_json:
        click.echo(json.dumps({"watches": report}, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        for item in report:
            count = len(item["new"])
            click.echo(f"{item['name']}: {count} new since {item['since']}")
            for hit in item["new"]:
                when = hit["published"][:10] if hit["published"] else "date unknown"
                click.echo(f"  {when}  {hit['source_name']}  {hit['title']}  [{hit['id']}]")
            for call in item["calls"]:
                if not call["ok"]:
                    click.echo(f"  failed for {call['id']}: {call['error']}", err=True)
    if failures:
        raise click.ClickException(f"{failures} command or webhook call(s) failed (see above)")


def _run_command(command: str, name: str, hit, record: dict) -> None:
    """The user's command for one match, without a shell; its exit status must be 0."""
    env = {**os.environ, "NEWSARCHIVE_WATCH": name, "NEWSARCHIVE_ID": hit.id,
           "NEWSARCHIVE_TITLE": hit.title, "NEWSARCHIVE_URL": hit.url or ""}
    done = subprocess.run(shlex.split(command), input=json.dumps(record, ensure_ascii=False),
                          text=True, env=env, capture_output=True, timeout=COMMAND_TIMEOUT)
    if done.returncode != 0:
        detail = (done.stderr or "").strip().splitlines()[-1:] or [""]
        raise OSError(f"`{command}` exited with status {done.returncode} {detail[0][:200]}".strip())


def _hit_json(name: str, hit) -> dict:
    from index.model import _jsonable

    return {"watch": name, **_jsonable(asdict(hit))}


def _watch_json(w) -> dict:
    return {"name": w.name, "search": w.search, "created": stamp(w.created),
            "last_run": stamp(w.last_run) if w.last_run else None, "webhook": w.webhook,
            "command": w.command}


def _describe(params: dict) -> str:
    return ", ".join(f"{k}={' | '.join(v)}" for k, v in params.items()) or "everything"


COMMANDS = [watch]
