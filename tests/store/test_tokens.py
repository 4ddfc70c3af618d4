"""API tokens: the secret is shown once and stored hashed; verify, list, revoke."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import create_engine, text

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.store.engine import normalize_url
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore


def add_zones(store: ZoneStore, *names: str) -> None:
    for name in names:
        store.create_zone(make_zone(name, [f"ns1.{name}"]), "test")


def test_create_returns_the_secret_once_and_stores_a_hash(store: ZoneStore, db_url: str) -> None:
    add_zones(store, "hello-web.com")
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
    add_zones(store, "hello-web.com")
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
    add_zones(store, "x.com")
    store.create_token("b", "read")
    store.create_token("a", "write", ["x.com"])
    assert [(t.name, t.zones) for t in store.list_tokens()] == [("a", ("x.com",)), ("b", ())]


def test_bad_tokens(store: ZoneStore) -> None:
    with pytest.raises(InvalidInput) as info:
        store.create_token("", "admin", ["ok.com", "bad..zone"])
    assert [r.field for r in info.value.reasons] == ["name", "scope", "zones.0", "zones.1"]
    store.create_token("ci", "read")
    with pytest.raises(Conflict):
        store.create_token("ci", "write")
    assert len(store.list_tokens()) == 1


def test_read_token_with_zones_is_refused(store: ZoneStore) -> None:
    add_zones(store, "hello-web.com")
    with pytest.raises(InvalidInput) as info:
        store.create_token("dash", "read", ["hello-web.com"])
    [reason] = info.value.reasons
    assert reason.field == "zones" and "only a write token" in reason.message
    assert store.list_tokens() == []


def test_write_token_for_a_missing_zone_is_refused(store: ZoneStore) -> None:
    add_zones(store, "hello-web.com")
    with pytest.raises(InvalidInput) as info:
        store.create_token("ci", "write", ["hello-web.com", "nosuch.example"])
    [reason] = info.value.reasons
    assert reason.field == "zones.1" and "no zone nosuch.example" in reason.message
    assert store.list_tokens() == []


def test_expiry_is_stored_and_an_expired_token_no_longer_verifies(store: ZoneStore, db_url: str) -> None:
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)
    token, secret = store.create_token("ci", "write", expires_at=when)
    assert token.expires_at == when and store.verify_token(secret) == token
    assert [t.expires_at for t in store.list_tokens()] == [when]
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    engine = create_engine(normalize_url(db_url))
    with engine.begin() as conn:  # time passes: the expiry is now behind us
        conn.execute(text("UPDATE api_tokens SET expires_at = :t"), {"t": past.replace(tzinfo=None)})
    engine.dispose()
    assert store.verify_token(secret) is None
    found = store.find_token(secret)
    assert found is not None and found.expired(dt.datetime.now(dt.UTC))


def test_expiry_in_the_past_is_refused(store: ZoneStore) -> None:
    with pytest.raises(InvalidInput) as info:
        store.create_token("ci", "read", expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert [r.field for r in info.value.reasons] == ["expires_at"]
    assert store.list_tokens() == []
