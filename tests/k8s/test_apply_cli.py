"""`dnsd k8s apply` and `dnsd k8s mapping` end to end: the real command, the real store."""

from __future__ import annotations

import json
from pathlib import Path

from dnsd.domain.k8s import make_entry
from dnsd.domain.rdata import Address
from dnsd.domain.records import make_rrset
from dnsd.domain.snapshot import build_zone
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.k8s.conftest import ISTIO_VIP, MANIFESTS, dnsd

HELLO_OWNER = "k8s:default/virtualservice/hello-web"
WUDEBAO_OWNER = "k8s:wudebao/virtualservice/wudebao-web"


def map_pools(store: ZoneStore) -> None:
    """The mapping of issue 6 (the CLI that edits it has its own test below)."""
    k8s = K8sOps(store.engine)
    k8s.set_mapping(make_entry("gateway", "istio=ingressgateway", "istio-ingressgateway"), "test")
    k8s.set_mapping(make_entry("ingress-class", "nginx", "legacy-ingress"), "test")
    k8s.set_mapping(make_entry("default", "", "istio-ingressgateway"), "test")


def records(store: ZoneStore) -> set[tuple[str, str, str | None, str]]:
    items, _ = store.list_rrsets(RecordFilter(), limit=1000)
    return {(r.name, r.rtype, r.pool, r.owner) for r in items}


def answers(store: ZoneStore, zone: str, name: str) -> tuple[Address, ...]:
    state = store.load_state([zone])
    zone_obj, rrsets = state.zones[zone]
    data = build_zone(zone_obj, rrsets, state.pools)
    return tuple(r for r in data.nodes[name]["A"].rdatas if isinstance(r, Address))


def test_apply_registers_both_domains_on_the_istio_pool(db_url: str, seeded: ZoneStore) -> None:
    map_pools(seeded)
    result = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert records(seeded) == {
        (name, rtype, "istio-ingressgateway", owner)
        for name, owner in (("www.hello-web.com", HELLO_OWNER), ("www.wudebao-web.com", WUDEBAO_OWNER))
        for rtype in ("A", "AAAA")
    }
    assert answers(seeded, "hello-web.com", "www.hello-web.com") == (Address(ISTIO_VIP),)
    assert answers(seeded, "wudebao-web.com", "www.wudebao-web.com") == (Address(ISTIO_VIP),)
    assert "Plan: 4 to create, 0 to update, 0 to delete, 0 unchanged" in result.stdout


def test_dry_run_writes_nothing_and_rerun_changes_nothing(db_url: str, seeded: ZoneStore) -> None:
    map_pools(seeded)
    before = seeded.last_change_id()
    dry = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "+ create www.hello-web.com A ttl=300 pool=istio-ingressgateway" in dry.stdout
    assert "Dry run: nothing written." in dry.stdout
    assert seeded.last_change_id() == before and records(seeded) == set()
    assert dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS)).returncode == 0
    applied = seeded.last_change_id()
    serial = seeded.get_zone("hello-web.com").serial
    again = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS))
    assert again.returncode == 0
    assert "Plan: 0 to create, 0 to update, 0 to delete, 4 unchanged" in again.stdout
    assert seeded.last_change_id() == applied
    assert seeded.get_zone("hello-web.com").serial == serial


ISTIO = (MANIFESTS / "hello-web" / "istio.yaml").read_text()


def test_uncovered_host_fails_the_run_with_its_reason_and_the_rest_applies(
    db_url: str, seeded: ZoneStore, tmp_path: Path
) -> None:
    map_pools(seeded)
    (tmp_path / "istio.yaml").write_text(
        ISTIO.replace('hosts: ["www.hello-web.com"]', 'hosts: ["www.hello-web.com", "hello-web.com"]')
    )
    result = dnsd(db_url, "k8s", "apply", "-f", str(tmp_path))
    assert result.returncode == 1
    assert (
        f"x rejected {HELLO_OWNER} hello-web.com: spec.hosts[1]: not covered by the hosts of gateway"
        " default/hello-web-gateway (*/*.hello-web.com); it would resolve to a 404"
    ) in result.stdout
    assert {r[0] for r in records(seeded)} == {"www.hello-web.com"}


def test_a_name_held_by_another_owner_is_a_conflict_and_left_alone(db_url: str, seeded: ZoneStore) -> None:
    map_pools(seeded)
    seeded.put_rrset(make_rrset("www.hello-web.com", "TXT", 60, "user:alice", ['"mine"']), "test")
    result = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS))
    assert result.returncode == 1
    assert (
        f"! conflict {HELLO_OWNER} www.hello-web.com: name: held by user:alice; left alone" in result.stdout
    )
    assert {r for r in records(seeded) if r[0] == "www.hello-web.com"} == {
        ("www.hello-web.com", "TXT", None, "user:alice")
    }
    assert {r[0] for r in records(seeded) if r[3] == WUDEBAO_OWNER} == {"www.wudebao-web.com"}


