"""``dnsd record import FILE``: many RRsets from a JSON or YAML file, all or nothing.

The file is a list of records shaped like the body of ``POST /records``, or a mapping with
``records`` and a default ``owner``. Every entry is checked on its own, then against the store
and the other entries, and every problem is reported with its place in the file; if there is
any, nothing is written. Otherwise all are written in one transaction (one change row), as
``POST /records/bulk`` does, without its per-request cap.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, render_table
from dnsd.cli.seedfile import (
    DEFAULT_TTL,
    RECORD_KEYS,
    Entry,
    EntryReader,
    in_file_order,
    read_seed,
    unknown_keys,
)
from dnsd.cli.shapes import record_data, record_json
from dnsd.config import Settings
from dnsd.domain.errors import InvalidInput, Reason, invalid
from dnsd.domain.records import RRset, TtlLimits, make_rrset
from dnsd.store.bulk import BulkConflict, BulkOps
from dnsd.store.records import PutResult

TOP_KEYS = ("owner", "records")


def add_import_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = actions.add_parser("import", help="add or replace many RRsets from a file, all or nothing")
    parser.add_argument("file", help="a .json, .yaml or .yml file, or - for JSON/YAML on stdin")
    parser.add_argument("--dry-run", action="store_true", help="check everything and show the outcome")
    parser.set_defaults(func=import_records)


def read_document(name: str) -> object:
    """The JSON (``.json``) or YAML document in file ``name`` (``-``: stdin, JSON or YAML)."""
    if name != "-" and not name.endswith(".json"):
        return read_seed(Path(name))
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise invalid("file", f"cannot read {name}: {exc.strerror}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if name == "-" and not text.lstrip().startswith(("{", "[")):
            return _yaml(text)
        raise invalid(
            "file", f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from exc


def _yaml(text: str) -> object:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise invalid("file", f"stdin is neither JSON nor valid YAML: {exc}") from exc


def parse_records(doc: object, limits: TtlLimits) -> tuple[list[Entry[RRset]], list[Reason]]:
    """The sound entries of the document (with their place in it) and every problem found."""
    if isinstance(doc, list):
        doc = {"records": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        return [], [Reason("file", "must be a list of records, or a mapping with 'records' (and 'owner')")]
    reasons = unknown_keys(doc, TOP_KEYS)
    owner = doc.get("owner", "")
    if not isinstance(owner, str):
        reasons.append(Reason("owner", "must be a string like 'ci:pipeline-42'"))
        owner = ""
    entries: list[Entry[RRset]] = []
    for i, item in enumerate(doc["records"]):
        path = f"records[{i}]"
        if not isinstance(item, dict):
            reasons.append(Reason(path, "must be a mapping (name: ..., type: ..., ...)"))
            continue
        r = EntryReader(path, item, RECORD_KEYS, reasons)
        name, rtype = r.text("name", "", required=True) or "", r.text("type", "", required=True) or ""
        ttl, values, pool, who = r.integer("ttl"), r.texts("values"), r.text("pool"), r.text("owner", owner)
        ttl = DEFAULT_TTL if ttl is None else ttl
        rrset = r.build(partial(make_rrset, name, rtype, ttl, who or "", values, pool, limits))
        if rrset is not None:
            entries.append(Entry(path, rrset))
    return entries, reasons


def _store_reasons(bulk: BulkOps, entries: list[Entry[RRset]]) -> list[Reason]:
    """What the store would say about the sound entries (a dry run), as reasons."""
    try:
        bulk.put_many([e.item for e in entries], "cli:check", [e.path for e in entries], dry_run=True)
    except InvalidInput as exc:
        return exc.reasons
    except BulkConflict as exc:
        return [Reason(f"{c.label}.name", f"{c.name} is held by {c.holder}") for c in exc.conflicts]
    return []


def import_records(args: argparse.Namespace, settings: Settings) -> int:
    doc = read_document(args.file)
    with open_store(settings) as store:
        entries, reasons = parse_records(doc, store.limits)
        bulk = BulkOps(store.engine, store.limits, store.serial_policy)
        if reasons:
            raise InvalidInput(in_file_order(reasons + _store_reasons(bulk, entries)))
        labels = [e.path for e in entries]
        results = bulk.put_many([e.item for e in entries], cli_actor(), labels, dry_run=args.dry_run)
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
