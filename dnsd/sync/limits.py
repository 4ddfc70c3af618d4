"""A provider plan's limits, and what the planner does with them. Pure.

DNSPod sells plans (the domain's ``Grade`` in DescribeDomainList, e.g. ``DP_FREE``, ``DP_PLUS``,
``DP_EXPERT``, ``DP_ULTRA``; older grades ``D_FREE``...``D_ULTRA``, ``DP_EXTRA``) and
DescribeDomainPurview lists the domain's limits as ``PurviewInfo`` items: ``Name``/``Value``
strings, the names in the request's language. The API documentation's example names them
(Chinese / English):

* ``记录TTL最低`` (English name not shown in the documentation), value e.g. ``"1"``: the
  **minimum record TTL**. A lower TTL is refused with ``LimitExceeded.RecordTtlLimit`` on every
  run; dnsd publishes ``max(its TTL, the minimum)`` and says so in the plan
  (``ttl 300 -> 600 (plan minimum)``);
* ``负载均衡数量`` / ``max DNS balance count``: at most that many enabled records of one name and
  type on a line (``LimitExceeded.SubdomainRollLimit``, "子域名负载均衡数量超出限制"). A plan that
  needs more is refused at plan time with the reason, instead of failing on every run;
* ``NS记录条数`` / ``NS record count`` (also AAAA, SRV): records of that type, checked the same way.

dnsd asks for the purview in Chinese, whose names the documentation shows in full, and takes any
entry whose name mentions TTL (and not a maximum) as the minimum, whatever its language. When no
such entry is there (or the key may not call DescribeDomainPurview), the minimum is
:data:`FALLBACK_MIN_TTL`: the documentation gives no per-grade table ("the minimum value varies by
domain level"), and a TTL raised too far only costs caching time, while one too low fails every
run. dnsd never sends weights or lines other than the default, so those limits cannot be hit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from dnsd.sync.desired import DesiredZone
from dnsd.sync.records import DEFAULT_LINE, TTL_MIN, RecordSpec, RemoteRecord

# The TTL minimum when the purview names none: the free plan's (the highest known minimum).
FALLBACK_MIN_TTL = 600
TTL_ENTRY = "记录TTL最低"  # DescribeDomainPurview's documented (zh-CN) name of the TTL minimum
_TYPE_COUNT = re.compile(r"^\s*([A-Z]+)\s*(record count|记录条数)\s*$", re.IGNORECASE)
_MAXIMUM = ("max", "最高", "最大", "上限")


@dataclass(frozen=True, slots=True)
class PlanLimits:
    """What a zone's provider plan allows. ``None``: no limit known."""

    grade: str = ""
    min_ttl: int = TTL_MIN
    max_values: int | None = None  # records of one name + type (DNSPod's "DNS balance" count)
    max_per_type: Mapping[str, int] = field(default_factory=dict)


def _number(value: object) -> int | None:
    """A purview ``Value`` as a count: the documentation shows digit strings (``"600"``); a
    plain integer or a number with a unit (``"600 s"``) is read too, ``"yes"``/``"no"`` is not."""
    digits = re.match(r"\s*(\d+)", str(value) if value is not None else "")
    return int(digits.group(1)) if digits else None


def _is_ttl_minimum(name: str) -> bool:
    lowered = name.lower()
    return name.strip() == TTL_ENTRY or ("ttl" in lowered and not any(m in lowered for m in _MAXIMUM))


def limits_from_purview(grade: str, purview: Iterable[tuple[str, object]]) -> PlanLimits:
    """Read the limits out of DescribeDomainPurview's ``(Name, Value)`` pairs (Chinese or
    English names); without a TTL entry the minimum is :data:`FALLBACK_MIN_TTL`."""
    min_ttl: int | None = None
    max_values: int | None = None
    per_type: dict[str, int] = {}
    for name, value in purview:
        number = _number(value)
        if number is None:
            continue
        if _is_ttl_minimum(name):
            min_ttl = max(TTL_MIN, number)
        elif "负载均衡" in name or "balance" in name.lower():  # 负载均衡数量 / max DNS balance count
            max_values = number
        elif match := _TYPE_COUNT.match(name):
            per_type[match.group(1).upper()] = number
    return PlanLimits(grade.upper(), FALLBACK_MIN_TTL if min_ttl is None else min_ttl, max_values, per_type)


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
        per_name = Counter((r.subdomain, r.rtype, r.line) for r in desired)
        kept = {(r.subdomain, r.rtype, r.line, r.key) for r in desired}
        per_name.update(
            (r.subdomain.lower(), r.rtype, r.line) for r in foreign
            if r.status == "ENABLE" and (r.subdomain.lower(), r.rtype, r.line, r.key) not in kept
        )  # fmt: skip
        for (sub, rtype, line), count in sorted(per_name.items()):
            if count > limits.max_values:
                where = f" on line {line}" if line != DEFAULT_LINE else ""
                reasons.append(
                    f"{sub} {rtype}{where} needs {count} records; the {limits.grade or 'provider'} plan"
                    f" allows {limits.max_values} per name and type"
                )
    per_type = Counter(r.rtype for r in desired) + Counter(r.rtype for r in foreign)
    for rtype, most in sorted(limits.max_per_type.items()):
        if per_type[rtype] > most:
            reasons.append(
                f"{per_type[rtype]} {rtype} records; the {limits.grade or 'provider'} plan allows {most}"
            )
    return reasons
