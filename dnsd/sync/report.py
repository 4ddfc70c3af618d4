"""Plans, run reports and statuses as JSON-ready dicts and as text tables (CLI and API)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from dnsd.domain.plan import CREATE, DELETE, UPDATE
from dnsd.domain.sync_status import SyncStatus
from dnsd.sync.plan import SHARED, PlanConflict, RecordChange, as_plan
from dnsd.sync.records import RecordSpec, RemoteRecord
from dnsd.sync.runner import ZoneReport


def _spec(spec: RecordSpec | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    out: dict[str, Any] = {"value": spec.value, "ttl": spec.ttl, "line": spec.line}
    if spec.mx is not None:
        out["mx"] = spec.mx
    if spec.weight is not None:
        out["weight"] = spec.weight
    return out


def _remote(record: RemoteRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    out: dict[str, Any] = {"id": record.id, "value": record.value, "ttl": record.ttl, "remark": record.remark,
                           "line": record.line}  # fmt: skip
    if record.rtype == "MX":
        out["mx"] = record.mx
    if record.weight:
        out["weight"] = record.weight
    if record.status != "ENABLE":
        out["status"] = record.status
    return out


def change_dict(change: RecordChange) -> dict[str, Any]:
    return {
        "action": change.action, "name": change.subdomain, "type": change.rtype, "line": change.line,
        "new": _spec(change.new), "old": _remote(change.old), "why": change.why,
    }  # fmt: skip


def conflict_dict(conflict: PlanConflict) -> dict[str, Any]:
    return {
        "name": conflict.subdomain, "type": conflict.rtype, "line": conflict.line, "kind": conflict.kind,
        "frozen": [_remote(r) for r in conflict.frozen], "describe": conflict.describe(),
        "held": [{**(_remote(r) or {}), "type": r.rtype} for r in conflict.held],
        "wanted": [_spec(s) for s in conflict.wanted],
    }  # fmt: skip


def report_dict(report: ZoneReport) -> dict[str, Any]:
    """A zone's run: its plan (creates, updates, deletes, conflicts, skipped) and what was done."""
    out: dict[str, Any] = {"zone": report.zone, "result": report.result, "drift": report.drift,
                           "message": report.message}  # fmt: skip
    plan = report.plan
    if plan is not None:
        out |= {
            "creates": [change_dict(c) for c in plan.creates],
            "updates": [change_dict(c) for c in plan.updates],
            "deletes": [change_dict(c) for c in plan.deletes],
            "conflicts": [conflict_dict(c) for c in plan.conflicts],
            "skipped": [asdict(s) for s in plan.skipped],
            "unchanged": plan.unchanged,
            "managed": plan.managed,
        }
    if report.outcome is not None:
        out["applied"] = {
            "done": [change_dict(c) for c in report.outcome.done],
            "failed": [change_dict(f.change) | {"error": str(f.error)} for f in report.outcome.failed],
            "not_attempted": [change_dict(c) for c in report.outcome.not_attempted],
        }
    return out


def status_dict(status: SyncStatus) -> dict[str, Any]:
    out = asdict(status)
    out["run_at"] = status.run_at.isoformat()
    out["last_success_at"] = status.last_success_at.isoformat() if status.last_success_at else None
    return out


PLAN_HEADERS = ("action", "name", "type", "line", "ttl", "value", "note")
STATUS_HEADERS = (
    "provider",
    "zone",
    "last run",
    "mode",
    "result",
    "c/u/d",
    "conflicts",
    "failed",
    "drift",
    "message",
)


def _change_row(change: RecordChange, state: str = "", error: str = "") -> tuple[object, ...]:
    value = change.new.show() if change.new else change.old.show() if change.old else ""
    weight = change.new.weight if change.new else change.old.weight if change.old else None
    if weight:
        value += f" (weight {weight})"
    ttl = change.new.ttl if change.new else change.old.ttl if change.old else None
    note = f"{change.why}: {error}" if error else change.why
    return (state or change.action, change.subdomain, change.rtype, change.line, ttl, value, note)


def plan_rows(report: ZoneReport) -> list[tuple[object, ...]]:
    """One row per change (with what became of it, after an apply), conflict and skipped RRset."""
    plan, outcome = report.plan, report.outcome
    if plan is None:
        return []
    if outcome is None:
        rows = [_change_row(c) for c in plan.changes]
    else:
        rows = [_change_row(c, f"{c.action}: done") for c in outcome.done]
        rows += [_change_row(f.change, f"{f.change.action}: FAILED", str(f.error)) for f in outcome.failed]
        rows += [_change_row(c, f"{c.action}: not tried") for c in outcome.not_attempted]
    for conflict in plan.conflicts:
        held = [f"{r.rtype} {r.show()} (id {r.id}, remark {r.remark!r})" for r in conflict.held]
        wanted = [s.show() for s in conflict.wanted]
        if conflict.kind == SHARED:
            note = ["console values served next to dnsd's", *held]
        else:
            frozen = [f"dnsd's {r.show()} (id {r.id}) frozen" for r in conflict.frozen]
            note = ["held by unmanaged, not published", *held, *frozen]
        rows.append(("conflict", conflict.subdomain, conflict.rtype, conflict.line, None, wanted, note))
    rows += [("skipped", s.name, s.rtype, None, None, None, s.reason) for s in plan.skipped]
    return rows


def result_text(report: ZoneReport) -> str:
    """The result as people read it: ``in sync except 2 conflicts`` rather than ``in-sync``."""
    count = len(report.plan.conflicts) if report.plan is not None else 0
    if not count or report.result not in ("in-sync", "applied"):
        return report.result
    conflicts = f"{count} conflict{'s' if count > 1 else ''}"
    if report.result == "in-sync":
        return f"in sync except {conflicts}"
    return f"applied, in sync except {conflicts}"


def headline(report: ZoneReport) -> str:
    plan = report.plan
    if plan is None:
        return f"zone {report.zone}: {report.result}: {report.message}"
    drift = f", drift {report.drift}" if report.drift else ""
    shared = as_plan(plan)
    counts = f"{shared.count(CREATE)} create, {shared.count(UPDATE)} update, {shared.count(DELETE)} delete"
    return (
        f"zone {report.zone}: {result_text(report)} - {counts},"
        f" {len(shared.problems)} conflict, {plan.unchanged} unchanged{drift}"
    )


def status_row(s: SyncStatus) -> tuple[object, ...]:
    counts = f"{s.creates}/{s.updates}/{s.deletes}"
    return (s.provider, s.zone, s.run_at, s.mode, s.result, counts, s.conflicts, s.failed, s.drift, s.message)
