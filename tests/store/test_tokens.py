"""API tokens: the secret is shown once and stored hashed; verify, list, revoke."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import create_engine, text

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.store.engine import normalize_url
from dnsd.store.zonestore import ZoneStore


def test_create_returns_the_secret_once_and_stores_a_hash(store: ZoneStore, db_url: str) -> None:
    token, secret = store.create_token("ci", "write", ["Hello-Web.com."])
    assert (token.name, token.scope, token.zones, token.revoked) == ("ci", "write", ("hello-web.com",), False)
    assert secret.startswith("dnsd_") and len(secret) > 40
    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_tokens")).mappings().all()
    engine.dispose()
    [row] = rows
    assert secret not in {str(v) for v in row.values()}
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert token not in [t for t in store.list_tokens() if t.name != "ci"]
    assert "secret" not in repr(token).lower()


def test_verify(store: ZoneStore) -> None:
    token, secret = store.create_token("reader", "read")
    other, other_secret = store.create_token("writer", "write")
    assert store.verify_token(secret) == token
    assert store.verify_token(other_secret) == other
    assert store.verify_token(secret + "x") is None
    assert store.verify_token("") is None
    assert not token.may_write("hello-web.com")
    assert other.is_admin and other.may_write("anything.com")


def test_zone_scoped_write_token(store: ZoneStore) -> None:
    token, _ = store.create_token("team", "write", ["hello-web.com"])
    assert token.may_write("hello-web.com")
    assert not token.may_write("wudebao-web.com")
    assert not token.may_write(None)
    assert not token.is_admin


def test_revoke(store: ZoneStore) -> None:
    _, secret = store.create_token("ci", "write")
    revoked = store.revoke_token("ci")
    assert revoked.revoked
    assert store.verify_token(secret) is None
    assert store.revoke_token("ci").revoked  # revoking again is harmless
    assert [t.revoked for t in store.list_tokens()] == [True]
    with pytest.raises(NotFound):
        store.revoke_token("nope")


def test_list_tokens(store: ZoneStore) -> None:
    store.create_token("b", "read")
    store.create_token("a", "write", ["x.com"])
    assert [(t.name, t.zones) for t in store.list_tokens()] == [("a", ("x.com",)), ("b", ())]


def test_bad_tokens(store: ZoneStore) -> None:
    with pytest.raises(InvalidInput) as info:
        store.create_token("", "admin", ["ok.com", "bad..zone"])
    assert [r.field for r in info.value.reasons] == ["name", "scope", "zones.1"]
    store.create_token("ci", "read")
    with pytest.raises(Conflict):
        store.create_token("ci", "write")
    assert len(store.list_tokens()) == 1
