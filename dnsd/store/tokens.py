"""API tokens: created by operators with the CLI, stored as SHA-256 hashes, never in clear."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from dnsd.domain.changes import Token
from dnsd.domain.errors import Conflict, InvalidInput, NotFound, Reason
from dnsd.domain.expiry import iso
from dnsd.domain.names import name_problems
from dnsd.domain.tokens import TOKEN_PREFIX, token_problems
from dnsd.store.base import StoreBase
from dnsd.store.convert import token_from_row
from dnsd.store.tables import TokenRow, ZoneRow


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenOps(StoreBase):
    def create_token(
        self,
        name: str,
        scope: str,
        zones: list[str] | None = None,
        expires_at: dt.datetime | None = None,
    ) -> tuple[Token, str]:
        """Create a token; returns it and its secret, which is shown once and stored hashed.

        :class:`InvalidInput` lists every problem: name, scope, a zone list on a read token (it
        reads every zone; a limit there would be silently meaningless), a zone that is no valid
        name or that does not exist, an ``expires_at`` (aware) not in the future.
        """
        reasons = token_problems(name, scope, zones)
        if expires_at is not None and expires_at <= dt.datetime.now(dt.UTC):
            reasons.append(Reason("expires_at", f"{iso(expires_at)} is not in the future"))
        canon = [name_problems(zone, wildcard=False)[0] for zone in zones or []]
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.write() as session:
            known = set(session.scalars(select(ZoneRow.name).where(ZoneRow.name.in_(canon))))
            reasons += [
                Reason(
                    f"zones.{i}", f"no zone {zone}: add the zone first (a token cannot name a zone to come)"
                )
                for i, zone in enumerate(canon)
                if zone not in known and not any(r.field == f"zones.{i}" for r in reasons)
            ]
            if reasons:
                raise InvalidInput(sorted(reasons, key=lambda r: r.field))
            if session.scalar(select(TokenRow).where(TokenRow.name == name)) is not None:
                raise Conflict(f"token {name} already exists")
            row = TokenRow(
                name=name, token_hash=hash_token(secret), scope=scope, zones=canon, expires_at=expires_at
            )
            session.add(row)
            session.flush()
            return token_from_row(row), secret

    def find_token(self, secret: str) -> Token | None:
        """The unrevoked token with this secret, expired or not, or None (unknown or revoked)."""
        with self.read() as session:
            row = session.scalar(select(TokenRow).where(TokenRow.token_hash == hash_token(secret)))
            if row is None or row.revoked_at is not None:
                return None
            return token_from_row(row)

    def verify_token(self, secret: str) -> Token | None:
        """The live token with this secret, or None (unknown, revoked or expired)."""
        token = self.find_token(secret)
        if token is None or token.expired(dt.datetime.now(dt.UTC)):
            return None
        return token

    def list_tokens(self) -> list[Token]:
        with self.read() as session:
            return [token_from_row(r) for r in session.scalars(select(TokenRow).order_by(TokenRow.name))]

    def revoke_token(self, name: str) -> Token:
        with self.write() as session:
            row = session.scalar(select(TokenRow).where(TokenRow.name == name))
            if row is None:
                raise NotFound("token", name)
            if row.revoked_at is None:
                row.revoked_at = dt.datetime.now(dt.UTC)
            return token_from_row(row)
