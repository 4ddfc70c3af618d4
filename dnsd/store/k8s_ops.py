"""Store operations of the Kubernetes integration: the pool mapping, the controller's
problems, and the reads the reconciler needs (records by owner prefix, records at names).

Records themselves are written with :class:`dnsd.store.records.RecordOps` (``put_rrset``,
``delete_rrset``), so they get the same validation, ownership rule and change log as any other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from dnsd.domain.errors import NotFound
from dnsd.domain.k8s import MappingEntry, PoolMapping
from dnsd.domain.plan import Problem
from dnsd.domain.records import RRset
from dnsd.store.base import StoreBase
from dnsd.store.convert import rrset_from_row
from dnsd.store.k8s_tables import K8sMappingRow, K8sProblemRow
from dnsd.store.tables import PoolRow, RecordRow, ZoneRow


def _entry(row: K8sMappingRow) -> MappingEntry:
    return MappingEntry(row.kind, row.key, row.pool)


def _problem(row: K8sProblemRow) -> Problem:
    return Problem(row.owner, row.field, row.message, row.host, row.holder)


def _mapping_dict(entry: MappingEntry) -> dict[str, str]:
    return {"kind": entry.kind, "key": entry.key, "pool": entry.pool}


class K8sOps(StoreBase):
    def list_mappings(self) -> list[MappingEntry]:
        with self.read() as session:
            rows = session.scalars(select(K8sMappingRow).order_by(K8sMappingRow.kind, K8sMappingRow.key))
            return [_entry(r) for r in rows]

    def pool_mapping(self) -> PoolMapping:
        return PoolMapping.of(self.list_mappings())

    def set_mapping(self, entry: MappingEntry, actor: str) -> MappingEntry:
        """Create or replace the mapping row (kind, key) (built by ``make_entry``); the pool
        must exist (:class:`NotFound` naming ``pool``). Audited as a change without zones."""
        with self.write() as session:
            if session.scalar(select(PoolRow.id).where(PoolRow.name == entry.pool)) is None:
                raise NotFound("pool", entry.pool, field="pool")
            row = session.scalar(
                select(K8sMappingRow).where(K8sMappingRow.kind == entry.kind, K8sMappingRow.key == entry.key)
            )
            before = _mapping_dict(_entry(row)) if row is not None else None
            if row is not None and row.pool == entry.pool:
                return entry
            if row is None:
                row = K8sMappingRow(kind=entry.kind, key=entry.key)
                session.add(row)
            row.pool = entry.pool
            self.record_change(
                session, actor=actor, action="k8s.mapping.set", subject=entry.describe(),
                deltas=[], before=before, after=_mapping_dict(entry),
            )  # fmt: skip
            return entry

    def delete_mapping(self, kind: str, key: str, actor: str) -> MappingEntry:
        """Remove one mapping row; :class:`NotFound` if there is none."""
        with self.write() as session:
            row = session.scalar(
                select(K8sMappingRow).where(K8sMappingRow.kind == kind, K8sMappingRow.key == key)
            )
            if row is None:
                raise NotFound("mapping", f"{kind} {key}".strip())
            entry = _entry(row)
            session.delete(row)
            self.record_change(
                session, actor=actor, action="k8s.mapping.delete", subject=entry.describe(),
                deltas=[], before=_mapping_dict(entry),
            )  # fmt: skip
            return entry

    @staticmethod
    def _rrsets(session: Session, query: Select[RecordRow, str]) -> list[RRset]:
        pools = {p.id: p.name for p in session.scalars(select(PoolRow))}
        rows = session.execute(query)
        return [
            rrset_from_row(rec, zone, pools.get(rec.pool_id) if rec.pool_id is not None else None)
            for rec, zone in rows
        ]

    def owned_rrsets(self, prefixes: Sequence[str]) -> list[RRset]:
        """Every RRset whose owner starts with one of ``prefixes`` (e.g. ``k8s:``)."""
        if not prefixes:
            return []
        match = or_(*(RecordRow.owner.startswith(p, autoescape=True) for p in prefixes))
        query = select(RecordRow, ZoneRow.name).join(ZoneRow).where(match).order_by(RecordRow.name)
        with self.read() as session:
            return self._rrsets(session, query)

    def rrsets_at(self, names: Iterable[str]) -> list[RRset]:
        """Every RRset, of any owner and type, at one of ``names``."""
        wanted = sorted(set(names))
        out: list[RRset] = []
        with self.read() as session:
            for start in range(0, len(wanted), 500):  # stay well under bind-parameter limits
                chunk = wanted[start : start + 500]
                query = select(RecordRow, ZoneRow.name).join(ZoneRow).where(RecordRow.name.in_(chunk))
                out += self._rrsets(session, query)
        return out

    def list_problems(self, owner_prefix: str = "") -> list[Problem]:
        """The problems recorded by the controller, by owner."""
        with self.read() as session:
            query = select(K8sProblemRow).where(K8sProblemRow.owner.startswith(owner_prefix, autoescape=True))
            rows = session.scalars(query.order_by(K8sProblemRow.owner, K8sProblemRow.host, K8sProblemRow.id))
            return [_problem(r) for r in rows]

    def replace_problems(
        self, prefixes: Sequence[str], problems: Iterable[Problem]
    ) -> tuple[list[Problem], list[Problem]]:
        """Make the stored problems of owners under ``prefixes`` exactly ``problems``; problems
        seen before keep their ``first_seen``. Returns (new ones, resolved ones)."""
        wanted = list(dict.fromkeys(problems))
        with self.write() as session:
            match = or_(*(K8sProblemRow.owner.startswith(p, autoescape=True) for p in prefixes))
            rows = session.scalars(select(K8sProblemRow).where(match)).all() if prefixes else []
            existing = {_problem(r): r for r in rows}
            resolved = [p for p in existing if p not in wanted]
            for problem in resolved:
                session.delete(existing[problem])
            added = [p for p in wanted if p not in existing]
            for p in added:
                session.add(
                    K8sProblemRow(
                        owner=p.owner,
                        kind=p.kind,
                        host=p.host,
                        field=p.field,
                        message=p.message,
                        holder=p.holder,
                    )
                )
            return added, resolved
