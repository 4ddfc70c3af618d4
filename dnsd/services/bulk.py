"""Many RRsets at once, all or nothing: the check-then-write ``POST /records/bulk`` and
``dnsd record import FILE`` share, and reading such a file.

The file is a list of records shaped like the body of ``POST /records``, or a mapping with
``records`` and a default ``owner``. Every entry is checked on its own, then against the store
and the other entries, and every problem is reported with its place; if there is any, nothing
is written. Otherwise all are written in one transaction (one change row).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from dnsd.domain.errors import InvalidInput, Reason, invalid
from dnsd.domain.records import RRset, TtlLimits
from dnsd.services.seedfile import RECORD_KEYS, Entry, EntryReader, read_record, read_seed, unknown_keys
from dnsd.store.bulk import BulkConflict, BulkOps
from dnsd.store.records import PutResult
from dnsd.store.zonestore import ZoneStore

TOP_KEYS = ("owner", "records")


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
        rrset = read_record(EntryReader(path, item, RECORD_KEYS, reasons), owner, limits)
        if rrset is not None:
            entries.append(Entry(path, rrset))
    return entries, reasons


def store_reasons(bulk: BulkOps, rrsets: Sequence[RRset], labels: Sequence[str]) -> list[Reason]:
    """What the store says about the sound items (a dry run), as reasons: reported together with
    the other items' problems, so one answer shows everything."""
    try:
        bulk.put_many(rrsets, "check", labels, dry_run=True)
    except InvalidInput as exc:
        return exc.reasons
    except BulkConflict as exc:
        return [Reason(f"{c.label}.name", f"{c.name} is held by {c.holder}") for c in exc.conflicts]
    return []


def put_checked(
    store: ZoneStore,
    rrsets: Sequence[RRset],
    labels: Sequence[str],
    reasons: list[Reason],
    actor: str,
    *,
    dry_run: bool,
    order: Callable[[list[Reason]], list[Reason]],
) -> list[PutResult]:
    """Put the sound ``rrsets`` (item ``labels[i]``) in one transaction, or none.

    ``reasons`` are the problems the caller's parsing found in the other items; if there are any,
    :class:`InvalidInput` lists them together with the store's verdict on the sound ones, in
    ``order`` (file order, request order), and nothing is written. Otherwise
    :meth:`BulkOps.put_many` checks and writes (or, ``dry_run``, only checks) everything.
    """
    bulk = BulkOps(store.engine, store.limits, store.serial_policy)
    if reasons:
        raise InvalidInput(order(reasons + store_reasons(bulk, rrsets, labels)))
    return bulk.put_many(rrsets, actor, labels, dry_run=dry_run)
