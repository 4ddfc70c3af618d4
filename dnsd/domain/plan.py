"""The delete brake every planner shares (the Kubernetes controller, ``dnsd k8s apply``, the
DNSPod sync). Pure.

octoDNS-style: once a planner manages at least ``min_existing`` records, one plan may remove
(the sync also counts what it rewrites) at most ``max_fraction`` of them; more is refused with
the reason until forced or approved. A wrong namespace filter, a half-listed cluster or a
provider answering with an empty zone then holds back, instead of emptying the DNS.
"""

from __future__ import annotations

from dataclasses import dataclass


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
