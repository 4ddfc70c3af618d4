"""TSIG keys and transfer ACLs: the store side of zone-transfer access control.

Each change is one transaction with an audit row in the change log (no zone is touched, so no
serial moves). The audit rows name keys, never their secrets.
"""

from __future__ import annotations

import base64
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from dnsd.domain.errors import Conflict, InvalidInput, NotFound, Reason
from dnsd.domain.transfer import (
    HMAC_SHA256,
    TransferAcl,
    TransferPolicy,
    TsigKey,
    make_transfer_acl,
    make_tsig_key,
    view_problem,
)
from dnsd.domain.views import RESERVED_VIEWS, View
from dnsd.store.base import StoreBase
from dnsd.store.tables import ViewRow, ZoneRow
from dnsd.store.tsig_tables import TransferAclRow, TsigKeyRow


def _key(row: TsigKeyRow) -> TsigKey:
    return TsigKey(row.name, base64.b64decode(row.secret), row.algorithm, row.view)


def _key_dict(row: TsigKeyRow) -> dict[str, object]:
    """A key as the change log records it: never its secret."""
    return {"name": row.name, "algorithm": row.algorithm, "view": row.view}


def _acl(row: TransferAclRow, zone: str) -> TransferAcl:
    return TransferAcl(zone, tuple(row.networks), tuple(row.keys))


def generate_secret() -> str:
    """A fresh 256-bit secret, base64 (what ``tsig-keygen`` makes for hmac-sha256)."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


class TransferOps(StoreBase):
    def add_tsig_key(
        self, name: str, actor: str, secret_b64: str | None = None, view: str | None = None
    ) -> TsigKey:
        """Create a key (secret generated when not given), bound to ``view`` when given (its
        transfers get that view's zones); :class:`Conflict` if the name exists,
        :class:`NotFound` (field ``view``) for a view that is not defined."""
        key = make_tsig_key(name, secret_b64 or generate_secret(), HMAC_SHA256, view)
        with self.write() as session:
            self._check_view(session, key.view)
            if session.scalar(select(TsigKeyRow).where(TsigKeyRow.name == key.name)) is not None:
                raise Conflict(f"TSIG key {key.name} already exists")
            row = TsigKeyRow(name=key.name, algorithm=key.algorithm, secret=key.secret_b64, view=key.view)
            session.add(row)
            self.record_change(
                session, actor=actor, action="tsig.create", subject=key.name, deltas=[], after=_key_dict(row)
            )
        return key

    def set_tsig_key_view(self, name: str, view: str | None, actor: str) -> TsigKey:
        """Bind a key to ``view`` (None or "": unbind; its transfers get the client address's
        view). :class:`NotFound` for an unknown key or view."""
        reasons: list[Reason] = []
        canonical = view_problem(view, reasons)
        if reasons:
            raise InvalidInput(reasons)
        with self.write() as session:
            row = self._key_row(session, name)
            self._check_view(session, canonical)
            if row.view == canonical:
                return _key(row)
            before = _key_dict(row)
            row.view = canonical
            self.record_change(
                session, actor=actor, action="tsig.update", subject=row.name, deltas=[],
                before=before, after=_key_dict(row),
            )  # fmt: skip
            return _key(row)

    def get_tsig_key(self, name: str) -> TsigKey:
        with self.read() as session:
            return _key(self._key_row(session, name))

    def list_tsig_keys(self) -> list[TsigKey]:
        with self.read() as session:
            return [_key(r) for r in session.scalars(select(TsigKeyRow).order_by(TsigKeyRow.name))]

    def remove_tsig_key(self, name: str, actor: str) -> None:
        """Delete a key; :class:`Conflict` while a transfer ACL names it."""
        with self.write() as session:
            row = self._key_row(session, name)
            users = sorted(z for z, acl in self._acls(session).items() if row.name in acl.keys)
            if users:
                raise Conflict(f"TSIG key {row.name} is used by the transfer ACL of {', '.join(users)}")
            before = _key_dict(row)
            session.delete(row)
            self.record_change(
                session, actor=actor, action="tsig.delete", subject=row.name, deltas=[], before=before
            )

    def set_transfer_acl(self, zone: str, actor: str, networks: list[str], keys: list[str]) -> TransferAcl:
        """Replace the zone's ACL; every key named must exist (:class:`NotFound` otherwise)."""
        with self.write() as session:
            zone_row = self._zone_row(session, zone)
            acl = make_transfer_acl(zone_row.name, networks, keys)
            known = set(session.scalars(select(TsigKeyRow.name)))
            for i, key in enumerate(acl.keys):
                if key not in known:
                    raise NotFound("TSIG key", key, field=f"keys.{i}")
            row = session.scalar(select(TransferAclRow).where(TransferAclRow.zone_id == zone_row.id))
            before = None if row is None else {"networks": list(row.networks), "keys": list(row.keys)}
            if row is None:
                row = TransferAclRow(zone_id=zone_row.id)
                session.add(row)
            row.networks, row.keys = list(acl.networks), list(acl.keys)
            after = {"networks": list(acl.networks), "keys": list(acl.keys)}
            self.record_change(
                session, actor=actor, action="transfer.update", subject=zone_row.name, deltas=[],
                before=before, after=after,
            )  # fmt: skip
            return acl

    def clear_transfer_acl(self, zone: str, actor: str) -> None:
        """Remove the zone's ACL: transfers of it are refused again."""
        with self.write() as session:
            zone_row = self._zone_row(session, zone)
            row = session.scalar(select(TransferAclRow).where(TransferAclRow.zone_id == zone_row.id))
            if row is None:
                raise NotFound("transfer ACL", zone_row.name)
            before = {"networks": list(row.networks), "keys": list(row.keys)}
            session.delete(row)
            self.record_change(
                session,
                actor=actor,
                action="transfer.delete",
                subject=zone_row.name,
                deltas=[],
                before=before,
            )

    def load_transfer_policy(self) -> TransferPolicy:
        """Every key, ACL and view in one read (the server reloads it as the change feed
        moves)."""
        with self.read() as session:
            keys = {r.name: _key(r) for r in session.scalars(select(TsigKeyRow))}
            rows = session.scalars(select(ViewRow).order_by(ViewRow.name))
            views = tuple(View(r.name, tuple(r.networks)) for r in rows)
            return TransferPolicy(keys, self._acls(session), views)

    @staticmethod
    def _check_view(session: Session, view: str | None) -> None:
        if view is None or view in RESERVED_VIEWS:
            return
        if session.scalar(select(ViewRow.id).where(ViewRow.name == view)) is None:
            raise NotFound("view", view, field="view")

    @staticmethod
    def _acls(session: Session) -> dict[str, TransferAcl]:
        rows = session.execute(select(TransferAclRow, ZoneRow.name).join(ZoneRow))
        return {zone: _acl(row, zone) for row, zone in rows}

    @staticmethod
    def _key_row(session: Session, name: str) -> TsigKeyRow:
        row = session.scalar(select(TsigKeyRow).where(TsigKeyRow.name == name.lower().rstrip(".")))
        if row is None:
            raise NotFound("TSIG key", name)
        return row

    @staticmethod
    def _zone_row(session: Session, name: str) -> ZoneRow:
        row = session.scalar(select(ZoneRow).where(ZoneRow.name == name.lower().rstrip(".")))
        if row is None:
            raise NotFound("zone", name, field="zone")
        return row
