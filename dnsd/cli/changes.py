"""``dnsd changes``: the audit log, newest last, with the serials each change gave its zones."""

from __future__ import annotations

import argparse

from dnsd.cli.connect import open_store
from dnsd.cli.output import emit, render_table
from dnsd.cli.shapes import change_json
from dnsd.config import Settings
from dnsd.domain.changes import Change
from dnsd.domain.errors import invalid
from dnsd.store.zonestore import ZoneStore


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("changes", help="the change log (audit): the latest changes")
    parser.add_argument("--zone", help="only changes that touched this zone")
    parser.add_argument("--owner", help="only changes to records of this owner")
    parser.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    parser.add_argument("--after-id", type=int, help="the changes after this id, oldest first")
    parser.set_defaults(func=run)


def latest_changes(store: ZoneStore, zone: str | None, owner: str | None, limit: int) -> list[Change]:
    """The last ``limit`` matching changes in commit order."""
    return store.list_changes(zone=zone, owner=owner, limit=limit, newest_first=True)[::-1]


def _or_dash(serial: int | None) -> str:
    return "-" if serial is None else str(serial)


def _serials(change: Change) -> list[str]:
    return [f"{z.zone} {_or_dash(z.prev_serial)} -> {_or_dash(z.serial)}" for z in change.zones]


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit < 1:
        raise invalid("limit", "must be at least 1")
    with open_store(settings) as store:
        if args.after_id is not None:
            changes = store.list_changes(args.zone, args.owner, after_id=args.after_id, limit=args.limit)
        else:
            changes = latest_changes(store, args.zone, args.owner, args.limit)
    rows = [(c.id, c.created_at, c.actor, c.action, c.subject, c.owner, _serials(c)) for c in changes]
    headers = ("id", "time", "actor", "action", "subject", "owner", "zone serials")
    emit(args, [change_json(c) for c in changes], render_table(headers, rows) if rows else "no changes")
    return 0
