"""``dnsd pool add|list|show|set|rm``: named sets of LVS VIPs that A/AAAA records point at."""

from __future__ import annotations

import argparse

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.member_health import health_json, health_text
from dnsd.cli.output import emit, render_fields, render_table
from dnsd.cli.pool_flags import add_view_flags, any_check_flag, check_change, check_from, view_members
from dnsd.cli.shapes import pool_json, record_json
from dnsd.config import Settings
from dnsd.domain.changes import ZoneChange
from dnsd.domain.errors import invalid
from dnsd.domain.health import check_dict
from dnsd.domain.pool_input import checked_pool
from dnsd.domain.pools import Pool
from dnsd.store.records import RecordFilter

ALL_RECORDS = 1_000_000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pool = sub.add_parser("pool", help="pools of VIPs: add, list, show, set, rm")
    actions = pool.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a pool")
    add.add_argument("name", help="pool name, e.g. istio-ingressgateway")
    _address_flags(add)
    add_view_flags(add, changing=False)
    add.set_defaults(func=add_pool)
    actions.add_parser("list", help="list pools").set_defaults(func=list_pools)
    show = actions.add_parser("show", help="one pool and the records on it")
    show.add_argument("name")
    show.set_defaults(func=show_pool)
    change = actions.add_parser("set", help="change a pool (given flags replace what is stored)")
    change.add_argument("name")
    _address_flags(change)
    add_view_flags(change, changing=True)
    change.set_defaults(func=set_pool)
    rm = actions.add_parser("rm", help="delete a pool no record points at")
    rm.add_argument("name")
    rm.set_defaults(func=remove_pool)


def _address_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--address", action="append", metavar="IP", help="IPv4 or IPv6 VIP (repeat)")
    parser.add_argument(
        "--external-address", action="append", metavar="IP", help="address the public view publishes"
    )
    parser.add_argument("--description")


def pool_fields(pool: Pool, used_by: int | None = None) -> list[tuple[str, object]]:
    fields: list[tuple[str, object]] = [
        ("name", pool.name),
        ("addresses", list(pool.addresses)),
        ("external", list(pool.external_addresses)),
        ("description", pool.description),
    ]
    fields += [(f"view {view}", list(addrs)) for view, addrs in pool.view_members]
    if pool.check is not None:
        fields.append(("check", [f"{k}={v}" for k, v in check_dict(pool.check).items()]))
    return fields if used_by is None else [*fields, ("records", used_by)]


def add_pool(args: argparse.Namespace, settings: Settings) -> int:
    pool = checked_pool(
        args.name, args.address or [], args.description or "", args.external_address,
        view_members(args), check_from(args),
    )  # fmt: skip
    with open_store(settings) as store:
        store.create_pool(pool, cli_actor())
    emit(args, pool_json(pool), f"created pool {pool.name}\n{render_fields(pool_fields(pool))}")
    return 0


def list_pools(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        pools = store.list_pools()
        used = [store.pool_usage(p.name) for p in pools]
    rows = [
        (p.name, list(p.addresses), list(p.external_addresses), n, p.description)
        for p, n in zip(pools, used, strict=True)
    ]
    headers = ("name", "addresses", "external", "records", "description")
    text = render_table(headers, rows) if rows else "no pools"
    emit(args, [pool_json(p) | {"records": n} for p, n in zip(pools, used, strict=True)], text)
    return 0


def show_pool(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        pool = store.get_pool(args.name.strip().lower())
        records, _ = store.list_rrsets(RecordFilter(pool=pool.name), limit=ALL_RECORDS)
        health = store.pool_health(pool.name)
    rows = [(r.id, r.name, r.rtype, r.ttl, r.owner) for r in records]
    table = render_table(("id", "name", "type", "ttl", "owner"), rows) if rows else "no records on this pool"
    data = pool_json(pool) | {"records": [record_json(r) for r in records]} | health_json(pool, health)
    text = f"{render_fields(pool_fields(pool, len(records)))}\n\n{table}"
    emit(args, data, text + health_text(pool, health))
    return 0


def set_pool(args: argparse.Namespace, settings: Settings) -> int:
    members = view_members(args)
    flags = (args.address, args.external_address, args.description, members)
    if all(f is None for f in flags) and not any_check_flag(args):
        raise invalid(
            "addresses", "give --address, --external-address, --member, --check... or --description"
        )
    name = args.name.strip().lower()
    with open_store(settings) as store:
        check = check_change(args, lambda: store.get_pool(name).check)
        last = store.last_change_id()
        pool = store.update_pool(
            name, cli_actor(), args.address, args.description, args.external_address,
            view_members=members, check=check,
        )  # fmt: skip
        changes = [
            c for c in store.list_changes(after_id=last) if (c.action, c.subject) == ("pool.update", name)
        ]  # fmt: skip
    bumped = [z for c in changes for z in c.zones]
    data = pool_json(pool) | {"changed": bool(changes), "zones": bumped}
    emit(args, data, _set_text(pool, bool(changes), bumped))
    return 0


def _set_text(pool: Pool, changed: bool, bumped: list[ZoneChange]) -> str:
    head = f"updated pool {pool.name}" if changed else f"pool {pool.name} unchanged (already as given)"
    lines = [head, render_fields(pool_fields(pool))]
    if bumped:
        rows = [(z.zone, z.prev_serial, z.serial) for z in bumped]
        lines += ["", render_table(("zone", "old serial", "new serial"), rows)]
    return "\n".join(lines)


def remove_pool(args: argparse.Namespace, settings: Settings) -> int:
    name = args.name.strip().lower()
    with open_store(settings) as store:
        store.delete_pool(name, cli_actor())
    emit(args, {"deleted": name}, f"deleted pool {name}")
    return 0
