"""TSIG keys bound to views: which view a transfer answers (pure), the store on both backends,
the CLI, and migration 0008 keeping existing keys."""

from __future__ import annotations

import base64

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from dnsd.domain.errors import InvalidInput, NotFound
from dnsd.domain.transfer import TransferPolicy, TsigKey, make_tsig_key
from dnsd.domain.views import make_views
from dnsd.store.migrate import alembic_config
from dnsd.store.tsig import TransferOps
from dnsd.store.zonestore import ZoneStore
from tests.helpers import dnsd_env, run_dnsd
from tests.store.test_migrations import empty_url  # noqa: F401  (fixture)

SECRET = base64.b64encode(b"v" * 32).decode()
VIEWS = make_views([("dc-a", ["127.0.10.0/24", "10.1.0.0/16"]), ("dc-b", ["127.0.20.0/24"])])


def add_views(store: ZoneStore) -> None:
    for view in VIEWS:
        store.create_view(view.name, list(view.networks), "test")


@pytest.mark.parametrize(
    ("client", "key_view", "view"),
    [
        ("127.0.10.5", None, "dc-a"),  # the source address decides
        ("127.0.20.5", None, "dc-b"),
        ("::ffff:127.0.20.5", None, "dc-b"),
        ("127.0.30.5", None, "default"),
        ("127.0.30.5", "dc-a", "dc-a"),  # the key wins over the address
        ("127.0.20.5", "dc-a", "dc-a"),
        ("127.0.10.5", "default", "default"),
        ("", None, "default"),  # a transport that does not know the peer
    ],
)
def test_transfer_view(client: str, key_view: str | None, view: str) -> None:
    policy = TransferPolicy({}, {}, VIEWS)
    key = TsigKey("k", b"k" * 32, view=key_view)
    assert policy.transfer_view(client, key) == view
    if key_view is None:
        assert policy.transfer_view(client, None) == view


def test_without_views_everything_is_default() -> None:
    assert TransferPolicy({}, {}).transfer_view("127.0.10.5", None) == "default"


def test_key_view_validation() -> None:
    assert make_tsig_key("k", SECRET, view=" DC-A ").view == "dc-a"
    assert make_tsig_key("k", SECRET, view="").view is None
    with pytest.raises(InvalidInput) as info:
        make_tsig_key("k", SECRET, view="dc_a!")
    assert [r.field for r in info.value.reasons] == ["view"]


def test_key_views_in_the_store(store: ZoneStore) -> None:
    add_views(store)
    ops = TransferOps(store.engine)
    key = ops.add_tsig_key("xfr-a", "test", SECRET, view="dc-a")
    assert key.view == "dc-a" and ops.get_tsig_key("xfr-a").view == "dc-a"
    ops.add_tsig_key("plain", "test", SECRET)
    with pytest.raises(NotFound) as missing:
        ops.add_tsig_key("xfr-c", "test", SECRET, view="dc-c")
    assert missing.value.field == "view"
    assert [k.name for k in ops.list_tsig_keys()] == ["plain", "xfr-a"]  # nothing half-written
    assert ops.set_tsig_key_view("plain", "public", "test").view == "public"
    assert ops.set_tsig_key_view("xfr-a", None, "test").view is None
    with pytest.raises(NotFound):
        ops.set_tsig_key_view("plain", "dc-c", "test")
    policy = ops.load_transfer_policy()
    assert {k.name: k.view for k in policy.keys.values()} == {"plain": "public", "xfr-a": None}
    assert policy.views == (VIEWS[0], VIEWS[1])
    assert policy.transfer_view("127.0.20.1", policy.keys["xfr-a"]) == "dc-b"
    audit = [c for c in store.list_changes() if c.action.startswith("tsig")]
    assert [c.action for c in audit] == ["tsig.create", "tsig.create", "tsig.update", "tsig.update"]
    assert audit[2].before == {"name": "plain", "algorithm": "hmac-sha256", "view": None}
    assert audit[2].after == {"name": "plain", "algorithm": "hmac-sha256", "view": "public"}
    assert SECRET not in repr([c.after for c in audit])


def test_cli_key_view(store: ZoneStore, db_url: str) -> None:
    add_views(store)
    env = dnsd_env(db_url)
    added = run_dnsd(("tsig", "add", "sec-a", "--view", "dc-a", "--secret", SECRET), env)
    assert added.returncode == 0, added.stderr
    assert run_dnsd(("tsig", "list"), env).stdout.split() == ["sec-a", "hmac-sha256", "dc-a"]
    moved = run_dnsd(("tsig", "view", "sec-a", "dc-b"), env)
    assert moved.returncode == 0 and moved.stdout.strip() == "sec-a: view dc-b"
    unknown = run_dnsd(("tsig", "view", "sec-a", "dc-z"), env)
    assert unknown.returncode != 0 and "dc-z" in unknown.stderr
    assert run_dnsd(("tsig", "view", "sec-a"), env).returncode == 0
    assert run_dnsd(("--json", "tsig", "list"), env).stdout.count('"view": null') == 1


def test_migration_0008_keeps_keys_without_a_view(empty_url: str) -> None:  # noqa: F811
    config = alembic_config(empty_url)
    command.upgrade(config, "0007")
    engine = create_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO tsig_keys (name, algorithm, secret, created_at) VALUES (:n, :a, :s, :t)"),
                {"n": "old-key", "a": "hmac-sha256", "s": SECRET, "t": "2026-01-01 00:00:00"},
            )
        command.upgrade(config, "head")
        key = TransferOps(engine).get_tsig_key("old-key")
        assert (key.view, key.secret) == (None, b"v" * 32)
        command.downgrade(config, "0007")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM tsig_keys")).scalars().all() == ["old-key"]
    finally:
        engine.dispose()
