"""``dnsd change revert ID``: undo one change with a new change (see :mod:`dnsd.store.revert`)."""

from __future__ import annotations

import argparse

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit
from dnsd.cli.shapes import change_json
from dnsd.config import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("change", help="act on one change of the log: revert it")
    actions = parser.add_subparsers(dest="change_command", metavar="ACTION", required=True)
    revert = actions.add_parser(
        "revert", help="restore the RRsets (or the pool) as they were before a change"
    )
    revert.add_argument("id", type=int, help="the change to revert (see `dnsd changes`)")
    revert.add_argument(
        "--force",
        action="store_true",
        help="revert even though later changes touched the same names (overwrites what they did)",
    )
    revert.set_defaults(func=run_revert)


def run_revert(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        change = store.revert_change(args.id, cli_actor(), force=args.force)
    serials = ", ".join(f"{z.zone} {z.prev_serial} -> {z.serial}" for z in change.zones)
    text = f"change {change.id}: reverted change {args.id}" + (f" ({serials})" if serials else "")
    emit(args, change_json(change), text)
    return 0
