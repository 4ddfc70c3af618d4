"""``dnsd record import FILE``: many RRsets from a JSON or YAML file, all or nothing.

The file and the check-then-write are :mod:`dnsd.services.bulk` (shared with
``POST /records/bulk``, without its per-request cap); this module parses the arguments and
prints the outcome.
"""

from __future__ import annotations

import argparse
from typing import Any

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, render_table
from dnsd.cli.shapes import record_data, record_json
from dnsd.config import Settings
from dnsd.services.bulk import parse_records, put_checked, read_document
from dnsd.services.seedfile import in_file_order
from dnsd.store.records import PutResult


def add_import_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = actions.add_parser("import", help="add or replace many RRsets from a file, all or nothing")
    parser.add_argument("file", help="a .json, .yaml or .yml file, or - for JSON/YAML on stdin")
    parser.add_argument("--dry-run", action="store_true", help="check everything and show the outcome")
    parser.set_defaults(func=import_records)


def import_records(args: argparse.Namespace, settings: Settings) -> int:
    doc = read_document(args.file)
    with open_store(settings) as store:
        entries, reasons = parse_records(doc, store.limits)
        rrsets, labels = [e.item for e in entries], [e.path for e in entries]
        results = put_checked(
            store, rrsets, labels, reasons, cli_actor(), dry_run=args.dry_run, order=in_file_order
        )
    emit(args, _outcome_json(args, results), _outcome_text(args, results))
    return 0


def _outcome(result: PutResult) -> str:
    return "created" if result.created else "changed" if result.changed else "unchanged"


def _outcome_json(args: argparse.Namespace, results: list[PutResult]) -> dict[str, Any]:
    counts = {k: sum(1 for r in results if _outcome(r) == k) for k in ("created", "changed", "unchanged")}
    items = [record_json(r.rrset) | {"outcome": _outcome(r), "serial": r.serial} for r in results]
    serials = {r.rrset.zone: r.serial for r in results}
    return {"file": args.file, "dry_run": args.dry_run, **counts, "serials": serials, "items": items}


def _outcome_text(args: argparse.Namespace, results: list[PutResult]) -> str:
    data = _outcome_json(args, results)
    verb = "would import" if args.dry_run else "imported"
    counts = ", ".join(f"{data[k]} {k}" for k in ("created", "changed", "unchanged"))
    head = f"{verb} {args.file}: {counts}"
    rows = [(_outcome(r), r.rrset.name, r.rrset.rtype, r.rrset.ttl, record_data(r.rrset), r.rrset.owner)
            for r in results]  # fmt: skip
    serials = render_table(("zone", "serial"), sorted(data["serials"].items()))
    if not rows:
        return head
    return f"{head}\n{render_table(('outcome', 'name', 'type', 'ttl', 'data', 'owner'), rows)}\n\n{serials}"
