"""What the DNS side reports about itself (``/readyz``): readiness, database health, staleness."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ServerState:
    """Mutable status, written by the feed follower, read by health endpoints.

    ``ready``: the first full snapshot is loaded (until then nothing is served). ``db_ok``: the
    last feed poll reached the database. ``synced_at``: when the served snapshot was last known
    to be current; while the database is unreachable it ages (serve-stale).
    """

    ready: bool = False
    db_ok: bool = False
    last_error: str | None = None
    synced_at: float | None = None
    built_at: float | None = None
    generation: int = 0
    cursor: int = 0
    zones: int = 0
    failures: int = field(default=0)
    build_seconds: float | None = None  # time the last snapshot (re)build took
    head: int = 0  # the newest change id the feed has seen (applied or being applied)

    def snapshot_age(self, now: float | None = None) -> float | None:
        """Seconds since the snapshot was last confirmed current, or None before the first."""
        if self.synced_at is None:
            return None
        return max(0.0, (now or time.time()) - self.synced_at)

    def readiness(self) -> tuple[bool, str]:
        """For the API's ``/readyz`` (``create_app(..., ready=state.readiness)``): ready once the
        first snapshot is loaded; the reason says why not, or how stale the answers are."""
        if not self.ready:
            return False, "DNS snapshot not loaded yet" + (f": {self.last_error}" if self.last_error else "")
        if not self.db_ok:
            age = self.snapshot_age() or 0.0
            return True, f"serving a snapshot {age:.0f}s old; database unreachable: {self.last_error}"
        return True, "ok"

    def as_dict(self) -> dict[str, Any]:
        age = self.snapshot_age()
        return {
            "ready": self.ready, "db_ok": self.db_ok, "last_error": self.last_error,
            "snapshot_age": None if age is None else round(age, 3), "generation": self.generation,
            "cursor": self.cursor, "zones": self.zones,
        }  # fmt: skip
