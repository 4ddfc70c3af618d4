"""A provider plan's limits, and what the planner does with them. Pure.

DNSPod sells plans (the domain's ``Grade`` in DescribeDomainList: ``DP_FREE``, ``DP_PLUS``,
``DP_EXPERT``, ``DP_ULTRA``...) and DescribeDomainPurview lists each plan's limits as
``Name``/``Value`` pairs. Two of them are limits a sync can hit:

* the **minimum record TTL** (600 s on the free plan): a lower TTL is refused with
  ``LimitExceeded.RecordTtlLimit``, on every run. dnsd publishes ``max(its TTL, the minimum)``
  and says so in the plan (``ttl 300 -> 600 (plan minimum)``);
* the **"DNS balance" count**: at most that many enabled records of one name and type on a
  line (``LimitExceeded.SubdomainRollLimit``). A plan that needs more is refused at plan time
  with the reason, instead of failing the same create on every run.

Per-type record counts ("A record count") are checked the same way. dnsd never sends weights or
lines other than the default, so the plan limits on those cannot be hit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from dnsd.sync.desired import DesiredZone
from dnsd.sync.records import TTL_MIN, RecordSpec, RemoteRecord

# When DescribeDomainPurview names no TTL minimum: the documented minimum of each plan.
GRADE_MIN_TTL = {"DP_FREE": 600, "DP_PLUS": 120, "DP_EXPERT": 60, "DP_ULTRA": 1}
_TYPE_COUNT = re.compile(r"^\s*([A-Z]+)\s*(record count|记录条数|记录数)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PlanLimits:
    """What a zone's provider plan allows. ``None``: no limit known."""

    grade: str = ""
    min_ttl: int = TTL_MIN
    max_values: int | None = None  # records of one name + type (DNSPod's "DNS balance" count)
    max_per_type: Mapping[str, int] = field(default_factory=dict)


def _number(text: str) -> int | None:
    digits = re.search(r"\d+", text or "")
    return int(digits.group()) if digits else None


def limits_from_purview(grade: str, purview: Iterable[tuple[str, str]]) -> PlanLimits:
    """Read the limits out of DescribeDomainPurview's ``(Name, Value)`` pairs (English or
    Chinese names); the TTL minimum falls back to the grade's documented one."""
    min_ttl = GRADE_MIN_TTL.get(grade.upper(), TTL_MIN)
    max_values: int | None = None
    per_type: dict[str, int] = {}
    for name, value in purview:
        number, lowered = _number(value), name.lower()
        if number is None:
            continue
        if "ttl" in lowered and any(w in lowered for w in ("min", "最低", "最小")):
            min_ttl = max(TTL_MIN, number)
        elif "balance" in lowered or "负载均衡" in name:
            max_values = number
        elif match := _TYPE_COUNT.match(name):
            per_type[match.group(1).upper()] = number
    return PlanLimits(grade, min_ttl, max_values, per_type)


def raise_ttls(desired: DesiredZone, limits: PlanLimits) -> DesiredZone:
    """``desired`` with every TTL under the plan minimum raised to it (``asked_ttl`` keeps ours)."""
    if limits.min_ttl <= TTL_MIN:
        return desired
    records = tuple(
        replace(r, ttl=limits.min_ttl, asked_ttl=r.ttl) if r.ttl < limits.min_ttl else r
        for r in desired.records
    )
    return replace(desired, records=records)


def over_limits(
    desired: Iterable[RecordSpec], foreign: Iterable[RemoteRecord], limits: PlanLimits
) -> list[str]:
    """Why the zone, once planned, would not fit the plan: dnsd's records plus the unmanaged ones
    that stay. Empty when it fits."""
    desired, foreign = list(desired), list(foreign)
    reasons: list[str] = []
    if limits.max_values is not None:
        per_name = Counter((r.subdomain, r.rtype) for r in desired)
        kept = {(r.subdomain, r.rtype, r.key) for r in desired}
        per_name.update(
            (r.subdomain.lower(), r.rtype) for r in foreign
            if r.status == "ENABLE" and (r.subdomain.lower(), r.rtype, r.key) not in kept
        )  # fmt: skip
        for (sub, rtype), count in sorted(per_name.items()):
            if count > limits.max_values:
                reasons.append(
                    f"{sub} {rtype} needs {count} records; the {limits.grade or 'provider'} plan allows"
                    f" {limits.max_values} per name and type"
                )
    per_type = Counter(r.rtype for r in desired) + Counter(r.rtype for r in foreign)
    for rtype, most in sorted(limits.max_per_type.items()):
        if per_type[rtype] > most:
            reasons.append(
                f"{per_type[rtype]} {rtype} records; the {limits.grade or 'provider'} plan allows {most}"
            )
    return reasons
