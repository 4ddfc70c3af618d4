"""``dnsd record set ID``, and the flags for weighted pools and views (``--target POOL=WEIGHT``,
``--mode``, ``--view``) that ``record add`` shares."""

from __future__ import annotations

import argparse

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, render_table
from dnsd.cli.shapes import record_data, record_json
from dnsd.config import Settings
from dnsd.domain.errors import InvalidInput, Reason, invalid
from dnsd.domain.targets import MODES

HEADERS = ("id", "name", "type", "ttl", "data", "owner")


def add_target_flags(parser: argparse.ArgumentParser, *, changing: bool) -> None:
    parser.add_argument(
        "--target",
        action="append",
        metavar="POOL=WEIGHT",
        help="a pool with its weight, e.g. istio-ingressgateway=10 (repeat; instead of --pool)",
    )
    parser.add_argument("--mode", choices=MODES, default=None if changing else "hashed",
                        help="how a weighted record picks a pool per query (default hashed)")  # fmt: skip
    parser.add_argument(
        "--view",
        action="append",
        metavar="VIEW",
        help="answer only in this view (repeat; default: every view)",
    )
    if changing:
        parser.add_argument("--all-views", action="store_true", help="answer in every view again")


def targets_from(args: argparse.Namespace) -> dict[str, int] | None:
    """``--target`` flags as ``{pool: weight}`` in given order (None when none given)."""
    if not args.target:
        return None
    out: dict[str, int] = {}
    reasons: list[Reason] = []
    for i, text in enumerate(args.target):
        pool, sep, weight = text.partition("=")
        if not sep or not pool.strip() or not weight.strip().isdigit():
            reasons.append(Reason(f"target.{i}", f"{text!r}: give POOL=WEIGHT, e.g. legacy-ingress=90"))
            continue
        if pool.strip().lower() in out:
            reasons.append(Reason(f"target.{i}", f"pool {pool.strip().lower()!r} is listed twice"))
        out[pool.strip().lower()] = int(weight)
    if reasons:
        raise InvalidInput(reasons)
    return out


def add_set_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    change = actions.add_parser("set", help="change one record by ID (given flags replace what is stored)")
    change.add_argument("id", type=int, help="record id (see 'record list')")
    change.add_argument("--ttl", type=int)
    change.add_argument("--value", action="append", metavar="RDATA", help="replace the values (repeat)")
    change.add_argument("--pool", help="answer with this pool's addresses instead")
    add_target_flags(change, changing=True)
    change.set_defaults(func=set_record)


def set_record(args: argparse.Namespace, settings: Settings) -> int:
    targets = targets_from(args)
    if args.all_views and args.view:
        raise invalid("view", "--all-views and --view exclude each other")
    views = [] if args.all_views else args.view
    given = (args.ttl, args.value, args.pool, targets, args.mode, views)
    if all(g is None for g in given):
        raise invalid("id", "give --ttl, --value, --pool, --target, --mode and/or --view to change")
    with open_store(settings) as store:
        result = store.patch_rrset(
            args.id, cli_actor(), ttl=args.ttl, values=args.value, pool=args.pool,
            targets=targets, mode=args.mode, views=views,
        )  # fmt: skip
    r = result.rrset
    head = f"{'updated' if result.changed else 'unchanged'} {r.name}/{r.rtype}, serial {result.serial}"
    row = (r.id, r.name, r.rtype, r.ttl, record_data(r), r.owner)
    emit(args, record_json(r) | {"serial": result.serial, "changed": result.changed},
         f"{head}\n{render_table(HEADERS, [row])}")  # fmt: skip
    return 0
