"""Plans, the shape every planner shares, and the delete brake. Pure.

A :class:`Plan` is the :class:`Step` list (create, update, delete of one RRset each) that turns
what exists into what is wanted, with the RRsets already right, the :class:`Problem` of each
request refused and the :class:`Skip` of each one deliberately left out. The four planners:

* the Kubernetes planner (:func:`dnsd.k8s.plan.make_plan`) returns one: creates, updates and
  deletes of the controller's records, conflicts as problems naming the ``holder``;
* the seed plan (:class:`dnsd.services.seedplan.SeedPlan`) keeps its record creates and updates
  as steps (``label``: the entry, ``records[3]``) and exposes them as ``.plan``;
* the zone-file import plan (:class:`dnsd.domain.importplan.ImportPlan`) holds one as ``.plan``:
  creates and updates (``label``: ``line 12``), the RRsets already served in ``unchanged``, and
  each conflict a problem with the refused step attached (``Problem.step``); the zone's own
  settings stay beside it on the import plan;
* the DNSPod sync plans provider rows (:class:`dnsd.sync.plan.ZonePlan`); ``as_plan`` gives it
  this shape, a step per provider call with the call attached (``ProviderStep``).

The seed and the import never delete. The Kubernetes planner and the sync brake with the same
:class:`DeleteBrake`.

The brake is octoDNS-style: once a planner manages at least ``min_existing`` records, one plan
may remove (the sync also counts what it rewrites) at most ``max_fraction`` of them; more is
refused with the reason until forced or approved. A wrong namespace filter, a half-listed cluster or a
provider answering with an empty zone then holds back, instead of emptying the DNS.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnsd.domain.records import RRset

CREATE, UPDATE, DELETE = "create", "update", "delete"


@dataclass(frozen=True, slots=True)
class DeleteBrake:
    """With at least ``min_existing`` managed records, a plan may remove at most ``max_fraction``
    of them."""

    max_fraction: float = 0.30
    min_existing: int = 10

    def refuses(self, removed: int, existing: int) -> bool:
        return existing >= self.min_existing and removed > self.max_fraction * existing

    def reason(self, what: str, removed: int, existing: int) -> str | None:
        """None when the plan may go ahead; otherwise why not, e.g. ``the plan deletes 4 of 10
        managed records (more than 30%)`` for ``what`` = ``the plan deletes``."""
        if not self.refuses(removed, existing):
            return None
        return f"{what} {removed} of {existing} managed records (more than {self.max_fraction:.0%})"


REJECTED, CONFLICT = "rejected", "conflict"


@dataclass(frozen=True, slots=True)
class Problem:
    """An object (``owner``) asks for something dnsd refuses, and why. A conflict (another
    owner holds the name) names the ``holder``; anything else is a rejection of the input."""

    owner: str
    field: str
    message: str
    host: str = ""
    holder: str | None = None
    step: Step | None = None  # the change asked for and refused (the zone-file import's)

    @property
    def kind(self) -> str:
        return CONFLICT if self.holder is not None else REJECTED

    def __str__(self) -> str:
        where = f" {self.host}" if self.host else ""
        return f"{self.owner}{where}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Skip:
    """A host that is deliberately not published (not an error): mesh-only, ``*``, no zone."""

    owner: str
    host: str
    reason: str


@dataclass(frozen=True, slots=True)
class Step:
    """One change: ``rrset`` is the new content (create/update) or the record to delete;
    ``old`` what it replaces; ``label`` where it was asked for (``records[3]`` of a file)."""

    action: str
    rrset: RRset
    old: RRset | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    steps: tuple[Step, ...] = ()
    unchanged: tuple[RRset, ...] = ()
    problems: tuple[Problem, ...] = ()
    skipped: tuple[Skip, ...] = ()

    def count(self, action: str) -> int:
        return sum(1 for s in self.steps if s.action == action)
