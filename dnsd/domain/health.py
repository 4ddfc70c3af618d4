"""Health checks of pool members: how a member is checked, and its state (docs/steering.md).

A pool may carry one :class:`HealthCheck`. ``tcp`` checks the VIP: a connect to ``port``.
``http``/``https`` are route-aware: a GET of ``path`` on the VIP **with the Host header of each
record name the pool answers for**, so "the VIP is up" and "this host is routed there" are
different facts (an Istio gateway answers 404 for a host no VirtualService routes).
States are keyed ``(pool, address)`` for TCP and ``(pool, address, host)`` for HTTP(S), as
:func:`dnsd.domain.selection.health_from_states` reads them. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dnsd.domain.errors import InvalidInput, Reason

Kind = Literal["tcp", "http", "https"]
KINDS: tuple[Kind, ...] = ("tcp", "http", "https")
UP = "up"
DOWN = "down"


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """How the members of one pool are checked. Times in seconds; ``rise`` successes in a row
    bring a down member up, ``fall`` failures in a row take an up member down; ``expect`` are
    the HTTP status ranges that count as success (inclusive)."""

    kind: Kind = "tcp"
    port: int = 80
    path: str = "/"
    interval: float = 10.0
    timeout: float = 2.0
    rise: int = 2
    fall: int = 3
    expect: tuple[tuple[int, int], ...] = ((200, 399),)

    @property
    def route_aware(self) -> bool:
        """True for HTTP(S): a state per (member, host) rather than per member."""
        return self.kind != "tcp"

    def accepts(self, status: int) -> bool:
        return any(lo <= status <= hi for lo, hi in self.expect)


DEFAULT_PORTS = {"tcp": 80, "http": 80, "https": 443}


def expect_text(expect: tuple[tuple[int, int], ...]) -> str:
    """``((200, 399), (404, 404))`` -> ``"200-399,404"``."""
    return ",".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in expect)


def _parse_expect(text: str, reasons: list[Reason]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for part in str(text).split(","):
        lo_text, _, hi_text = part.strip().partition("-")
        try:
            lo = int(lo_text)
            hi = int(hi_text) if hi_text else lo
        except ValueError:
            reasons.append(Reason("check.expect", f"{text!r}: status codes like '200-399,404'"))
            return ()
        if not 100 <= lo <= hi <= 599:
            reasons.append(Reason("check.expect", f"{part.strip()!r}: status codes are 100-599, low-high"))
            return ()
        out.append((lo, hi))
    return tuple(out)


def _number(
    data: Mapping[str, Any], key: str, default: float, low: float, high: float, reasons: list[Reason]
) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        reasons.append(Reason(f"check.{key}", f"a number from {low:g} to {high:g}"))
        return default
    return value


def make_check(data: Mapping[str, Any]) -> HealthCheck:
    """Validate a check's settings (the API/seed JSON form; every field optional except that an
    unknown field is refused). Raises :class:`InvalidInput` naming each ``check.<field>``."""
    reasons: list[Reason] = []
    known = {"kind", "port", "path", "interval", "timeout", "rise", "fall", "expect"}
    for key in data:
        if key not in known:
            reasons.append(Reason(f"check.{key}", f"unknown field; one of {', '.join(sorted(known))}"))
    kind = data.get("kind", "tcp")
    if kind not in KINDS:
        reasons.append(Reason("check.kind", f"one of {', '.join(KINDS)}, not {kind!r}"))
        kind = "tcp"
    port = int(_number(data, "port", DEFAULT_PORTS[kind], 1, 65535, reasons))
    if not isinstance(data.get("port", 1), int):
        reasons.append(Reason("check.port", "an integer from 1 to 65535"))
    path = data.get("path", "/")
    if (
        not isinstance(path, str)
        or not path.startswith("/")
        or any(c.isspace() for c in path)
        or len(path) > 1000
    ):
        reasons.append(Reason("check.path", "an absolute path without spaces, like '/healthz'"))
        path = "/"
    interval = _number(data, "interval", 10.0, 0.2, 3600, reasons)
    timeout = _number(data, "timeout", min(2.0, interval), 0.05, 60, reasons)
    if timeout > interval:
        reasons.append(Reason("check.timeout", f"must not exceed the interval ({interval:g} s)"))
    rise = int(_number(data, "rise", 2, 1, 100, reasons))
    fall = int(_number(data, "fall", 3, 1, 100, reasons))
    for key in ("rise", "fall"):
        if key in data and not isinstance(data[key], int):
            reasons.append(Reason(f"check.{key}", "an integer from 1 to 100"))
    expect = _parse_expect(data.get("expect", "200-399"), reasons)
    if reasons:
        raise InvalidInput(reasons)
    return HealthCheck(kind, port, path, float(interval), float(timeout), rise, fall, expect)


def check_dict(check: HealthCheck) -> dict[str, Any]:
    """The JSON form (API, seed file, store column, change log)."""
    return {
        "kind": check.kind,
        "port": check.port,
        "path": check.path,
        "interval": check.interval,
        "timeout": check.timeout,
        "rise": check.rise,
        "fall": check.fall,
        "expect": expect_text(check.expect),
    }


@dataclass(frozen=True, slots=True)
class Probe:
    """Where a member's health state is kept: ``host`` is "" for a TCP (VIP) check, else the
    record name a route-aware check sends as Host."""

    pool: str
    address: str
    host: str = ""

    @property
    def key(self) -> tuple[str, ...]:
        """The key :func:`dnsd.domain.selection.health_from_states` reads."""
        return (self.pool, self.address, self.host) if self.host else (self.pool, self.address)


@dataclass(frozen=True, slots=True)
class Streak:
    """A probe's state and its current run of results (what rise/fall count)."""

    state: str = UP
    ok: int = 0
    failed: int = 0


def advance(streak: Streak, ok: bool, check: HealthCheck) -> Streak:
    """The streak after one result. A member never checked starts ``up``; ``fall`` failures in
    a row take it down, ``rise`` successes in a row bring it back."""
    if ok:
        runs = Streak(streak.state, streak.ok + 1, 0)
        return Streak(UP, runs.ok, 0) if runs.ok >= check.rise else runs
    runs = Streak(streak.state, 0, streak.failed + 1)
    return Streak(DOWN, 0, runs.failed) if runs.failed >= check.fall else runs
