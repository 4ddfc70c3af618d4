"""``dnsd record add|set|list|rm``: RRsets, added with the same "make it so" rule as ``POST /records``."""

from __future__ import annotations

import argparse

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, note, render_table
from dnsd.cli.record_import import add_import_parser
from dnsd.cli.record_set import add_set_parser, add_target_flags, targets_from
from dnsd.cli.shapes import record_data, record_json
from dnsd.config import Settings
from dnsd.domain.errors import invalid
from dnsd.domain.names import normalize_name
from dnsd.domain.records import RRset, make_rrset
from dnsd.store.records import PutResult, RecordFilter

HEADERS = ("id", "name", "type", "ttl", "data", "owner")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    record = sub.add_parser("record", help="records (RRsets): add, set, list, rm, import")
    actions = record.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create or replace the RRset NAME/TYPE (idempotent)")
    add.add_argument("name", help="owner name, e.g. www.hello-web.com or *.apps.hello-web.com")
    add.add_argument("type", help="A, AAAA, CNAME, DNAME, TXT, MX, SRV, NS, CAA or PTR")
    add.add_argument("--value", action="append", metavar="RDATA", help="one value (repeat for more)")
    add.add_argument("--pool", help="answer with this pool's addresses (A/AAAA only)")
    add.add_argument("--ttl", type=int, default=300, help="seconds (default 300)")
    add.add_argument("--owner", required=True, help="who holds the name, e.g. ci:pipeline-42")
    add_target_flags(add, changing=False)
    add.set_defaults(func=add_record)
    add_set_parser(actions)
    ls = actions.add_parser("list", help="list records, filtered and paginated")
    for flag in ("zone", "name", "type", "owner", "pool"):
        ls.add_argument(f"--{flag}")
    ls.add_argument("--limit", type=int, default=100)
    ls.add_argument("--offset", type=int, default=0)
    ls.set_defaults(func=list_records)
    rm = actions.add_parser("rm", help="delete one record by ID, or the RRsets at --name")
    rm.add_argument("id", nargs="?", type=int, help="record id (see 'record list')")
    rm.add_argument("--name", help="delete every RRset at this name (or only --type)")
    rm.add_argument("--type")
    rm.add_argument("--owner", help="only if this owner holds it")
    rm.set_defaults(func=remove_records)
    add_import_parser(actions)


def record_rows(records: list[RRset]) -> list[tuple[object, ...]]:
    return [(r.id, r.name, r.rtype, r.ttl, record_data(r), r.owner) for r in records]


def add_record(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        rrset = make_rrset(
            args.name, args.type, args.ttl, args.owner, args.value, args.pool, store.limits,
            targets=targets_from(args), mode=args.mode, views=args.view,
        )  # fmt: skip
        result = store.put_rrset(rrset, cli_actor())
    data = record_json(result.rrset) | {"serial": result.serial, "changed": result.changed}
    emit(args, data, f"{_outcome(result)}\n{render_table(HEADERS, record_rows([result.rrset]))}")
    return 0


def _outcome(result: PutResult) -> str:
    what = f"{result.rrset.name}/{result.rrset.rtype} in zone {result.rrset.zone}"
    if not result.changed:
        return f"unchanged {what} (same content), serial {result.serial}"
    return f"{'created' if result.created else 'replaced'} {what}, serial now {result.serial}"


def list_records(args: argparse.Namespace, settings: Settings) -> int:
    if args.limit < 0 or args.offset < 0:
        raise invalid("limit" if args.limit < 0 else "offset", "must not be negative")
    flt = RecordFilter(args.zone, args.name, args.type, args.owner, args.pool)
    with open_store(settings) as store:
        records, total = store.list_rrsets(flt, limit=args.limit, offset=args.offset)
    data = {"items": [record_json(r) for r in records], "total": total, "limit": args.limit,
            "offset": args.offset}  # fmt: skip
    emit(args, data, render_table(HEADERS, record_rows(records)) if records else "no records")
    if not args.json and total > len(records):
        note(f"showing {args.offset + 1}-{args.offset + len(records)} of {total} (use --limit/--offset)")
    return 0


def remove_records(args: argparse.Namespace, settings: Settings) -> int:
    if (args.id is None) == (args.name is None):
        raise invalid("id", "give either a record ID or --name (not both)")
    if args.id is not None and args.type:
        raise invalid("type", "--type goes with --name; an ID names one record already")
    with open_store(settings) as store:
        if args.id is not None:
            deleted = [store.delete_rrset(args.id, cli_actor(), owner=args.owner)]
        else:
            name = normalize_name(args.name)
            deleted = store.delete_by_name(name, cli_actor(), rtype=args.type, owner=args.owner)
    text = "\n".join(f"deleted {r.name}/{r.rtype} (id {r.id}, owner {r.owner})" for r in deleted)
    emit(args, {"deleted": [record_json(r) for r in deleted]}, text)
    return 0
