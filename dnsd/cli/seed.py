"""``dnsd seed FILE``: apply a declarative file of pools, zones and records, idempotently.

The work is :func:`dnsd.services.seed.seed_file` (validate everything, then make it so); this
module parses the arguments and prints the outcome.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, note, render_table
from dnsd.config import Settings
from dnsd.domain.plan import CREATE
from dnsd.services.seed import SeedOutcome, seed_file


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("seed", help="apply a YAML file of pools, zones and records (idempotent)")
    parser.add_argument("file", type=Path, help="seed file, e.g. zones/demo.yaml")
    parser.add_argument("--dry-run", action="store_true", help="validate and show the plan; write nothing")
    parser.set_defaults(func=run)


def outcome_json(outcome: SeedOutcome) -> dict[str, Any]:
    plan = outcome.plan
    records = [{"path": s.label, "name": s.rrset.name, "type": s.rrset.rtype, "create": s.action == CREATE}
               for s in plan.records]  # fmt: skip
    return {
        "file": outcome.file, "dry_run": outcome.dry_run, "changed": not plan.changes_nothing,
        "created": {"views": [v.name for v in plan.views], "pools": [p.name for p in plan.pools],
                    "zones": [z.name for z in plan.zones]},
        "records": records, "unchanged": dict(plan.kept), "notes": list(plan.notes),
        "serials": outcome.serials,
    }  # fmt: skip


def outcome_text(outcome: SeedOutcome) -> str:
    plan, kept = outcome.plan, outcome.plan.kept
    same = f"{kept['pools']} pools, {kept['zones']} zones, {kept['records']} records"
    if kept.get("views"):
        same = f"{kept['views']} views, {same}"
    if plan.changes_nothing:
        return f"{outcome.file}: nothing to change ({same} already as in the file)"
    verb = "would apply" if outcome.dry_run else "applied"
    lines = [f"{outcome.file}: {verb}:"]
    lines += [f"  + view {v.name}" for v in plan.views]
    lines += [f"  + pool {p.name}" for p in plan.pools]
    lines += [f"  + zone {z.name}" for z in plan.zones]
    lines += [
        f"  {'+' if s.action == CREATE else '~'} record {s.rrset.name}/{s.rrset.rtype}" for s in plan.records
    ]
    lines.append(f"  (already as in the file: {same})")
    if outcome.serials:
        lines += ["", render_table(("zone", "serial"), sorted(outcome.serials.items()))]
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        outcome = seed_file(store, args.file, cli_actor(), dry_run=args.dry_run)
    for line in outcome.plan.notes:
        note(f"note: {line}")
    emit(args, outcome_json(outcome), outcome_text(outcome))
    return 0
