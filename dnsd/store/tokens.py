"""API tokens: created by operators with the CLI, stored as SHA-256 hashes, never in clear."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select

from dnsd.domain.changes import Token
from dnsd.domain.errors import Conflict, InvalidInput, NotFound, Reason
from dnsd.domain.names import name_problems
from dnsd.store.base import StoreBase
from dnsd.store.convert import token_from_row
from dnsd.store.tables import TokenRow

SCOPES = ("read", "write")
TOKEN_PREFIX = "dnsd_"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenOps(StoreBase):
    def create_token(self, name: str, scope: str, zones: list[str] | None = None) -> tuple[Token, str]:
        """Create a token; returns it and its secret, which is shown once and stored hashed."""
        reasons: list[Reason] = []
        if not name or len(name) > 100:
            reasons.append(Reason("name", "1-100 characters"))
        if scope not in SCOPES:
            reasons.append(Reason("scope", f"one of {', '.join(SCOPES)}"))
        canon = []
        for i, zone in enumerate(zones or []):
            zname, problems = name_problems(zone, wildcard=False)
            reasons += [Reason(f"zones.{i}", p) for p in problems]
            canon.append(zname)
        if reasons:
            raise InvalidInput(reasons)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.write() as session:
            if session.scalar(select(TokenRow).where(TokenRow.name == name)) is not None:
                raise Conflict(f"token {name} already exists")
            row = TokenRow(name=name, token_hash=hash_token(secret), scope=scope, zones=canon)
            session.add(row)
            session.flush()
            return token_from_row(row), secret

    def verify_token(self, secret: str) -> Token | None:
        """The live token with this secret, or None (unknown or revoked)."""
        with self.read() as session:
            row = session.scalar(select(TokenRow).where(TokenRow.token_hash == hash_token(secret)))
            if row is None or row.revoked_at is not None:
                return None
            return token_from_row(row)

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
