"""The CLI at the edges a new user hit: numbers past the database's integers, token rules and
expiry, zone secondaries. Every refusal is one clear message and exit 2, never a traceback."""

from __future__ import annotations

import datetime as dt

import pytest

from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.cli.conftest import Dnsd

TOO_BIG = str(2**63)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("record", "rm", TOO_BIG), "id"),
        (("record", "rm", str(2**31)), "id"),
        (("record", "list", "--offset", TOO_BIG), "offset"),
        (("record", "list", "--limit", TOO_BIG), "limit"),
        (("changes", "--after-id", TOO_BIG), "after_id"),
    ],
)
def test_integers_past_the_database_exit_2_naming_the_option(
    dnsd: Dnsd, args: tuple[str, ...], field: str
) -> None:
    run = dnsd(*args, expect=2)
    assert "Traceback" not in run.err and "OverflowError" not in run.err
    assert f"  {field}: must be at most" in run.err


def test_read_token_with_a_zone_is_refused(dnsd: Dnsd, store: ZoneStore) -> None:
    store.create_zone(make_zone("hello-web.com", ["ns1.hello-web.com"]), "test")
    run = dnsd("token", "create", "dash", "--scope", "read", "--zone", "hello-web.com", expect=2)
    assert "zones: only a write token is limited to zones" in run.err
    assert store.list_tokens() == []


def test_write_token_for_a_missing_zone_is_refused(dnsd: Dnsd, store: ZoneStore) -> None:
    run = dnsd("token", "create", "ci", "--scope", "write", "--zone", "nosuch.example", expect=2)
    assert "zones.0: no zone nosuch.example: add the zone first" in run.err
    assert store.list_tokens() == []


def test_token_expiry_is_set_listed_and_checked(dnsd: Dnsd, store: ZoneStore) -> None:
    before = dt.datetime.now(dt.UTC)
    created = dnsd.json("token", "create", "ci", "--scope", "write", "--expires", "30d")
    expires = dt.datetime.fromisoformat(created["expires_at"])
    assert dt.timedelta(days=30) <= expires - before < dt.timedelta(days=30, minutes=1)
    dnsd("token", "create", "forever", "--scope", "read")
    dnsd("token", "create", "dated", "--scope", "read", "--expires", "2099-01-31")
    listed = dnsd("token", "list").out.splitlines()
    assert listed[0].split() == ["NAME", "SCOPE", "ZONES", "CREATED", "EXPIRES", "STATE"]
    assert "2099-01-31T00:00:00Z" in listed[2] and "never" in listed[3]
    assert [t["expires_at"] for t in dnsd.json("token", "list")][1:] == ["2099-01-31T00:00:00+00:00", None]
    bad = dnsd("token", "create", "late", "--scope", "read", "--expires", "2020-01-01", expect=2)
    assert "expires: 2020-01-01T00:00:00Z is not in the future" in bad.err
    bad = dnsd("token", "create", "late", "--scope", "read", "--expires", "soon", expect=2)
    assert "expires: 'soon' is not a duration (30d, 12h, 90m, 2w) or an ISO 8601 date" in bad.err
    assert [t.name for t in store.list_tokens()] == ["ci", "dated", "forever"]


def test_zone_add_takes_secondaries_and_refuses_bad_ones(dnsd: Dnsd, store: ZoneStore) -> None:
    ns = ("--ns", "ns1.hello-web.com")
    bad = dnsd("zone", "add", "hello-web.com", *ns, "--secondary", "10.0.0.1:53", "--secondary", "; rm -rf /",
               expect=2)  # fmt: skip
    assert "  secondaries.1: '; rm -rf /' is not an address[:port]" in bad.err
    assert store.list_zones() == []
    zone = dnsd.json(
        "zone", "add", "hello-web.com", *ns, "--secondary", "10.0.0.1:53", "--secondary", "[::1]:5300"
    )
    assert zone["secondaries"] == ["10.0.0.1:53", "[::1]:5300"]
    assert store.get_zone("hello-web.com").secondaries == ("10.0.0.1:53", "[::1]:5300")
