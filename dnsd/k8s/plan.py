"""Plan: desired names vs the records that exist -> the steps that make them match. Pure.

Only records in the plan's :class:`Scope` (owned by Kubernetes objects it manages) are ever
updated or deleted; a desired name held by any other owner becomes a conflict and is left
alone. Deletes come before creates, so a name moving between two managed owners frees first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dnsd.domain.errors import DnsdError, InvalidInput
from dnsd.domain.plan import CREATE, DELETE, UPDATE, DeleteBrake, Plan, Problem, Skip, Step
from dnsd.domain.rdata import POOL_TYPES
from dnsd.domain.records import RRset, find_zone, make_rrset
from dnsd.k8s.desired import Derivation
from dnsd.k8s.objects import OWNER_PREFIX


@dataclass(frozen=True, slots=True)
class Scope:
    """The owners a run manages: those starting with one of ``prefixes`` and, when ``owners``
    is given, only those (``dnsd k8s apply`` manages exactly the objects in its manifests)."""

    prefixes: tuple[str, ...] = (OWNER_PREFIX,)
    owners: frozenset[str] | None = None

    def contains(self, owner: str) -> bool:
        in_prefix = any(owner.startswith(p) for p in self.prefixes)
        return in_prefix and (self.owners is None or owner in self.owners)

    @classmethod
    def namespaces(cls, names: Iterable[str]) -> Scope:
        """Owners of objects in these namespaces (all namespaces when empty)."""
        prefixes = tuple(f"{OWNER_PREFIX}{ns}/" for ns in names)
        return cls(prefixes or (OWNER_PREFIX,))


class UnsafePlan(DnsdError):
    """The plan deletes more managed records than the safety limit allows."""


def desired_rrsets(
    derivation: Derivation, zones: Iterable[str]
) -> tuple[list[RRset], list[Problem], list[Skip]]:
    """A and AAAA RRsets on the pool for every desired name inside a zone dnsd serves.

    Both types are always registered: the pool's address families decide what answers, so a
    pool that gains IPv6 addresses publishes AAAA without another Kubernetes event. Names in
    no zone (including wildcards whose zone dnsd does not serve) are skipped, not errors.
    """
    zone_names = list(zones)
    rrsets: list[RRset] = []
    problems: list[Problem] = []
    skipped: list[Skip] = []
    for want in derivation.names:
        zone = find_zone(want.name, zone_names)
        if zone is None:
            skipped.append(Skip(want.owner, want.name, "no zone served by dnsd contains it"))
            continue
        try:
            rrsets += [make_rrset(want.name, t, want.ttl, want.owner, pool=want.pool) for t in POOL_TYPES]
        except InvalidInput as exc:
            problems += [Problem(want.owner, r.field, r.message, want.name) for r in exc.reasons]
    return rrsets, problems, skipped


def _conflict(want: RRset, holder: str) -> Problem:
    return Problem(want.owner, "name", f"held by {holder}; left alone", want.name, holder)


def make_plan(
    derivation: Derivation,
    zones: Iterable[str],
    managed: Iterable[RRset],
    at_names: Iterable[RRset],
    scope: Scope,
) -> Plan:
    """Steps turning ``managed`` (the existing records in ``scope``) into the desired records.

    ``at_names``: every existing record, of any owner, at the desired names (to see holders).
    """
    wanted, problems, skipped = desired_rrsets(derivation, zones)
    by_key = {(r.name, r.rtype): r for r in wanted}
    owned = [r for r in managed if scope.contains(r.owner)]
    deletes = [r for r in owned if (w := by_key.get((r.name, r.rtype))) is None or w.owner != r.owner]
    gone = {(r.name, r.rtype, r.owner) for r in deletes}
    present: dict[str, list[RRset]] = {}
    for r in at_names:
        if (r.name, r.rtype, r.owner) not in gone:
            present.setdefault(r.name, []).append(r)
    steps = [Step(DELETE, r) for r in sorted(deletes, key=lambda r: (r.name, r.rtype))]
    unchanged: list[RRset] = []
    conflicts: dict[tuple[str, str], Problem] = {}
    for want in sorted(wanted, key=lambda r: (r.name, r.rtype)):
        others = present.get(want.name, [])
        holders = sorted({r.owner for r in others if r.owner != want.owner})
        if holders:
            conflicts.setdefault((want.owner, want.name), _conflict(want, holders[0]))
            continue
        old = next((r for r in others if r.rtype == want.rtype), None)
        if old is None:
            steps.append(Step(CREATE, want))
        elif old.content() == want.content():
            unchanged.append(old)
        else:
            steps.append(Step(UPDATE, want, old))
    all_problems = [*derivation.rejected, *problems, *conflicts.values()]
    return Plan(tuple(steps), tuple(unchanged), tuple(all_problems), (*derivation.skipped, *skipped))


@dataclass(frozen=True, slots=True)
class Safety:
    """The shared :class:`DeleteBrake` on a plan's deletes, unless ``force``."""

    brake: DeleteBrake = field(default_factory=DeleteBrake)
    force: bool = False

    def check(self, plan: Plan, existing: int) -> None:
        """:class:`UnsafePlan` when the brake refuses the plan's deletes."""
        why = None if self.force else self.brake.reason("the plan deletes", plan.count(DELETE), existing)
        if why is not None:
            raise UnsafePlan(f"{why}; check the manifests or namespaces, or use --force")
