"""One sync run: desired state from the store, actual state from the provider, plan, maybe apply.

Which zones: the ones named in the options, else every zone marked ``dnspod_sync``. Every zone's
outcome is saved as its :class:`SyncStatus`. Nothing is written to the provider unless
``apply``; a plan over the safety limit is refused unless ``force``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dnsd import metrics
from dnsd.domain.errors import invalid
from dnsd.domain.names import normalize_name
from dnsd.domain.plan import CREATE, DELETE, UPDATE
from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset
from dnsd.domain.selection import Health, all_up, health_from_states
from dnsd.domain.sync_status import SyncStatus
from dnsd.store.sync_status import SyncStatusStore
from dnsd.store.zonestore import ZoneStore
from dnsd.sync.apply import ApplyOutcome, apply_plan
from dnsd.sync.desired import desired_zone
from dnsd.sync.limits import over_limits, raise_ttls
from dnsd.sync.lines import DEFAULT_LINES, LineMap
from dnsd.sync.plan import SafetyLimits, ZonePlan, as_plan, plan_zone
from dnsd.sync.provider import Provider, ProviderError
from dnsd.sync.records import DEFAULT_LINE, RemoteRecord, marker

log = logging.getLogger("dnsd.sync")
REMARK_MAX = 200  # DNSPod refuses longer remarks (InvalidParameter.RemarkTooLong)


@dataclass(frozen=True, slots=True)
class SyncOptions:
    zones: tuple[str, ...] = ()  # empty: every zone marked dnspod_sync
    apply: bool = False
    adopt: bool = False
    force: bool = False
    instance_id: str = "default"
    limits: SafetyLimits = field(default_factory=SafetyLimits)
    lines: LineMap = DEFAULT_LINES  # which view each DNSPod line publishes


@dataclass(frozen=True, slots=True)
class ZoneReport:
    """The outcome of one zone in one run; ``result`` as in :data:`dnsd.store.sync_status.RESULTS`."""

    zone: str
    result: str
    plan: ZonePlan | None = None
    outcome: ApplyOutcome | None = None
    drift: int = 0
    message: str = ""
    blocked: str = ""  # why a plan was refused: SAFETY_LIMIT or PLAN_LIMIT


SAFETY_LIMIT, PLAN_LIMIT = "safety-limit", "plan-limit"


def _message(plan: ZonePlan, outcome: ApplyOutcome | None, extra: str = "") -> str:
    parts = [extra] if extra else []
    if plan.conflicts:
        count = len(plan.conflicts)
        parts.append(
            f"{count} conflict{'s' if count > 1 else ''} (--adopt takes over): "
            + "; ".join(c.describe() for c in plan.conflicts)
        )
    raised = sorted({(r.asked_ttl, r.ttl) for r in plan.desired if r.asked_ttl is not None})
    if raised:
        count = sum(1 for r in plan.desired if r.asked_ttl is not None)
        pairs = ", ".join(f"{a} -> {t}" for a, t in raised)
        parts.append(f"{count} records published with the plan's minimum TTL ({pairs})")
    if outcome is not None:
        parts += [str(f.error) for f in outcome.failed]
        if outcome.not_attempted:
            parts.append(f"{len(outcome.not_attempted)} changes not attempted")
    return "; ".join(parts)


class SyncRunner:
    """Runs syncs of the store's zones to one provider and records their status."""

    def __init__(
        self, store: ZoneStore, statuses: SyncStatusStore, provider: Provider, options: SyncOptions
    ) -> None:
        self.store, self.statuses, self.provider, self.options = store, statuses, provider, options
        self.remark = marker(options.instance_id)
        if len(self.remark) > REMARK_MAX:
            raise invalid(
                "instance_id", f"at most {REMARK_MAX - len(marker(''))} characters (it goes in a remark)"
            )

    def selected(self, candidates: Iterable[str] | None = None) -> list[str]:
        """The zones this runner syncs, narrowed to ``candidates`` when given."""
        if self.options.zones:
            names = [normalize_name(z, "zone", wildcard=False) for z in self.options.zones]
            for name in names:
                self.store.get_zone(name)  # NotFound names the zone
        else:
            names = [z.name for z in self.store.list_zones() if z.dnspod_sync]
        if candidates is not None:
            wanted = set(candidates)
            names = [n for n in names if n in wanted]
        return sorted(set(names))

    def run(self, zones: Iterable[str] | None = None, mode: str | None = None) -> list[ZoneReport]:
        """Sync the selected zones (narrowed to ``zones``); raises :class:`ProviderError` when the
        provider refuses the credentials, after saving that as every zone's status."""
        mode = mode or ("apply" if self.options.apply else "plan")
        names = self.selected(zones)
        if not names:
            return []
        state = self.store.load_state(names)
        states = self.store.member_states()
        health = health_from_states(states) if states else all_up
        try:
            remote_zones = self.provider.list_zones()
        except ProviderError as exc:
            for name in names:
                self._save(ZoneReport(name, "error", message=str(exc)), mode)
            raise
        reports = []
        present = [n for n in names if n in state.zones]  # a zone deleted meanwhile is skipped
        for index, name in enumerate(present):
            try:
                report = self._sync_zone(name, state.zones[name][1], state.pools, remote_zones, health)
            except ProviderError as exc:
                report = ZoneReport(name, "error", message=str(exc))
                if exc.auth_failure:
                    for other in present[index:]:
                        self._save(ZoneReport(other, "error", message=str(exc)), mode)
                    raise
            self._save(report, mode)
            reports.append(report)
        return reports

    def _sync_zone(
        self,
        zone: str,
        rrsets: list[RRset],
        pools: Mapping[str, Pool],
        remote_zones: set[str],
        health: Health = all_up,
    ) -> ZoneReport:
        if zone not in remote_zones:
            message = f"{zone} is not a domain of this {self.provider.name} account; add it there first"
            return ZoneReport(zone, "error", message=message)
        limits = self.provider.plan_limits(zone)
        desired = raise_ttls(desired_zone(zone, rrsets, pools, self.options.lines, health), limits)
        remote = self.provider.list_records(zone)
        plan = plan_zone(desired, remote, self.remark, self.options.adopt)
        over = over_limits(desired.records, _staying_foreign(plan, remote, self.remark), limits)
        previous = self.statuses.get_sync_status(self.provider.name, zone)
        # Same desired state as last fully applied, yet dnsd's records changed or vanished: drift.
        # (Taking over unmanaged records with --adopt is not drift.)
        unchanged_desire = previous is not None and previous.applied_hash == plan.fingerprint
        drift = plan.own_changes if unchanged_desire else 0
        if drift:
            log.warning("%s: drift, %d managed records differ from what dnsd last applied", zone, drift)
        if over:
            why = f"over the limits of the DNSPod plan: {'; '.join(over)}"
            why += " (--force does not override a plan limit)"
            log.debug("%s: over the plan's limits: %s", zone, why)  # the watcher warns once
            return ZoneReport(
                zone, "over-limit", plan, drift=drift, message=_message(plan, None, why), blocked=PLAN_LIMIT
            )
        if not plan.changes:
            return ZoneReport(zone, "in-sync", plan, drift=0, message=_message(plan, None))
        if not self.options.apply:
            return ZoneReport(zone, "planned", plan, drift=drift, message=_message(plan, None))
        unsafe = plan.unsafe(self.options.limits)
        approved = previous is not None and previous.result == "approved"
        if unsafe and not (self.options.force or approved):
            why = f"{unsafe}; or approve it once: dnsd sync approve --zone {zone}"
            why += f", or POST /sync/approve?zone={zone}"
            return ZoneReport(
                zone, "refused", plan, drift=drift, message=_message(plan, None, why), blocked=SAFETY_LIMIT
            )
        if unsafe:
            log.warning("%s: applying a plan over the safety limit (%s): %s", zone,
                        "--force" if self.options.force else "approved", unsafe)  # fmt: skip
        outcome = apply_plan(self.provider, plan, self.remark)
        log.info("%s: %s, %d of %d changes done", zone, outcome.result, len(outcome.done), len(plan.changes))
        return ZoneReport(zone, outcome.result, plan, outcome, drift, _message(plan, outcome))

    def _save(self, report: ZoneReport, mode: str) -> None:
        """Save ``report`` as the zone's status (and count it in the metrics)."""
        previous = self.statuses.get_sync_status(self.provider.name, report.zone)
        now = dt.datetime.now(dt.UTC)
        matched = report.result in ("in-sync", "applied") and report.plan is not None
        plan = report.plan or ZonePlan(report.zone)
        outcome = report.outcome
        shared = as_plan(plan)
        status = SyncStatus(
            provider=self.provider.name, zone=report.zone, run_at=now, mode=mode, result=report.result,
            creates=shared.count(CREATE), updates=shared.count(UPDATE), deletes=shared.count(DELETE),
            conflicts=len(shared.problems),
            failed=len(outcome.failed) + len(outcome.not_attempted) if outcome else 0,
            drift=report.drift, message=report.message[:2000],
            applied_hash=plan.fingerprint if matched else (previous.applied_hash if previous else None),
            last_success_at=now if matched else (previous.last_success_at if previous else None),
        )  # fmt: skip
        self.statuses.save_sync_status(status)
        metrics.count_sync(self.provider.name, report.result)
        metrics.set_sync_drift(self.provider.name, report.zone, report.drift)


def _staying_foreign(plan: ZonePlan, remote: list[RemoteRecord], mark: str) -> list[RemoteRecord]:
    """Unmanaged records the plan leaves in place (what counts against the plan's limits besides
    dnsd's own records)."""
    touched = {c.old.id for c in plan.changes if c.old is not None}
    lines = {r.line for r in plan.desired} | {DEFAULT_LINE}
    return [
        r for r in remote
        if not r.default_ns and r.line in lines and r.remark != mark and r.id not in touched
    ]  # fmt: skip