def test_hosts_removed_from_a_manifest_are_deleted_other_owners_kept(
    db_url: str, seeded: ZoneStore, tmp_path: Path
) -> None:
    map_pools(seeded)
    seeded.put_rrset(make_rrset("api.hello-web.com", "A", 60, "k8s:other/service/api", ["10.1.1.1"]), "test")
    manifest = tmp_path / "istio.yaml"
    manifest.write_text(
        ISTIO.replace('hosts: ["www.hello-web.com"]', 'hosts: ["www.hello-web.com", "app.hello-web.com"]')
    )
    assert dnsd(db_url, "k8s", "apply", "-f", str(manifest)).returncode == 0
    assert {r[0] for r in records(seeded) if r[3] == HELLO_OWNER} == {
        "www.hello-web.com",
        "app.hello-web.com",
    }
    manifest.write_text(ISTIO)
    result = dnsd(db_url, "k8s", "apply", "-f", str(manifest))
    assert result.returncode == 0
    assert (
        f"- delete app.hello-web.com A ttl=300 pool=istio-ingressgateway owner={HELLO_OWNER}" in result.stdout
    )
    assert {r[0] for r in records(seeded) if r[3] == HELLO_OWNER} == {"www.hello-web.com"}
    assert ("api.hello-web.com", "A", None, "k8s:other/service/api") in records(seeded)


def test_stdin_mapping_file_and_json_output(db_url: str, seeded: ZoneStore, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("gateways:\n  - selector: {istio: ingressgateway}\n    pool: legacy-ingress\n")
    result = dnsd(db_url, "--json", "k8s", "apply", "-f", "-", "--mapping", str(mapping), stdin=ISTIO)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert {(s["action"], s["name"], s["type"], s["pool"]) for s in body["steps"]} == {
        ("create", "www.hello-web.com", "A", "legacy-ingress"),
        ("create", "www.hello-web.com", "AAAA", "legacy-ingress"),
    }
    assert body["problems"] == [] and body["dry_run"] is False


def test_hosts_outside_our_zones_are_skipped_not_failed(
    db_url: str, seeded: ZoneStore, tmp_path: Path
) -> None:
    map_pools(seeded)
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  annotations:\n"
        "    dnsd.io/hostnames: api.hello-web.com,api.example.org\nspec: {ports: [{port: 80}]}\n"
    )
    result = dnsd(db_url, "k8s", "apply", "-f", str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert (
        ". skip api.example.org (k8s:default/service/api): no zone served by dnsd contains it"
        in result.stdout
    )
    assert {r[0] for r in records(seeded)} == {"api.hello-web.com"}


def test_bad_yaml_names_the_file_and_writes_nothing(db_url: str, seeded: ZoneStore, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("kind: [unclosed\n")
    result = dnsd(db_url, "k8s", "apply", "-f", str(tmp_path))
    assert result.returncode == 2  # invalid input
    assert "broken.yaml: not valid YAML/JSON" in result.stderr
    assert records(seeded) == set()


def test_mapping_cli_set_list_rm_and_validation(db_url: str, seeded: ZoneStore) -> None:
    missing = dnsd(db_url, "k8s", "mapping", "set", "ingress-class", "nginx", "no-such-pool")
    assert missing.returncode == 1 and "pool 'no-such-pool' not found" in missing.stderr
    bad = dnsd(db_url, "k8s", "mapping", "set", "gateway", "istio", "Bad Pool!")
    assert bad.returncode == 2
    assert "key: 'istio' is not label=value" in bad.stderr and "pool: pool names are" in bad.stderr
    assert (
        dnsd(
            db_url, "k8s", "mapping", "set", "gateway", "istio=ingressgateway,app=x", "istio-ingressgateway"
        ).returncode
        == 0
    )
    listed = json.loads(dnsd(db_url, "--json", "k8s", "mapping", "list").stdout)
    assert listed == [
        {"kind": "gateway", "key": "app=x,istio=ingressgateway", "pool": "istio-ingressgateway"}
    ]
    removed = dnsd(db_url, "k8s", "mapping", "rm", "gateway", "istio=ingressgateway,app=x")
    assert removed.returncode == 0, removed.stderr
    assert json.loads(dnsd(db_url, "--json", "k8s", "mapping", "list").stdout) == []
    again = dnsd(db_url, "k8s", "mapping", "rm", "default")
    assert again.returncode == 1 and "mapping 'default' not found" in again.stderr
    actions = [c.action for c in seeded.list_changes()]
    assert actions.count("k8s.mapping.set") == 1 and actions.count("k8s.mapping.delete") == 1
