"""Tables of the provider sync (DNSPod): the last run's outcome per provider and zone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dnsd.store.tables import Base, utcnow


class SyncStatusRow(Base):
    """One row per (provider, zone), overwritten by every run.

    ``applied_hash`` fingerprints the desired state the provider last fully matched; a later run
    that finds changes while the desired state still has that fingerprint has found drift.
    """

    __tablename__ = "sync_status"
    provider: Mapped[str] = mapped_column(String(40), primary_key=True)
    zone: Mapped[str] = mapped_column(String(253), primary_key=True)
    run_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    mode: Mapped[str] = mapped_column(String(20))
    result: Mapped[str] = mapped_column(String(20))
    creates: Mapped[int] = mapped_column(Integer, default=0)
    updates: Mapped[int] = mapped_column(Integer, default=0)
    deletes: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    drift: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    applied_hash: Mapped[str | None] = mapped_column(String(64))
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
