"""Tables of the Kubernetes integration: the pool mapping and the problems the controller saw."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dnsd.store.tables import Base, Timestamps, utcnow


class K8sMappingRow(Timestamps, Base):
    """Entry point -> pool: (``gateway``, ``istio=ingressgateway``), (``ingress-class``,
    ``nginx``) or (``default``, ``""``). The pool is kept by name and checked when set."""

    __tablename__ = "k8s_pool_mappings"
    __table_args__ = (UniqueConstraint("kind", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(255))
    pool: Mapped[str] = mapped_column(String(63))


class K8sProblemRow(Base):
    """A rejection or conflict of one Kubernetes object, as last seen by the controller."""

    __tablename__ = "k8s_problems"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    host: Mapped[str] = mapped_column(String(253))
    field: Mapped[str] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
    holder: Mapped[str | None] = mapped_column(String(255))
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
