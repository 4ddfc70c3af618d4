"""``dnsd shift start|status|pause|resume|abort``: progressive moves of records to a pool.

The leader (``dnsd serve``) takes the steps; these commands start shifts and read or change
their state in the store (docs/steering.md).
"""

from __future__ import annotations

import argparse
from typing import Any

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, render_fields, render_table
from dnsd.config import Settings
from dnsd.domain.errors import invalid
from dnsd.domain.shifts import Shift, check_steps, parse_duration


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    shift = sub.add_parser("shift", help="progressive, checked moves of records to a pool")
    actions = shift.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="start a shift (names, or --owner / --pool)")
    start.add_argument("names", nargs="*", metavar="NAME", help="record names to shift")
    start.add_argument("--to", required=True, metavar="POOL", help="the target pool")
    start.add_argument("--owner", help="shift every pool record of this owner")
    start.add_argument("--pool", help="shift every record now on this pool")
    start.add_argument("--steps", default="5,25,50,100", help="percent on the target per step")
    start.add_argument("--every", default="10m", help="how long each step runs (30s, 10m, 1h)")
    start.set_defaults(func=start_shift)
    status = actions.add_parser("status", help="all shifts, or one with its history")
    status.add_argument("id", nargs="?", type=int)
    status.set_defaults(func=shift_status)
    for action in ("pause", "resume", "abort"):
        one = actions.add_parser(action, help=f"{action} a shift")
        one.add_argument("id", type=int)
        one.set_defaults(func=control, control=action)


def shift_json(shift: Shift) -> dict[str, Any]:
    return {
        "id": shift.id, "status": shift.status, "to": shift.target, "steps": list(shift.steps),
        "every": shift.every, "step": shift.step_index, "percent": shift.percent,
        "next_at": shift.next_at, "reason": shift.reason, "actor": shift.actor,
        "records": [f"{r.name}/{r.rtype}" for r in shift.records], "history": list(shift.history),
    }  # fmt: skip


def shift_text(shift: Shift) -> str:
    fields = [(k, v) for k, v in shift_json(shift).items() if k != "history"]
    rows = [
        (h.get("at", ""), h.get("event", ""), h.get("percent", ""), h.get("reason", ""))
        for h in shift.history
    ]
    return f"{render_fields(fields)}\n\n{render_table(('at', 'event', 'percent', 'reason'), rows)}"


def _steps(text: str) -> list[Any]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise invalid("steps", f"{text!r}: percentages like 5,25,50,100") from None


def start_shift(args: argparse.Namespace, settings: Settings) -> int:
    steps, every = check_steps(_steps(args.steps), parse_duration(args.every))
    with open_store(settings) as store:
        shift = store.create_shift(
            args.to, steps, every, cli_actor(), names=args.names, owner=args.owner, pool=args.pool
        )
    emit(args, shift_json(shift), f"started shift {shift.id}\n{shift_text(shift)}")
    return 0


def shift_status(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        if args.id is not None:
            shift = store.get_shift(args.id)
            emit(args, shift_json(shift), shift_text(shift))
            return 0
        shifts = store.list_shifts()
    rows = [(s.id, s.status, s.target, f"{s.percent}%", len(s.records), s.reason) for s in shifts]
    text = render_table(("id", "status", "to", "now", "records", "reason"), rows) if rows else "no shifts"
    emit(args, [shift_json(s) for s in shifts], text)
    return 0


def control(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        shift = store.control_shift(args.id, args.control, cli_actor())
    emit(args, shift_json(shift), f"shift {shift.id} is {shift.status}\n{shift_text(shift)}")
    return 0
