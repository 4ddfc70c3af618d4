"""API token rules: scopes, and what is wrong with a token's name, scope and zones. Pure."""

from __future__ import annotations

from dnsd.domain.errors import Reason
from dnsd.domain.names import name_problems

SCOPES = ("read", "write")
TOKEN_PREFIX = "dnsd_"


def token_problems(name: str, scope: str, zones: list[str] | None) -> list[Reason]:
    """What is wrong with a token's name, scope and zone names, before the database is read."""
    reasons: list[Reason] = []
    if not name or len(name) > 100:
        reasons.append(Reason("name", "1-100 characters"))
    if scope not in SCOPES:
        reasons.append(Reason("scope", f"one of {', '.join(SCOPES)}"))
    elif scope != "write" and zones:
        reasons.append(
            Reason("zones", "only a write token is limited to zones; a read token reads every zone")
        )
    for i, zone in enumerate(zones or []):
        reasons += [Reason(f"zones.{i}", p) for p in name_problems(zone, wildcard=False)[1]]
    return reasons
