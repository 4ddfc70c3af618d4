"""TSIG keys and transfer ACLs: pure rules, the store on both backends, and the CLI."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from dnsd.domain.errors import Conflict, InvalidInput, NotFound
from dnsd.domain.transfer import TransferAcl, make_transfer_acl, make_tsig_key
from dnsd.store.tsig import TransferOps
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore
from tests.helpers import Run, dnsd_env, run_dnsd

ROOT = Path(__file__).resolve().parents[2]
SECRET = base64.b64encode(b"k" * 32).decode()


@pytest.fixture
def ops(store: ZoneStore) -> TransferOps:
    store.create_zone(make_zone("example.com", ["ns1.example.com"]), "test")
    return TransferOps(store.engine)


@pytest.mark.parametrize(
    ("acl", "client", "key", "allowed"),
    [
        (TransferAcl("z"), "192.0.2.1", "k", False),  # no rule: refuse
        (TransferAcl("z", ("192.0.2.0/24",)), "192.0.2.9", None, True),
        (TransferAcl("z", ("192.0.2.0/24",)), "198.51.100.1", None, False),
        (TransferAcl("z", ("192.0.2.0/24",)), "::ffff:192.0.2.9", None, True),
        (TransferAcl("z", (), ("k",)), "203.0.113.5", "k", True),
        (TransferAcl("z", (), ("k",)), "203.0.113.5", None, False),
        (TransferAcl("z", (), ("k",)), "203.0.113.5", "other", False),
        (TransferAcl("z", ("2001:db8::/32",), ("k",)), "2001:db8::1", "k", True),
        (TransferAcl("z", ("2001:db8::/32",), ("k",)), "2001:db8::1", None, False),
        (TransferAcl("z", ("2001:db8::/32",), ("k",)), "2001:db9::1", "k", False),
    ],
)
def test_acl_rules(acl: TransferAcl, client: str, key: str | None, allowed: bool) -> None:
    assert acl.allows(client, key) is allowed


def test_validation_reports_every_problem() -> None:
    with pytest.raises(InvalidInput) as info:
        make_transfer_acl("z", ["10.0.0.0/33", "192.0.2.1"], ["bad..name"])
    assert [r.field for r in info.value.reasons] == ["networks.0", "keys.0"]
    assert make_transfer_acl("z", ["192.0.2.1", "10.1.2.3/8"], ["K.Example."]).networks == (
        "192.0.2.1/32",
        "10.0.0.0/8",
    )
    with pytest.raises(InvalidInput) as info:
        make_tsig_key("k", "not base64!", "hmac-md5")
    assert [r.field for r in info.value.reasons] == ["secret", "algorithm"]
    with pytest.raises(InvalidInput, match="at least 16"):
        make_tsig_key("k", base64.b64encode(b"short").decode())


def test_secret_never_appears_in_repr() -> None:
    key = make_tsig_key("k.example", SECRET)
    assert SECRET not in repr(key) and "kkkk" not in repr(key)
    assert f'secret "{SECRET}";' in key.bind_clause()


def test_keys_and_acls_in_the_store(store: ZoneStore, ops: TransferOps) -> None:
    generated = ops.add_tsig_key("xfr.example.com.", "test")
    assert generated.name == "xfr.example.com" and len(generated.secret) == 32
    given = ops.add_tsig_key("other-key", "test", SECRET)
    assert ops.get_tsig_key("other-key").secret == b"k" * 32 == given.secret
    with pytest.raises(Conflict):
        ops.add_tsig_key("other-key", "test")
    with pytest.raises(NotFound):
        ops.set_transfer_acl("example.com", "test", [], ["missing-key"])
    with pytest.raises(NotFound):
        ops.set_transfer_acl("nope.example", "test", ["192.0.2.0/24"], [])
    acl = ops.set_transfer_acl("example.com", "test", ["127.0.0.1"], ["xfr.example.com"])
    policy = ops.load_transfer_policy()
    assert policy.acls == {"example.com": acl} and set(policy.keys) == {"xfr.example.com", "other-key"}
    assert policy.acls["example.com"].allows("127.0.0.1", "xfr.example.com")
    with pytest.raises(Conflict, match=r"ACL of example\.com"):
        ops.remove_tsig_key("xfr.example.com", "test")
    ops.clear_transfer_acl("example.com", "test")
    ops.remove_tsig_key("xfr.example.com", "test")
    assert [k.name for k in ops.list_tsig_keys()] == ["other-key"]
    audit = store.list_changes()
    actions = [c.action for c in audit if c.action.startswith(("tsig", "transfer"))]
    assert actions == ["tsig.create", "tsig.create", "transfer.update", "transfer.delete", "tsig.delete"]
    assert SECRET not in json.dumps([[c.before, c.after] for c in audit])
    assert all(c.zones == () for c in audit if c.action.startswith(("tsig", "transfer")))


def test_deleting_a_zone_drops_its_acl(store: ZoneStore, ops: TransferOps) -> None:
    ops.set_transfer_acl("example.com", "test", ["192.0.2.0/24"], [])
    store.delete_zone("example.com", "test")
    assert ops.load_transfer_policy().acls == {}


def dnsd(db_url: str, *args: str, stdin: str | None = None) -> Run:
    return run_dnsd(args, dnsd_env(db_url), stdin)


def test_cli(ops: TransferOps, db_url: str) -> None:
    added = dnsd(db_url, "tsig", "add", "sec1.example.com", "--secret-file", "-", stdin=SECRET + "\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout == f'key "sec1.example.com" {{\n\talgorithm hmac-sha256;\n\tsecret "{SECRET}";\n}};\n'
    generated = dnsd(db_url, "tsig", "add", "sec2")
    assert generated.returncode == 0 and "secret" in generated.stdout
    listed = dnsd(db_url, "tsig", "list")
    assert listed.stdout.split() == ["sec1.example.com", "hmac-sha256", "-", "sec2", "hmac-sha256", "-"]
    assert SECRET not in listed.stdout + listed.stderr
    allow = dnsd(
        db_url, "transfer", "allow", "example.com", "--network", "127.0.0.0/8", "--key", "sec1.example.com"
    )
    assert allow.returncode == 0, allow.stderr
    shown = json.loads(dnsd(db_url, "--json", "transfer", "show").stdout)
    assert shown == [{"zone": "example.com", "networks": ["127.0.0.0/8"], "keys": ["sec1.example.com"]}]
    in_use = dnsd(db_url, "tsig", "rm", "sec1.example.com")
    assert in_use.returncode == 1 and "used by the transfer ACL of example.com" in in_use.stderr
    bad = dnsd(db_url, "transfer", "allow", "example.com", "--network", "300.0.0.0/8")
    assert bad.returncode == 2 and "networks.0" in bad.stderr
    assert dnsd(db_url, "transfer", "clear", "example.com").returncode == 0
    assert dnsd(db_url, "tsig", "rm", "sec1.example.com").returncode == 0
