"""The health part of ``dnsd pool show``: the check and each probed member's state."""

from __future__ import annotations

from typing import Any

from dnsd.cli.output import render_table
from dnsd.domain.health import check_dict
from dnsd.domain.pools import Pool
from dnsd.store.health import MemberHealth


def health_json(pool: Pool, health: list[MemberHealth]) -> dict[str, Any]:
    members = [
        {"address": m.address, "host": m.host, "state": m.state, "last_check": m.last_check,
         "last_change": m.last_change, "last_error": m.last_error}
        for m in health
    ]  # fmt: skip
    return {"check": check_dict(pool.check) if pool.check else None, "health": members}


def _when(value: object) -> str:
    return "-" if value is None else str(value)[:19]


def health_text(pool: Pool, health: list[MemberHealth]) -> str:
    """ "" without a check; else the check and a table of member states."""
    if pool.check is None:
        return ""
    check = ", ".join(f"{k} {v}" for k, v in check_dict(pool.check).items())
    if not health:
        return f"\n\ncheck: {check}\nno member checked yet (members count as up)"
    rows = [
        (m.address, m.host or "-", m.state, _when(m.last_check), _when(m.last_change), m.last_error or "-")
        for m in health
    ]
    headers = ("address", "host", "state", "last check", "last change", "last error")
    return f"\n\ncheck: {check}\n{render_table(headers, rows)}"
