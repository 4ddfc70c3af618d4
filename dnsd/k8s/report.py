"""How plans and their outcomes are shown: one line per step or problem, or JSON."""

from __future__ import annotations

from typing import Any

from dnsd.domain.plan import CREATE, DELETE, UPDATE, Plan, Problem, Skip, Step
from dnsd.domain.records import RRset

_MARK = {CREATE: "+", UPDATE: "~", DELETE: "-"}


def _content(rrset: RRset) -> str:
    data = f"pool={rrset.pool}" if rrset.pool else " ".join(rrset.value_texts())
    return f"{rrset.name} {rrset.rtype} ttl={rrset.ttl} {data}"


def step_line(step: Step) -> str:
    line = f"{_MARK[step.action]} {step.action} {_content(step.rrset)} owner={step.rrset.owner}"
    if step.old is not None:
        line += f" (was ttl={step.old.ttl} pool={step.old.pool})"
    return line


def problem_line(problem: Problem) -> str:
    mark = "!" if problem.holder is not None else "x"
    return f"{mark} {problem.kind} {problem}"


def skip_line(skip: Skip) -> str:
    return f". skip {skip.host} ({skip.owner}): {skip.reason}"


def summary(plan: Plan) -> str:
    conflicts = sum(1 for p in plan.problems if p.holder is not None)
    return (
        f"Plan: {plan.count(CREATE)} to create, {plan.count(UPDATE)} to update,"
        f" {plan.count(DELETE)} to delete, {len(plan.unchanged)} unchanged; {conflicts} conflicts,"
        f" {len(plan.problems) - conflicts} rejected, {len(plan.skipped)} skipped"
    )


def plan_lines(plan: Plan) -> list[str]:
    return [
        *(step_line(s) for s in plan.steps),
        *(problem_line(p) for p in plan.problems),
        *(skip_line(s) for s in plan.skipped),
        summary(plan),
    ]


def _rrset_json(rrset: RRset) -> dict[str, Any]:
    return {
        "name": rrset.name,
        "type": rrset.rtype,
        "ttl": rrset.ttl,
        "pool": rrset.pool,
        "owner": rrset.owner,
    }


def problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "kind": problem.kind, "owner": problem.owner, "host": problem.host, "field": problem.field,
        "message": problem.message, "holder": problem.holder,
    }  # fmt: skip


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "steps": [{"action": s.action, **_rrset_json(s.rrset)} for s in plan.steps],
        "unchanged": [_rrset_json(r) for r in plan.unchanged],
        "problems": [problem_json(p) for p in plan.problems],
        "skipped": [{"owner": s.owner, "host": s.host, "reason": s.reason} for s in plan.skipped],
    }
