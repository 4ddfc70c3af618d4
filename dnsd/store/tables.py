"""SQLAlchemy 2 table definitions. The only shape of the data that knows about SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A point in time, stored in UTC and always returned aware (tzinfo UTC).

    SQLite has no time zones: SQLAlchemy writes the datetime's fields and drops its tzinfo, and
    reads back naive values. Converting to UTC on the way in makes a comparison with a
    ``since`` in any time zone correct there, and aware values on the way out make both
    backends return the same thing. A naive value given to us is taken to be UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return self.process_bind_param(value, dialect)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class ZoneRow(Timestamps, Base):
    __tablename__ = "zones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(253), unique=True)
    serial: Mapped[int] = mapped_column(BigInteger)
    ns: Mapped[list[Any]] = mapped_column(JSON)
    mname: Mapped[str] = mapped_column(String(253))
    rname: Mapped[str] = mapped_column(String(253))
    refresh: Mapped[int] = mapped_column(Integer)
    retry: Mapped[int] = mapped_column(Integer)
    expire: Mapped[int] = mapped_column(Integer)
    minimum: Mapped[int] = mapped_column(Integer)
    ttl: Mapped[int] = mapped_column(Integer)
    secondaries: Mapped[list[Any]] = mapped_column(JSON, default=list)
    dnspod_sync: Mapped[bool] = mapped_column(Boolean, default=False)


class ViewRow(Timestamps, Base):
    """A view: a named set of client networks (docs/selection.md step 1)."""

    __tablename__ = "views"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    networks: Mapped[list[Any]] = mapped_column(JSON, default=list)


class PoolRow(Timestamps, Base):
    __tablename__ = "pools"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    health_check: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    addresses: Mapped[list[PoolAddressRow]] = relationship(
        cascade="all, delete-orphan", order_by="PoolAddressRow.position", lazy="selectin"
    )


class PoolAddressRow(Base):
    """A pool member: ``view`` is ``default``, ``public`` (what DNSPod publishes) or a named view."""

    __tablename__ = "pool_addresses"
    __table_args__ = (UniqueConstraint("pool_id", "view", "address"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(45))
    view: Mapped[str] = mapped_column(String(63), default="default", server_default="default")
    position: Mapped[int] = mapped_column(Integer, default=0)


class RecordRow(Timestamps, Base):
    """One RRset: (zone, name, type) is unique. ``rdata`` holds presentation texts."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("zone_id", "name", "type"),
        Index("ix_records_name", "name"),
        Index("ix_records_owner", "owner"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(253))
    type: Mapped[str] = mapped_column(String(10))
    ttl: Mapped[int] = mapped_column(BigInteger)
    rdata: Mapped[list[Any]] = mapped_column(JSON, default=list)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("pools.id", ondelete="RESTRICT"), index=True)
    owner: Mapped[str] = mapped_column(String(255))
    mode: Mapped[str | None] = mapped_column(String(10), nullable=True)  # weighted records: hashed/random
    views: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)  # limited to these views
    targets: Mapped[list[RecordTargetRow]] = relationship(
        cascade="all, delete-orphan", order_by="RecordTargetRow.position", lazy="selectin"
    )


class RecordTargetRow(Base):
    """A weighted record's pools (only for records with several pools or a weight other than 1;
    ``records.pool_id`` is always the first target's pool)."""

    __tablename__ = "record_targets"
    __table_args__ = (UniqueConstraint("record_id", "pool_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id", ondelete="CASCADE"), index=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="RESTRICT"), index=True)
    weight: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    pool: Mapped[PoolRow] = relationship(lazy="joined", innerjoin=True)


class MemberHealthRow(Base):
    """The health state of one probe: a pool member (``host`` "") or a member for one host name
    (route-aware HTTP checks). Written by the leader; every transition is also a change row."""

    __tablename__ = "member_health"
    __table_args__ = (UniqueConstraint("pool_id", "address", "host"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("pools.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(45))
    host: Mapped[str] = mapped_column(String(253), default="")
    state: Mapped[str] = mapped_column(String(10), default="up")
    ok_streak: Mapped[int] = mapped_column(Integer, default=0)
    fail_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_check: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_change: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")


class ShiftRow(Timestamps, Base):
    """A progressive move of records to a target pool (docs/steering.md)."""

    __tablename__ = "shifts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    target_pool: Mapped[str] = mapped_column(String(63))
    steps: Mapped[list[Any]] = mapped_column(JSON)
    every_seconds: Mapped[float] = mapped_column(Float)
    step_index: Mapped[int] = mapped_column(Integer, default=-1)
    records: Mapped[list[Any]] = mapped_column(JSON)  # [{"zone", "name", "type", "original": targets}]
    next_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    history: Mapped[list[Any]] = mapped_column(JSON, default=list)
    actor: Mapped[str] = mapped_column(String(255))


class LeaseRow(Base):
    """A named lease: who runs the health checks and shifts (one leader per store)."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class ChangeRow(Base):
    """One committed change: the audit log, and the feed the DNS process follows."""

    __tablename__ = "changes"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(255))
    owner: Mapped[str | None] = mapped_column(String(255), index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    zones: Mapped[list[ChangeZoneRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ChangeZoneRow.zone"
    )


class ChangeZoneRow(Base):
    """A zone a change touched: its serial before and after and the RRs removed and added
    (pool references expanded), which is exactly what IXFR sends."""

    __tablename__ = "change_zones"
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id", ondelete="CASCADE"), primary_key=True)
    zone: Mapped[str] = mapped_column(String(253), primary_key=True, index=True)
    prev_serial: Mapped[int | None] = mapped_column(BigInteger)
    serial: Mapped[int | None] = mapped_column(BigInteger)
    removed: Mapped[list[Any]] = mapped_column(JSON, default=list)
    added: Mapped[list[Any]] = mapped_column(JSON, default=list)


class TokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))
    zones: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
