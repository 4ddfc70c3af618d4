"""Named leases: which process leads (runs the health checks and drives shifts).

A lease row names its holder and when it expires. Taking or renewing it runs in the store's
write transaction, which already holds the store-wide write lock (``BEGIN IMMEDIATE`` on
SQLite, an advisory lock on PostgreSQL), so two processes never both win. Times are the
processes' clocks (UTC): keep them in sync (NTP) and the lease a few renewals long.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dnsd.store.base import StoreBase
from dnsd.store.tables import LeaseRow, utcnow

STEERING_LEASE = "steering"


@dataclass(frozen=True, slots=True)
class Lease:
    name: str
    holder: str
    expires_at: dt.datetime


def lease_held(session: Session, name: str, holder: str, now: dt.datetime) -> bool:
    """True when ``holder`` holds lease ``name`` and it has not expired at ``now``."""
    row = session.get(LeaseRow, name)
    return row is not None and row.holder == holder and row.expires_at > now


class LeaseOps(StoreBase):
    def take_lease(self, name: str, holder: str, seconds: float) -> bool:
        """Take or renew lease ``name`` for ``seconds`` if it is free, expired or already
        ``holder``'s; False (nothing written) while another holder's lease runs."""
        now = utcnow()
        with self.write() as session:
            row = session.get(LeaseRow, name)
            if row is not None and row.holder != holder and row.expires_at > now:
                return False
            if row is None:
                row = LeaseRow(name=name, holder=holder, expires_at=now)
                session.add(row)
            row.holder = holder
            row.expires_at = now + dt.timedelta(seconds=seconds)
            return True

    def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up at once (a clean shutdown), if ``holder`` holds it."""
        with self.write() as session:
            row = session.get(LeaseRow, name)
            if row is not None and row.holder == holder:
                session.delete(row)

    def get_lease(self, name: str) -> Lease | None:
        with self.read() as session:
            row = session.get(LeaseRow, name)
            return None if row is None else Lease(row.name, row.holder, row.expires_at)
