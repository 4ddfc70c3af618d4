"""What derivation produces: desired names on pools, rejections with reasons, skips.

A derivation never raises for bad manifests: each problem becomes a :class:`Problem` naming
the object, the host and the field, so one bad object never hides the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dnsd.domain.names import name_problems
from dnsd.domain.plan import Problem, Skip
from dnsd.domain.records import MAX_TTL
from dnsd.k8s.hosts import canonical_host
from dnsd.k8s.objects import KubeObject

DEFAULT_TTL = 300
ANN_HOSTNAMES, ANN_POOL, ANN_TTL = "dnsd.io/hostnames", "dnsd.io/pool", "dnsd.io/ttl"


@dataclass(frozen=True, slots=True)
class DesiredName:
    """``name`` should answer A/AAAA from ``pool``, owned by ``owner``; ``via`` says why."""

    name: str
    pool: str
    ttl: int
    owner: str
    via: str = ""


@dataclass(frozen=True, slots=True)
class Derivation:
    """The desired state from a set of objects. ``owners``: every object that may own records
    (Services, Ingresses, VirtualServices), including those that derive nothing now."""

    names: tuple[DesiredName, ...] = ()
    rejected: tuple[Problem, ...] = ()
    skipped: tuple[Skip, ...] = ()
    owners: frozenset[str] = frozenset()


@dataclass(slots=True)
class Collector:
    """Accumulates one object's results."""

    obj: KubeObject
    names: list[DesiredName] = field(default_factory=list)
    rejected: list[Problem] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)

    def reject(self, fld: str, message: str, host: str = "") -> None:
        self.rejected.append(Problem(self.obj.owner, fld, message, host))

    def skip(self, host: str, reason: str) -> None:
        self.skipped.append(Skip(self.obj.owner, host, reason))

    def add(self, host: str, pool: str, ttl: int, via: str) -> None:
        if all(n.name != host for n in self.names):
            self.names.append(DesiredName(host, pool, ttl, self.obj.owner, via))

    def host(self, text: str, fld: str) -> str | None:
        """The canonical DNS name of a host, or None (rejected or skipped) when it cannot be one."""
        host = canonical_host(text)
        if host == "*":
            self.skip(host, "'*' matches every name; no record can stand for it")
            return None
        name, problems = name_problems(host, wildcard=True)
        for problem in problems:
            self.reject(fld, problem, host)
        return None if problems else name


def annotated_ttl(annotations: Mapping[str, str], out: Collector) -> int | None:
    """The ``dnsd.io/ttl`` annotation (default 300); None (and a rejection) when invalid."""
    text = annotations.get(ANN_TTL)
    if text is None:
        return DEFAULT_TTL
    try:
        ttl = int(text.strip())
    except ValueError:
        ttl = -1
    if not 0 <= ttl <= MAX_TTL:
        out.reject(f"metadata.annotations.{ANN_TTL}", f"{text!r} is not a TTL (0..{MAX_TTL} seconds)")
        return None
    return ttl


def annotated_pool(annotations: Mapping[str, str]) -> str | None:
    """The ``dnsd.io/pool`` annotation, canonical, or None."""
    pool = annotations.get(ANN_POOL, "").strip().lower()
    return pool or None
