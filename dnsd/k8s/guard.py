"""The controller's deletion guard: deletes over the safety share wait for an operator.

Every reconcile (not only the first after start) whose plan would delete more than the
:class:`Safety` share of the managed records applies its creates and updates and **holds** the
deletes. They stay held through any number of later reconciles (events, resyncs) for as long as
the plan would still delete that much, until an operator approves that exact set of deletes:

* ``dnsd k8s approve`` or ``POST /k8s/approve`` (the controller notices within a second), or
* a restart with ``--force`` (which approves what the first reconcile after start would delete).

The state is kept in the sync status table (provider ``k8s``, zone = the owner prefixes the
controller manages), so ``GET /k8s/status``, ``dnsd k8s status`` and the API's metrics
(``dnsd_k8s_deletes_held``) show it. A new held set is logged once at WARNING.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import replace
from typing import Protocol

from dnsd.domain.plan import DELETE, Plan, Step
from dnsd.domain.sync_status import K8S_PROVIDER, SyncStatus
from dnsd.k8s.plan import Safety, Scope, UnsafePlan

log = logging.getLogger("dnsd.k8s.controller")
HOW_TO_APPROVE = "approve with `dnsd k8s approve`, POST /k8s/approve, or a restart with --force"


def scope_label(scope: Scope) -> str:
    """The status row's key for a controller managing ``scope``."""
    return ",".join(scope.prefixes)[:253]


def deletes_fingerprint(deletes: list[Step]) -> str:
    """Identifies one set of deletes, so an approval covers exactly what was shown."""
    keys = sorted(f"{s.rrset.name}\t{s.rrset.rtype}\t{s.rrset.owner}" for s in deletes)
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()


class StatusBook(Protocol):
    """Where the guard keeps its status row (the store's ``SyncStatusStore`` in production)."""

    def get_sync_status(self, provider: str, zone: str) -> SyncStatus | None: ...

    def save_sync_status(self, status: SyncStatus) -> None: ...


class DeleteGuard:
    """Filters each plan; see the module docstring. ``held`` are the deletes held back now."""

    def __init__(self, statuses: StatusBook, scope: Scope, safety: Safety, force_first: bool) -> None:
        self.statuses, self.label, self.safety = statuses, scope_label(scope), safety
        self.force_pending = force_first
        self.held: tuple[Step, ...] = ()
        self.fingerprint = ""
        self.saved = False

    def filter(self, plan: Plan, existing: int) -> Plan:
        """``plan``, or ``plan`` without its deletes while they are over the limit and unapproved."""
        force, self.force_pending = self.force_pending, False
        deletes = [s for s in plan.steps if s.action == DELETE]
        try:
            self.safety.check(plan, existing)
        except UnsafePlan as exc:
            return self._over_limit(plan, deletes, str(exc), force)
        if self.held:
            log.info(
                "deletes no longer held: the plan now deletes %d of %d managed records",
                len(deletes),
                existing,
            )
        self._set(plan, (), "in-sync" if not plan.steps else "applied", "")
        return plan

    def approved(self) -> bool:
        """True when the held deletes were approved since (one status read)."""
        if not self.held:
            return False
        status = self.statuses.get_sync_status(K8S_PROVIDER, self.label)
        return status is not None and status.result == "approved" and status.applied_hash == self.fingerprint

    def _over_limit(self, plan: Plan, deletes: list[Step], why: str, force: bool) -> Plan:
        fingerprint = deletes_fingerprint(deletes)
        if force or (fingerprint == self.fingerprint and self.approved()):
            log.warning("applying %d deletes over the safety limit (%s): %s", len(deletes),
                        "--force" if force else "approved", why)  # fmt: skip
            self._set(plan, (), "applied", f"applied {len(deletes)} approved deletes")
            return plan
        names = ", ".join(sorted({f"{s.rrset.name} ({s.rrset.owner})" for s in deletes}))
        message = f"holding {len(deletes)} deletes: {why}; {HOW_TO_APPROVE}. Held: {names}"
        if fingerprint != self.fingerprint:
            log.warning("%s", message)
        self._set(plan, tuple(deletes), "held", message, fingerprint)
        return replace(plan, steps=tuple(s for s in plan.steps if s.action != DELETE))

    def _set(
        self, plan: Plan, held: tuple[Step, ...], result: str, message: str, fingerprint: str = ""
    ) -> None:
        """Remember the state; write the status row when it changed (an approval written by an
        operator is overwritten only by a new state)."""
        changed = not self.saved or fingerprint != self.fingerprint or bool(held) != bool(self.held)
        self.held, self.fingerprint = held, fingerprint
        if not changed:
            return
        self.saved = False  # until the row is written (the store may be away: retried next time)
        now = dt.datetime.now(dt.UTC)
        self.statuses.save_sync_status(
            SyncStatus(
                provider=K8S_PROVIDER, zone=self.label, run_at=now, mode="watch", result=result,
                creates=plan.count("create"), updates=plan.count("update"), deletes=len(held),
                message=message[:2000], applied_hash=fingerprint or None,
                last_success_at=None if held else now,
            )
        )  # fmt: skip
        self.saved = True
