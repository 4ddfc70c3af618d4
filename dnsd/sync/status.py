"""The outcome of the last sync run of one zone to one provider (pure; stored by the store)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

RESULTS = ("in-sync", "planned", "applied", "partial", "failed", "refused", "error")


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the last run of ``provider`` for ``zone`` found and did.

    ``result`` is one of :data:`RESULTS`. ``drift`` counts the changes a run found although the
    desired state was the one the provider last fully matched (``applied_hash``): someone edited
    records dnsd manages outside dnsd. ``last_success_at`` is the last time the provider matched.
    """

    provider: str
    zone: str
    run_at: dt.datetime
    mode: str
    result: str
    creates: int = 0
    updates: int = 0
    deletes: int = 0
    conflicts: int = 0
    failed: int = 0
    drift: int = 0
    message: str = ""
    applied_hash: str | None = None
    last_success_at: dt.datetime | None = None
