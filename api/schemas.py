"""Request and response bodies. Separate from the domain dataclasses; converted here, at the edge.

Request models check only JSON shapes (a string here, a list of strings there); the rules of
DNS are the domain's, which reports every broken one at once as a 422 in the same format.
Unknown fields are refused, so a misspelt field never silently does nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dnsd.domain.changes import Change, Token, ZoneChange
from dnsd.domain.health import check_dict
from dnsd.domain.pools import Pool
from dnsd.domain.records import RRset
from dnsd.domain.views import View
from dnsd.domain.zones import Zone
from dnsd.store.base import MAX_BIGINT
from dnsd.store.records import PutResult

# Any integer a request body carries: the domain checks what it means (a TTL, a timer); this
# only keeps numbers no database integer can hold from ever reaching the store.
Integer = Annotated[int, Field(ge=-MAX_BIGINT - 1, le=MAX_BIGINT)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordIn(Body):
    name: str = Field(examples=["www.hello-web.com"])
    type: str = Field(examples=["A"], description="A, AAAA, CNAME, DNAME, TXT, MX, SRV, NS, CAA or PTR")
    ttl: Integer = 300
    owner: str = Field(examples=["k8s:default/service/hello-web"], description="'kind:identity'")
    values: list[str] | None = Field(None, description="rdata in presentation form, e.g. '10 mx.example.'")
    pool: str | None = Field(None, examples=["istio-ingressgateway"], description="A/AAAA only")
    targets: dict[str, Integer] | None = Field(
        None,
        examples=[{"istio-ingressgateway": 10, "legacy-ingress": 90}],
        description="several pools with weights, instead of 'pool' (A/AAAA only)",
    )
    mode: str = Field("hashed", description="how a weighted record picks a pool: hashed or random")
    views: list[str] | None = Field(None, description="answer only in these views (default: every view)")


class RecordPatch(Body):
    ttl: Integer | None = None
    values: list[str] | None = Field(None, description="replaces the values (and drops any pool)")
    pool: str | None = Field(None, description="replaces the values with this pool (A/AAAA)")
    targets: dict[str, Integer] | None = Field(None, description="replaces the content with these pools")
    mode: str | None = Field(None, description="hashed or random (kept unless given)")
    views: list[str] | None = Field(None, description="replaces the views; [] answers in every view")


def targets_json(rrset: RRset) -> dict[str, int]:
    """The weighted targets as ``{pool: weight}`` in their order; {} for a one-pool record."""
    return {t.pool: t.weight for t in rrset.targets}


class RecordOut(BaseModel):
    id: int
    name: str
    type: str
    ttl: int
    values: list[str]
    pool: str | None
    targets: dict[str, int] = Field(description="weighted pools ({} for values or one pool)")
    mode: str
    views: list[str] = Field(description="the views the record answers in ([]: every view)")
    owner: str
    zone: str

    @classmethod
    def of(cls, rrset: RRset) -> RecordOut:
        assert rrset.id is not None, "only stored RRsets are shown"
        return cls(
            id=rrset.id, name=rrset.name, type=rrset.rtype, ttl=rrset.ttl, values=rrset.value_texts(),
            pool=rrset.pool, targets=targets_json(rrset), mode=rrset.mode, views=list(rrset.views),
            owner=rrset.owner, zone=rrset.zone,
        )  # fmt: skip


class RecordWritten(RecordOut):
    serial: int = Field(description="the zone's serial after this request")
    changed: bool = Field(description="false when the record already held exactly this content")

    @classmethod
    def of_result(cls, result: PutResult) -> RecordWritten:
        base = RecordOut.of(result.rrset).model_dump()
        return cls(**base, serial=result.serial, changed=result.changed)


class BulkIn(Body):
    records: list[Any] = Field(
        description="RRsets shaped like the body of POST /records; checked one by one and together"
    )


class BulkItemOut(BaseModel):
    index: int = Field(description="the item's position in the request")
    outcome: Literal["created", "changed", "unchanged"]
    id: int | None = Field(description="the record's id (none only for a new record in a dry run)")
    name: str
    type: str
    ttl: int
    values: list[str]
    pool: str | None
    targets: dict[str, int]
    mode: str
    views: list[str]
    owner: str
    zone: str
    serial: int = Field(description="the zone's serial after the batch")

    @classmethod
    def of_result(cls, index: int, result: PutResult) -> BulkItemOut:
        r = result.rrset
        outcome = "created" if result.created else "changed" if result.changed else "unchanged"
        return cls(
            index=index, outcome=outcome, id=r.id, name=r.name, type=r.rtype, ttl=r.ttl,
            values=r.value_texts(), pool=r.pool, targets=targets_json(r), mode=r.mode, views=list(r.views),
            owner=r.owner, zone=r.zone, serial=result.serial,
        )  # fmt: skip


class BulkOut(BaseModel):
    dry_run: bool
    created: int
    changed: int
    unchanged: int
    serials: dict[str, int] = Field(description="serial of every zone the batch names, after it")
    items: list[BulkItemOut]


class RecordPage(BaseModel):
    items: list[RecordOut]
    total: int
    limit: int
    offset: int


class RecordsDeleted(BaseModel):
    deleted: list[RecordOut]


class ZoneFields(Body):
    mname: str | None = Field(None, description="primary master (default: the first NS host)")
    rname: str | None = Field(None, description="responsible mailbox (default: hostmaster.<zone>)")
    refresh: Integer | None = None
    retry: Integer | None = None
    expire: Integer | None = None
    minimum: Integer | None = Field(None, description="negative-caching TTL (RFC 2308)")
    ttl: Integer | None = Field(None, description="TTL of the SOA and apex NS records")
    secondaries: list[str] | None = Field(None, description="addresses to NOTIFY and allow transfers")
    dnspod_sync: bool | None = None


class ZoneIn(ZoneFields):
    name: str = Field(examples=["hello-web.com"])
    ns: list[str] = Field(examples=[["ns1.hello-web.com", "ns2.hello-web.com"]])


class ZonePatch(ZoneFields):
    ns: list[str] | None = None


class ZoneOut(BaseModel):
    name: str
    serial: int
    ns: list[str]
    mname: str
    rname: str
    refresh: int
    retry: int
    expire: int
    minimum: int
    ttl: int
    secondaries: list[str]
    dnspod_sync: bool

    @classmethod
    def of(cls, zone: Zone) -> ZoneOut:
        return cls(
            name=zone.name, serial=zone.serial, ns=list(zone.ns), mname=zone.mname, rname=zone.rname,
            refresh=zone.refresh, retry=zone.retry, expire=zone.expire, minimum=zone.minimum,
            ttl=zone.ttl, secondaries=list(zone.secondaries), dnspod_sync=zone.dnspod_sync,
        )  # fmt: skip


class ZoneList(BaseModel):
    items: list[ZoneOut]


class PoolIn(Body):
    name: str = Field(examples=["istio-ingressgateway"])
    addresses: list[str] = Field(examples=[["10.0.0.10", "fd00::10"]])
    description: str = ""
    external_addresses: list[str] = Field([], description="what the public view (DNSPod) publishes")
    members: dict[str, list[str]] = Field(
        {}, examples=[{"dc-a": ["10.1.0.10"], "dc-b": ["10.2.0.10"]}], description="members per named view"
    )
    check: dict[str, Any] | None = Field(
        None,
        examples=[{"kind": "http", "port": 80, "path": "/healthz"}],
        description="health check: kind, port, path, interval, timeout, rise, fall, expect",
    )


class PoolPatch(Body):
    addresses: list[str] | None = None
    description: str | None = None
    external_addresses: list[str] | None = None
    members: dict[str, list[str]] | None = Field(
        None, description="replaces the members of the views given; [] removes a view's members"
    )
    check: dict[str, Any] | None = Field(None, description="replaces the health check; null removes it")


class PoolOut(BaseModel):
    name: str
    addresses: list[str]
    description: str
    external_addresses: list[str]
    members: dict[str, list[str]] = Field(description="members per named view")
    check: dict[str, Any] | None = Field(description="the health check, or null")

    @classmethod
    def of(cls, pool: Pool) -> PoolOut:
        return cls(
            name=pool.name,
            addresses=list(pool.addresses),
            description=pool.description,
            external_addresses=list(pool.external_addresses),
            members={view: list(addrs) for view, addrs in pool.view_members},
            check=check_dict(pool.check) if pool.check is not None else None,
        )


class PoolList(BaseModel):
    items: list[PoolOut]


class ViewIn(Body):
    name: str = Field(examples=["dc-a"])
    networks: list[str] = Field(examples=[["10.1.0.0/16", "10.11.0.0/16"]])
    description: str = ""


class ViewPatch(Body):
    networks: list[str] | None = None
    description: str | None = None


class ViewOut(BaseModel):
    name: str
    networks: list[str]
    description: str

    @classmethod
    def of(cls, view: View, description: str) -> ViewOut:
        return cls(name=view.name, networks=list(view.networks), description=description)


class ViewList(BaseModel):
    items: list[ViewOut]


class ZoneChangeOut(BaseModel):
    zone: str
    prev_serial: int | None
    serial: int | None
    removed: list[tuple[str, str, int, str]] = Field(description="RRs removed: [name, type, ttl, rdata]")
    added: list[tuple[str, str, int, str]] = Field(description="RRs added: [name, type, ttl, rdata]")

    @classmethod
    def of(cls, zc: ZoneChange) -> ZoneChangeOut:
        return cls(
            zone=zc.zone, prev_serial=zc.prev_serial, serial=zc.serial,
            removed=list(zc.removed), added=list(zc.added),
        )  # fmt: skip


class ChangeOut(BaseModel):
    id: int
    created_at: dt.datetime
    actor: str
    owner: str | None
    action: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    zones: list[ZoneChangeOut]

    @classmethod
    def of(cls, change: Change) -> ChangeOut:
        created = change.created_at
        if created.tzinfo is None:  # SQLite keeps no offset; the store writes UTC
            created = created.replace(tzinfo=dt.UTC)
        return cls(
            id=change.id, created_at=created, actor=change.actor, owner=change.owner,
            action=change.action, subject=change.subject, before=change.before, after=change.after,
            zones=[ZoneChangeOut.of(z) for z in change.zones],
        )  # fmt: skip


class RevertIn(Body):
    force: bool = Field(
        False, description="revert even though later changes touched the same names (they are overwritten)"
    )


class ChangeList(BaseModel):
    items: list[ChangeOut]


class Status(BaseModel):
    status: str


class TokenOut(BaseModel):
    name: str
    scope: Literal["read", "write"]
    zones: list[str] = Field(description="the zones a write token may change; empty: every zone (admin)")
    created_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(description="from then on the token gets 401; null: never")

    @classmethod
    def of(cls, actor: str, token: Token | None) -> TokenOut:
        if token is None:  # dev mode: no token, every request is the admin
            return cls(name=actor, scope="write", zones=[], created_at=None, expires_at=None)
        scope: Literal["read", "write"] = "write" if token.scope == "write" else "read"
        return cls(
            name=token.name, scope=scope, zones=list(token.zones), created_at=token.created_at,
            expires_at=token.expires_at,
        )  # fmt: skip


class Message(BaseModel):
    message: str


class ConflictDetail(Message):
    holder: str | None = Field(description="the owner holding the name, when that is the conflict")


class NotFoundDetail(Message):
    kind: str = Field(examples=["pool"])
    key: str
    field: str | None = Field(description="the request field that named it, if any", examples=["pool"])


class ItemConflictOut(BaseModel):
    index: int
    loc: list[str | int] = Field(examples=[["body", "records", 3, "name"]])
    name: str
    type: str
    holder: str


class BulkConflictDetail(ConflictDetail):
    conflicts: list[ItemConflictOut]


class ErrorOut(BaseModel):
    """Documents the error bodies in OpenAPI; built by :mod:`api.errors`."""

    detail: Message


class ConflictOut(BaseModel):
    detail: ConflictDetail


class BulkConflictOut(BaseModel):
    detail: BulkConflictDetail


class NotFoundOut(BaseModel):
    detail: NotFoundDetail
