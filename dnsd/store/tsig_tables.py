"""Tables for zone transfers: TSIG keys and per-zone transfer ACLs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dnsd.store.tables import Base, utcnow


class TsigKeyRow(Base):
    """A TSIG key. The secret is kept as given (base64): HMAC needs it, so it cannot be hashed;
    it is never logged and never shown after ``dnsd tsig add`` except by ``dnsd tsig show``."""

    __tablename__ = "tsig_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(253), unique=True)
    algorithm: Mapped[str] = mapped_column(String(40))
    secret: Mapped[str] = mapped_column(Text)
    # The view a transfer signed with this key gets (None: the client address's view).
    view: Mapped[str | None] = mapped_column(String(63), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TransferAclRow(Base):
    """Who may transfer one zone (AXFR/IXFR): client networks and/or TSIG key names."""

    __tablename__ = "transfer_acls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), unique=True)
    networks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    keys: Mapped[list[Any]] = mapped_column(JSON, default=list)
