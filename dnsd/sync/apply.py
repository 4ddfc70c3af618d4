"""Applying a plan: one provider call per change, in plan order, with an exact account.

A failure that concerns one record (the provider refuses a value) is recorded and the rest of
the plan goes on. Any other failure (credentials, throttling or network errors that outlasted the
retries) stops the zone: the changes after it are reported as not attempted. Because every run
plans from the provider's actual state, the next run converges whatever happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnsd.sync.plan import RecordChange, ZonePlan
from dnsd.sync.provider import Provider, ProviderError


@dataclass(frozen=True, slots=True)
class Failed:
    change: RecordChange
    error: ProviderError


@dataclass(frozen=True, slots=True)
class ApplyOutcome:
    """What applying one zone's plan did: ``done`` and ``failed`` changes, and the ones never tried."""

    done: tuple[RecordChange, ...] = ()
    failed: tuple[Failed, ...] = ()
    not_attempted: tuple[RecordChange, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.failed and not self.not_attempted

    @property
    def result(self) -> str:
        if self.complete:
            return "applied"
        return "partial" if self.done else "failed"


def apply_change(provider: Provider, change: RecordChange, remark: str) -> None:
    """Make one provider call for ``change``."""
    if change.action == "delete" and change.old is not None:
        provider.delete_record(change.zone, change.old.id)
    elif change.action == "update" and change.old is not None and change.new is not None:
        provider.modify_record(change.zone, change.old.id, change.new, remark)
    elif change.action == "create" and change.new is not None:
        provider.create_record(change.zone, change.new, remark)
    else:
        raise ValueError(f"malformed change {change}")


def apply_plan(provider: Provider, plan: ZonePlan, remark: str) -> ApplyOutcome:
    """Run ``plan.changes`` (deletes, then updates, then creates) and account for each one."""
    done: list[RecordChange] = []
    failed: list[Failed] = []
    changes = plan.changes
    for index, change in enumerate(changes):
        try:
            apply_change(provider, change, remark)
        except ProviderError as exc:
            failed.append(Failed(change, exc))
            if not exc.record_level:
                return ApplyOutcome(tuple(done), tuple(failed), changes[index + 1 :])
            continue
        done.append(change)
    return ApplyOutcome(tuple(done), tuple(failed))
