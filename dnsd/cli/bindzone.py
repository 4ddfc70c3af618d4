"""``dnsd export`` and ``dnsd import``: bind9 zone files out of and into the store."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.main import EXIT_INVALID, EXIT_REFUSED
from dnsd.config import Settings
from dnsd.domain.importplan import ADD, CHANGE, CONFLICT, UNCHANGED, ImportPlan, PlanItem, ZoneFileData
from dnsd.export.exporter import ExportWatcher, export_views, export_zones, run_command
from dnsd.export.importfile import read_zone_file
from dnsd.export.lexer import ZoneFileError
from dnsd.export.writer import WRITTEN
from dnsd.store.state_rows import collector_paused
from dnsd.store.tsig import TransferOps
from dnsd.store.zone_import import ImportConflict, ZoneImportOps


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    exp = sub.add_parser("export", help="write bind9 zone files from the store")
    exp.add_argument("--zone", action="append", help="zone to export (repeatable; default: all)")
    exp.add_argument("--dir", type=Path, default=Path("zones"), help="output directory (default: zones/)")
    exp.add_argument(
        "--views", type=Path, metavar="DIR",
        help="write every zone per view (DIR/<view>/<zone>.zone) and a named.conf fragment with view blocks",
    )  # fmt: skip
    exp.add_argument("--watch", action="store_true", help="keep following the change feed")
    exp.add_argument(
        "--command", help="run per changed zone, e.g. 'rndc reload {zone}' ({file} too; {view} with --views)"
    )
    exp.add_argument("--interval", type=float, help="seconds between feed polls in --watch")
    exp.set_defaults(func=cmd_export)
    imp = sub.add_parser("import", help="import a bind9 zone file into the store")
    imp.add_argument("zonefile", type=Path, help="the zone file ($INCLUDE is refused)")
    imp.add_argument("--zone", help="zone name (default: the owner of the file's SOA)")
    imp.add_argument("--owner", help="owner of the imported RRsets (default: import:<file name>)")
    imp.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    imp.add_argument(
        "--keep-serial", action="store_true",
        help="end at the file's serial (when it is newer than ours) instead of one past it",
    )  # fmt: skip
    imp.add_argument(
        "--all-lines", action="store_true",
        help=f"list every add and change in the plan (default: the first {PLAN_LINES:,}, then a count)",
    )  # fmt: skip
    imp.set_defaults(func=cmd_import)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    zones = [z.lower().rstrip(".") for z in args.zone] if args.zone else None
    if args.views is not None:
        return _export_views(args, settings, zones)
    with open_store(settings) as store:
        if args.watch:
            interval = args.interval if args.interval is not None else max(settings.feed_poll_interval, 0.2)
            watcher = ExportWatcher(store, args.dir, zones, args.command, interval)
            try:
                watcher.run()
            except KeyboardInterrupt:
                watcher.stop.set()
            return 0
        _, results = export_zones(store, args.dir, zones)
    failed = False
    for result in results:
        print(f"{result.status:<9} {result.path}")
        if result.status == WRITTEN and args.command:
            failed |= not run_command(args.command, result)
    return EXIT_REFUSED if failed else 0


def _export_views(args: argparse.Namespace, settings: Settings, zones: list[str] | None) -> int:
    if args.watch:
        print("error: --views does not follow the feed; run it again after changes", file=sys.stderr)
        return EXIT_INVALID
    with open_store(settings) as store:
        policy = TransferOps(store.engine, store.limits).load_transfer_policy()
        keys = list(policy.keys.values())
        results = export_views(store, args.views, policy.views, keys, zones)
    failed = False
    for result in results:
        print(f"{result.status:<9} {result.path}")
        if result.status == WRITTEN and args.command and result.zone:
            failed |= not run_command(args.command, result)
    return EXIT_REFUSED if failed else 0


def default_owner(path: Path) -> str:
    return "import:" + "_".join(path.name.split())


def _read(path: Path, owner: str, zone: str | None) -> ZoneFileData:
    """The file read and checked; its text is dropped before the import is applied."""
    return read_zone_file(path.read_text(encoding="utf-8", errors="surrogateescape"), owner, zone)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        store.last_change_id()  # a missing schema or database fails now, not after reading the file
    with collector_paused():  # millions of new objects, no cycles: see collector_paused
        return _import(args, settings)


def _import(args: argparse.Namespace, settings: Settings) -> int:
    owner = args.owner or default_owner(args.zonefile)
    try:
        data = _read(args.zonefile, owner, args.zone)
    except OSError as exc:
        print(f"error: cannot read {args.zonefile}: {exc.strerror}", file=sys.stderr)
        return EXIT_REFUSED
    except ZoneFileError as exc:
        if args.json:
            raise  # the JSON error document, printed by main
        for line, message in exc.problems:
            where = f"{args.zonefile}:{line}" if line else str(args.zonefile)
            print(f"{where}: {message}", file=sys.stderr)
        print(f"error: {len(exc.problems)} problems; nothing imported", file=sys.stderr)
        return EXIT_INVALID
    applied, code = False, 0
    with open_store(settings) as store:
        ops = ZoneImportOps(store.engine, store.limits, store.serial_policy)
        try:
            if args.dry_run:
                plan = ops.plan_zone_import(data)
            else:
                plan = ops.apply_zone_import(data, actor=cli_actor(), keep_serial=args.keep_serial)
                applied = plan.writes
        except ImportConflict as exc:
            plan, code = exc.plan, EXIT_REFUSED
    _print_plan(plan, applied, args.json, None if args.all_lines else PLAN_LINES)
    if code:
        print("error: conflicts; nothing imported", file=sys.stderr)
    return code


def _item_json(item: PlanItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "action": item.action, "name": item.new.name, "type": item.new.rtype, "ttl": item.new.ttl,
        "values": item.new.value_texts(), "line": item.line,
    }  # fmt: skip
    if item.old is not None:
        out["current"] = {"ttl": item.old.ttl, "values": item.old.value_texts(), "pool": item.old.pool}
    if item.action == CONFLICT:
        out.update(holder=item.holder, reason=item.reason)
    return out


def plan_json(plan: ImportPlan, applied: bool) -> dict[str, Any]:
    """The machine-readable plan (``--json``)."""
    return {
        "zone": plan.zone.name,
        "create_zone": plan.create_zone,
        "zone_changes": {k: [_plain(a), _plain(b)] for k, (a, b) in plan.zone_changes.items()},
        "serial_floor": plan.serial_floor,
        "items": [_item_json(item) for item in plan.items],
        "skipped": list(plan.skipped),
        "warnings": list(plan.warnings),
        "summary": {a: plan.count(a) for a in (ADD, CHANGE, UNCHANGED, CONFLICT)},
        "applied": applied,
    }


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


PLAN_LINES = 1000
"""Adds and changes listed by default; conflicts, skipped lines and warnings are always all
listed (each names its line), and ``--json`` always holds every item."""


def _print_plan(plan: ImportPlan, applied: bool, as_json: bool, limit: int | None = PLAN_LINES) -> None:
    if as_json:
        print(json.dumps(plan_json(plan, applied), indent=2))
        return
    head = "create" if plan.create_zone else "update" if plan.zone_changes else "keep"
    out = [f"zone {plan.zone.name}: {head}"]
    out += [f"  {key}: {_plain(old)} -> {_plain(new)}" for key, (old, new) in plan.zone_changes.items()]
    shown = 0
    for item in plan.listed(limit):
        shown += item.action != CONFLICT
        detail = item.reason if item.action == CONFLICT else " ".join(item.new.value_texts())
        out.append(f"{item.action:<9} {item.new.name:<40} {item.new.rtype:<5} {item.new.ttl:<6} {detail}")
    hidden = plan.count(ADD) + plan.count(CHANGE) - shown
    if hidden > 0:
        out.append(f"... and {hidden:,} more adds and changes (--all-lines or --json lists them)")
    out += [f"skipped   {note}" for note in plan.skipped]
    out += [f"warning   {note}" for note in plan.warnings]
    counts = ", ".join(f"{plan.count(a)} {a}" for a in (ADD, CHANGE, UNCHANGED, CONFLICT))
    state = "applied" if applied else "nothing to do" if not plan.writes else "not applied"
    out.append(f"summary: {counts}, {len(plan.skipped)} skipped; {state}")
    sys.stdout.write("\n".join(out) + "\n")
