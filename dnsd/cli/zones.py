"""``dnsd zone add|list|show|rm``: the zones we are authoritative for."""

from __future__ import annotations

import argparse

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, render_fields, render_table
from dnsd.cli.shapes import record_data, record_json, zone_json
from dnsd.config import Settings
from dnsd.domain.names import normalize_name
from dnsd.domain.zones import Zone, make_zone
from dnsd.store.records import RecordFilter

TIMERS = ("ttl", "refresh", "retry", "expire", "minimum")
ALL_RECORDS = 1_000_000


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    zone = sub.add_parser("zone", help="zones: add, list, show, rm")
    actions = zone.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a zone")
    add.add_argument("name", help="zone name, e.g. hello-web.com")
    add.add_argument("--ns", action="append", default=[], metavar="HOST", help="NS host (repeat; 1 or more)")
    add.add_argument("--mname", help="SOA primary name server (default: the first --ns)")
    add.add_argument("--rname", help="SOA contact mailbox (default: hostmaster.<zone>)")
    for timer in TIMERS:
        add.add_argument(f"--{timer}", type=int, metavar="SECONDS", help=f"SOA/zone {timer}")
    add.add_argument(
        "--secondary",
        action="append",
        default=[],
        metavar="ADDRESS[:PORT]",
        help="a secondary to NOTIFY, e.g. 192.0.2.53 or [2001:db8::53]:5300 (repeat)",
    )
    add.set_defaults(func=add_zone)
    actions.add_parser("list", help="list zones").set_defaults(func=list_zones)
    show = actions.add_parser("show", help="one zone with its records")
    show.add_argument("name")
    show.set_defaults(func=show_zone)
    rm = actions.add_parser("rm", help="delete a zone")
    rm.add_argument("name")
    rm.add_argument("--force", action="store_true", help="also delete the records it holds")
    rm.set_defaults(func=remove_zone)


def zone_fields(zone: Zone) -> list[tuple[str, object]]:
    return [
        ("name", zone.name), ("serial", zone.serial), ("ns", list(zone.ns)), ("mname", zone.mname),
        ("rname", zone.rname), ("ttl", zone.ttl), ("refresh", zone.refresh), ("retry", zone.retry),
        ("expire", zone.expire), ("minimum", zone.minimum), ("secondaries", list(zone.secondaries) or "-"),
    ]  # fmt: skip


def add_zone(args: argparse.Namespace, settings: Settings) -> int:
    timers = {t: getattr(args, t) for t in TIMERS if getattr(args, t) is not None}
    zone = make_zone(args.name, args.ns, args.mname, args.rname, secondaries=args.secondary, **timers)
    with open_store(settings) as store:
        created = store.create_zone(zone, cli_actor())
    emit(args, zone_json(created), f"created zone {created.name}\n{render_fields(zone_fields(created))}")
    return 0


def list_zones(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        zones = store.list_zones()
        counts = [store.list_rrsets(RecordFilter(zone=z.name), limit=0)[1] for z in zones]
    rows = [(z.name, z.serial, list(z.ns), z.ttl, n) for z, n in zip(zones, counts, strict=True)]
    text = render_table(("name", "serial", "ns", "ttl", "records"), rows) if zones else "no zones"
    emit(args, [zone_json(z) | {"records": n} for z, n in zip(zones, counts, strict=True)], text)
    return 0


def show_zone(args: argparse.Namespace, settings: Settings) -> int:
    name = normalize_name(args.name, wildcard=False)
    with open_store(settings) as store:
        zone = store.get_zone(name)
        records, _ = store.list_rrsets(RecordFilter(zone=name), limit=ALL_RECORDS)
    rows = [(r.id, r.name, r.rtype, r.ttl, record_data(r), r.owner) for r in records]
    table = render_table(("id", "name", "type", "ttl", "data", "owner"), rows) if rows else "no records"
    data = zone_json(zone) | {"records": [record_json(r) for r in records]}
    emit(args, data, f"{render_fields(zone_fields(zone))}\n\n{table}")
    return 0


def remove_zone(args: argparse.Namespace, settings: Settings) -> int:
    name = normalize_name(args.name, wildcard=False)
    with open_store(settings) as store:
        store.delete_zone(name, cli_actor(), force=args.force)
    emit(args, {"deleted": name}, f"deleted zone {name}")
    return 0
