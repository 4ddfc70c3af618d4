"""`dnsd k8s` and a ``shift`` mapping entry: a name moving onto that pool starts a shift instead
of a hard move (the leader takes the steps; docs/steering.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnsd.domain.errors import InvalidInput
from dnsd.domain.k8s import make_entry, mapping_from_document
from dnsd.domain.plan import CREATE, DELETE, Plan, Step
from dnsd.domain.records import make_rrset
from dnsd.k8s.sinks import StoreSink, execute
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.records import RecordFilter
from dnsd.store.zonestore import ZoneStore
from tests.k8s.conftest import MANIFESTS, dnsd

HELLO_OWNER = "k8s:default/virtualservice/hello-web"


def test_mapping_entry_and_document() -> None:
    entry = make_entry("shift", "5,25,50,100/10m", "istio-ingressgateway")
    assert entry.key == "5,25,50,100/600"
    doc = {
        "default": "legacy-ingress",
        "shifts": {"istio-ingressgateway": {"steps": [10, 100], "every": "30s"}},
    }
    mapping = mapping_from_document(doc)
    assert mapping.shift_for("istio-ingressgateway") == ((10, 100), 30.0)
    assert mapping.shift_for("legacy-ingress") is None
    with pytest.raises(InvalidInput) as bad:
        make_entry("shift", "50,20/10m", "istio-ingressgateway")
    assert bad.value.reasons[0].field == "key" and "steps" in bad.value.reasons[0].message


def records(store: ZoneStore) -> set[tuple[str, str, str | None, str]]:
    items, _ = store.list_rrsets(RecordFilter(name="www.hello-web.com"), limit=100)
    return {(r.name, r.rtype, r.pool, r.owner) for r in items}


def test_apply_starts_a_shift_instead_of_a_hard_move(db_url: str, seeded: ZoneStore, tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.yaml"
    legacy.write_text("gateways:\n  - selector: {istio: ingressgateway}\n    pool: legacy-ingress\n")
    first = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS), "--mapping", str(legacy))
    assert first.returncode == 0, first.stdout + first.stderr
    on_legacy = {("www.hello-web.com", t, "legacy-ingress", HELLO_OWNER) for t in ("A", "AAAA")}
    assert records(seeded) == on_legacy

    moved = tmp_path / "istio.yaml"
    moved.write_text(
        "gateways:\n  - selector: {istio: ingressgateway}\n    pool: istio-ingressgateway\n"
        "shifts:\n  istio-ingressgateway: {steps: [5, 50, 100], every: 1m}\n"
    )
    second = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS), "--mapping", str(moved))
    assert second.returncode == 0, second.stdout + second.stderr
    assert records(seeded) == on_legacy  # no hard move: still answering from legacy
    shifts = seeded.list_shifts()  # one per name moving: www.hello-web.com, www.wudebao-web.com
    expected = ("running", "istio-ingressgateway", (5, 50, 100), 60)
    assert [(s.status, s.target, s.steps, s.every) for s in shifts] == [expected] * 2
    shifted = {(r.name, r.rtype) for s in shifts for r in s.records}
    assert shifted == {(n, t) for n in ("www.hello-web.com", "www.wudebao-web.com") for t in ("A", "AAAA")}
    before = seeded.last_change_id()
    third = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS), "--mapping", str(moved))
    assert third.returncode == 0, third.stderr
    assert len(seeded.list_shifts()) == 2  # the running shifts are left to do their work
    assert [c.action for c in seeded.list_changes(after_id=before)] == []
    for shift in shifts:
        seeded.control_shift(shift.id, "abort", "user:ops")
    fourth = dnsd(db_url, "k8s", "apply", "-f", str(MANIFESTS), "--mapping", str(moved))
    assert fourth.returncode == 0, fourth.stderr
    assert records(seeded) == on_legacy and len(seeded.list_shifts()) == 2  # aborted stays aborted


def test_a_name_taken_over_by_another_object_is_handed_over_then_shifted(seeded: ZoneStore) -> None:
    K8sOps(seeded.engine).set_mapping(make_entry("shift", "5,100/60", "istio-ingressgateway"), "test")
    ingress = "k8s:default/ingress/hello-web"
    old = seeded.put_rrset(
        make_rrset("www.hello-web.com", "A", 300, ingress, pool="legacy-ingress"), "test"
    ).rrset
    new = make_rrset("www.hello-web.com", "A", 300, HELLO_OWNER, pool="istio-ingressgateway")
    outcome = execute(Plan((Step(DELETE, old), Step(CREATE, new))), StoreSink(seeded, "k8s:controller"))
    assert outcome.problems == []
    assert records(seeded) == {("www.hello-web.com", "A", "legacy-ingress", HELLO_OWNER)}
    [shift] = seeded.list_shifts()
    assert shift.target == "istio-ingressgateway" and shift.status == "running"
    handed = [c for c in seeded.list_changes(limit=100) if c.action == "record.update"][-1]
    assert handed.before is not None and handed.before["owner"] == ingress
    assert handed.after is not None and handed.after["owner"] == HELLO_OWNER and handed.zones == ()


def test_mapping_cli_sets_a_shift_entry(db_url: str, seeded: ZoneStore) -> None:
    assert dnsd(db_url, "k8s", "mapping", "set", "shift", "5,100/1m", "istio-ingressgateway").returncode == 0
    listed = dnsd(db_url, "k8s", "mapping", "list").stdout
    assert "shift" in listed and "5,100/60" in listed and "istio-ingressgateway" in listed
    assert K8sOps(seeded.engine).pool_mapping().shift_for("istio-ingressgateway") == ((5, 100), 60.0)
    bad = dnsd(db_url, "k8s", "mapping", "set", "shift", "5,50/1m", "istio-ingressgateway")
    assert bad.returncode != 0 and "end at 100" in bad.stderr
