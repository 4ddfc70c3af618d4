"""``dnsd dump [FILE|-]`` and ``dnsd restore FILE|- [--force]``: the whole store as one file.

The file is the versioned JSON document of :mod:`dnsd.domain.dump_format`: zones, pools, records
with owners and Kubernetes pool mappings; never API tokens, TSIG keys or sync status. A dump
written to a file appears whole or not at all (written aside, then renamed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, note, render_table
from dnsd.config import Settings
from dnsd.domain.errors import invalid
from dnsd.store.dump import DumpOps, RestoreResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dump = sub.add_parser("dump", help="write the whole store as one portable JSON file (backup)")
    dump.add_argument("file", nargs="?", default="-", help="where to write it (default -: stdout)")
    dump.set_defaults(func=run_dump)
    restore = sub.add_parser("restore", help="load a dump into an empty store (--force: replace all)")
    restore.add_argument("file", help="a file written by 'dnsd dump', or - for stdin")
    restore.add_argument("--force", action="store_true", help="replace whatever the store holds")
    restore.set_defaults(func=run_restore)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so a reader sees the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_dump(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        doc = DumpOps(store.engine).dump_document()
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    counts = {k: len(doc[k]) for k in ("zones", "pools", "records", "k8s_mappings")}
    summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
    if args.file == "-":
        sys.stdout.write(text)
        note(f"dumped {summary}")
        return 0
    try:
        write_atomically(Path(args.file), text)
    except OSError as exc:
        raise invalid("file", f"cannot write {args.file}: {exc.strerror}") from exc
    emit(
        args,
        {"file": args.file, **counts, "created_at": doc["created_at"]},
        f"dumped {summary} to {args.file}",
    )
    return 0


def read_dump(name: str) -> object:
    """The JSON document in file ``name`` (``-``: stdin); :class:`InvalidInput` (``file``) if it
    cannot be read or is not JSON."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise invalid("file", f"cannot read {name}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise invalid("file", f"{name} is not UTF-8 text: {exc.reason}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise invalid(
            "file", f"{name} is not JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from exc


def run_restore(args: argparse.Namespace, settings: Settings) -> int:
    doc = read_dump(args.file)
    with open_store(settings) as store:
        result = DumpOps(store.engine, serial_policy=store.serial_policy).restore_document(
            doc, cli_actor(), force=args.force
        )
    emit(args, _result_json(args.file, result), _result_text(args.file, result))
    return 0


def _result_json(file: str, result: RestoreResult) -> dict[str, object]:
    return {
        "file": file, "zones": result.zones, "pools": result.pools, "records": result.records,
        "k8s_mappings": result.mappings, "serials": result.serials, "replaced": result.replaced,
    }  # fmt: skip


def _result_text(file: str, result: RestoreResult) -> str:
    r = result
    what = f"{r.zones} zones, {r.pools} pools, {r.records} records, {r.mappings} k8s mappings"
    head = f"restored {what} from {file}" + (" (replacing what the store held)" if result.replaced else "")
    if not result.serials:
        return head
    return f"{head}\n\n{render_table(('zone', 'serial'), sorted(result.serials.items()))}"
