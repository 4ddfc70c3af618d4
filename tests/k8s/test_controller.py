"""The controller, driven through the real `kubernetes` client against the fake API server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from api.app import create_app
from dnsd.config import Settings
from dnsd.domain.k8s import make_entry
from dnsd.domain.records import make_rrset
from dnsd.k8s.controller import Controller, ControllerOptions
from dnsd.k8s.kubeapi import Connection, api_client
from dnsd.k8s.sinks import StoreSink
from dnsd.k8s.watcher import WatchOptions
from dnsd.store.k8s_ops import K8sOps
from dnsd.store.records import RecordFilter
from dnsd.store.sync_status import SyncStatusStore
from dnsd.store.zonestore import ZoneStore
from tests import helpers
from tests.api.harness import TestClient, bearer
from tests.k8s.conftest import dnsd
from tests.k8s.fake_apiserver import FakeApiServer

FAST = WatchOptions(timeout_seconds=30, backoff_initial=0.05, backoff_max=0.5, absent_retry=1.0)
HELLO = "k8s:default/virtualservice/hello-web"


def gateway(
    name: str = "hello-web-gateway", hosts: tuple[str, ...] = ("*.hello-web.com",), ns: str = "default"
) -> dict[str, Any]:
    return {
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "selector": {"istio": "ingressgateway"},
            "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": list(hosts)}],
        },
    }


def virtualservice(
    name: str = "hello-web",
    hosts: tuple[str, ...] = ("www.hello-web.com",),
    ns: str = "default",
    gateways: tuple[str, ...] = ("hello-web-gateway",),
    **annotations: str,
) -> dict[str, Any]:
    return {
        "kind": "VirtualService",
        "metadata": {"name": name, "namespace": ns, "annotations": annotations},
        "spec": {
            "hosts": list(hosts),
            "gateways": list(gateways),
            "http": [{"route": [{"destination": {"host": name}}]}],
        },
    }


def service(name: str, hostnames: str, ns: str = "default") -> dict[str, Any]:
    return {
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "annotations": {"dnsd.io/hostnames": hostnames}},
        "spec": {"ports": [{"port": 80}]},
    }


def ingress(name: str, host: str, cls: str = "nginx") -> dict[str, Any]:
    rule = {
        "host": host,
        "http": {
            "paths": [
                {
                    "path": "/",
                    "pathType": "Prefix",
                    "backend": {"service": {"name": name, "port": {"number": 80}}},
                }
            ]
        },
    }
    return {
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"ingressClassName": cls, "rules": [rule]},
    }


def owned(store: ZoneStore, rtype: str = "A") -> dict[str, tuple[str | None, int, str]]:
    """name -> (pool, ttl, owner) of every record of ``rtype``."""
    items, _ = store.list_rrsets(RecordFilter(type=rtype), limit=1000)
    return {r.name: (r.pool, r.ttl, r.owner) for r in items}


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Bounded wait for state the controller produces asynchronously."""
    helpers.wait_for(predicate, what, timeout, interval=0.05)


@pytest.fixture
def mapped(seeded: ZoneStore) -> ZoneStore:
    k8s = K8sOps(seeded.engine)
    k8s.set_mapping(make_entry("gateway", "istio=ingressgateway", "istio-ingressgateway"), "test")
    k8s.set_mapping(make_entry("ingress-class", "nginx", "legacy-ingress"), "test")
    k8s.set_mapping(make_entry("default", "", "istio-ingressgateway"), "test")
    return seeded


@contextmanager
def running(server: FakeApiServer, store: ZoneStore, **options: Any) -> Iterator[Controller]:
    opts = ControllerOptions(watch=FAST, **options)
    controller = Controller(
        api_client(Connection(api_server=server.url)),
        StoreSink(store, opts.actor),
        SyncStatusStore(store.engine),
        opts,
    )
    thread = threading.Thread(target=controller.run, daemon=True)
    thread.start()
    try:
        yield controller
    finally:
        controller.shutdown()
        thread.join(10)
        assert not thread.is_alive(), "the controller did not stop"


def both(store: ZoneStore) -> dict[str, tuple[str | None, int, str]]:
    """name -> (pool, ttl, owner), only for names whose A and AAAA agree (both written)."""
    a, aaaa = owned(store, "A"), owned(store, "AAAA")
    return {name: value for name, value in a.items() if aaaa.get(name) == value}


@pytest.mark.parametrize("istio_version", ["v1", "v1beta1", "v1alpha3"])
def test_add_modify_delete_propagate_to_the_store(mapped: ZoneStore, istio_version: str) -> None:
    istio = "istio-ingressgateway"
    with FakeApiServer((istio_version,)) as server, running(server, mapped) as controller:
        server.apply(gateway())
        server.apply(virtualservice())
        wait_for(lambda: both(mapped) == {"www.hello-web.com": (istio, 300, HELLO)}, "ADDED")

        server.apply(
            virtualservice(hosts=("www.hello-web.com", "app.hello-web.com"), **{"dnsd.io/ttl": "60"})
        )
        expected = {"www.hello-web.com": (istio, 60, HELLO), "app.hello-web.com": (istio, 60, HELLO)}
        wait_for(lambda: both(mapped) == expected, "MODIFIED")

        server.apply(ingress("shop", "shop.hello-web.com"))
        server.apply(service("api", "api.wudebao-web.com", ns="team-a"))
        expected |= {
            "shop.hello-web.com": ("legacy-ingress", 300, "k8s:default/ingress/shop"),
            "api.wudebao-web.com": (istio, 300, "k8s:team-a/service/api"),
        }
        wait_for(lambda: both(mapped) == expected, "an Ingress and a Service ADDED")

        server.delete("VirtualService", "hello-web")
        del expected["www.hello-web.com"], expected["app.hello-web.com"]
        wait_for(lambda: both(mapped) == expected and owned(mapped).keys() == expected.keys(), "DELETED")
        assert controller.reconciles >= 2


def test_gateway_change_re_derives_its_virtualservices(mapped: ZoneStore) -> None:
    with FakeApiServer() as server, running(server, mapped):
        server.apply(gateway())
        server.apply(virtualservice())
        wait_for(lambda: "www.hello-web.com" in owned(mapped), "the record")
        server.apply(gateway(hosts=("shop.hello-web.com",)))  # no longer covers www
        k8s = K8sOps(mapped.engine)
        wait_for(
            lambda: "www.hello-web.com" not in owned(mapped) and bool(k8s.list_problems()), "a rejection"
        )
        [problem] = k8s.list_problems()
        assert (problem.owner, problem.host, problem.kind) == (HELLO, "www.hello-web.com", "rejected")
        assert "not covered by the hosts of gateway default/hello-web-gateway" in problem.message


def test_bookmarks_advance_the_resource_version_the_watch_resumes_from(mapped: ZoneStore) -> None:
    with FakeApiServer() as server, running(server, mapped) as controller:
        server.apply(service("api", "api.hello-web.com"))
        wait_for(lambda: "api.hello-web.com" in owned(mapped), "the Service's record")
        wait_for(lambda: len(server.watch_requests("services")) >= 1, "the watch")
        revision = server.bookmark()
        wait_for(lambda: controller.bookmarks >= 4, "a BOOKMARK on each of the four watches")
        server.block_watches()  # ends every stream; the client re-watches from its last version
        server.unblock_watches()
        wait_for(
            lambda: any(
                q.get("resourceVersion") == [str(revision)] for q in server.watch_requests("services")
            ),
            "a watch resumed from the bookmark's resourceVersion",
        )
        assert all(q.get("allowWatchBookmarks") == ["true"] for q in server.watch_requests("services"))
        lists = [path for path, q in server.requests if path.endswith("/services") and not q.get("watch")]
        assert len(lists) == 1  # resumed, not relisted


def test_410_gone_relists_and_drops_what_was_deleted_meanwhile(mapped: ZoneStore) -> None:
    with FakeApiServer() as server, running(server, mapped):
        server.apply(gateway())
        server.apply(virtualservice())
        server.apply(virtualservice("keep", hosts=("keep.hello-web.com",)))
        wait_for(lambda: {"www.hello-web.com", "keep.hello-web.com"} <= set(owned(mapped)), "both records")
        server.block_watches()  # the controller is cut off (and retries with backoff, getting 503)
        server.delete("VirtualService", "hello-web")
        server.compact()  # the DELETED event is gone from history: only a relist can reveal it
        server.unblock_watches()
        wait_for(lambda: "www.hello-web.com" not in owned(mapped), "the relist to remove the record")
        assert "keep.hello-web.com" in owned(mapped)
        lists = [
            path for path, q in server.requests if path.endswith("/virtualservices") and not q.get("watch")
        ]
        assert len(lists) >= 2


def test_restart_reconciles_away_objects_deleted_while_down(mapped: ZoneStore) -> None:
    mapped.put_rrset(make_rrset("ci.hello-web.com", "A", 60, "ci:pipeline-42", ["10.9.9.9"]), "test")
    with FakeApiServer() as server:
        server.apply(gateway())
        server.apply(virtualservice())
        server.apply(virtualservice("keep", hosts=("keep.hello-web.com",)))
        with running(server, mapped):
            wait_for(
                lambda: {"www.hello-web.com", "keep.hello-web.com"} <= set(owned(mapped)), "both records"
            )
        server.delete("VirtualService", "hello-web")  # while no controller runs
        with running(server, mapped) as controller:
            wait_for(lambda: controller.reconciles >= 1, "the first reconcile")
            assert set(owned(mapped)) == {"keep.hello-web.com", "ci.hello-web.com"}
            assert owned(mapped)["ci.hello-web.com"] == (None, 60, "ci:pipeline-42")


def test_conflicts_with_other_owners_are_left_alone_reported_then_resolved(mapped: ZoneStore) -> None:
    alice = mapped.put_rrset(make_rrset("www.hello-web.com", "A", 60, "user:alice", ["10.7.7.7"]), "test")
    k8s = K8sOps(mapped.engine)
    with FakeApiServer() as server, running(server, mapped, resync_seconds=0.3):
        server.apply(gateway())
        server.apply(virtualservice())
        wait_for(lambda: bool(k8s.list_problems()), "the conflict to be stored")
        [problem] = k8s.list_problems()
        assert (problem.owner, problem.host, problem.holder, problem.kind) == (
            HELLO,
            "www.hello-web.com",
            "user:alice",
            "conflict",
        )
        assert owned(mapped)["www.hello-web.com"] == (None, 60, "user:alice")
        assert alice.rrset.id is not None
        mapped.delete_rrset(alice.rrset.id, "test")
        wait_for(
            lambda: owned(mapped).get("www.hello-web.com") == ("istio-ingressgateway", 300, HELLO),
            "the name taken",
        )
        wait_for(lambda: not k8s.list_problems(), "the conflict resolved")


def test_namespace_scope_leaves_other_namespaces_alone(mapped: ZoneStore) -> None:
    mapped.put_rrset(
        make_rrset("other.hello-web.com", "A", 60, "k8s:team-b/service/x", pool="istio-ingressgateway"),
        "test",
    )
    with FakeApiServer(()) as server:  # no Istio installed: Services and Ingresses still work
        server.apply(service("api", "api.hello-web.com", ns="team-a"))
        server.apply(service("web", "web.hello-web.com", ns="team-b"))
        with running(server, mapped, namespaces=("team-a",)) as controller:
            wait_for(lambda: "api.hello-web.com" in owned(mapped), "team-a's record")
            wait_for(lambda: controller.reconciles >= 1, "a reconcile")
            assert set(owned(mapped)) == {"api.hello-web.com", "other.hello-web.com"}
        paths = {path for path, _ in server.requests}
        assert "/api/v1/namespaces/team-a/services" in paths and "/api/v1/services" not in paths


def test_watch_once_cli_against_the_api_server(db_url: str, mapped: ZoneStore) -> None:
    with FakeApiServer(("v1alpha3",)) as server:
        server.apply(gateway())
        server.apply(virtualservice())
        result = dnsd(db_url, "k8s", "watch", "--once", "--api-server", server.url)
        assert result.returncode == 0, result.stderr
    assert owned(mapped)["www.hello-web.com"] == ("istio-ingressgateway", 300, HELLO)
    assert "+ create www.hello-web.com A" in result.stderr  # the controller logs each step


def test_stop_returns_promptly_even_with_the_api_server_hanging(mapped: ZoneStore) -> None:
    """Issue 11 (8): SIGTERM (``request_stop``) ends the controller promptly, even while
    every list call hangs on an unresponsive API server (it used to wait 5 s per watcher)."""
    with FakeApiServer() as server:
        server.stall_lists()
        opts = ControllerOptions(watch=FAST)
        controller = Controller(
            api_client(Connection(api_server=server.url)),
            StoreSink(mapped, opts.actor),
            SyncStatusStore(mapped.engine),
            opts,
        )
        thread = threading.Thread(target=controller.run, daemon=True)
        thread.start()
        wait_for(lambda: len(server.requests) >= 4, "the four lists to hang")
        controller.request_stop()
        # a deadline, not a timing figure: before, each hanging watcher held the exit 5 s (20.9 s)
        thread.join(4)
        assert not thread.is_alive(), "the controller was still running 4 s after request_stop()"


def _seven(server: FakeApiServer) -> None:
    server.apply(gateway())
    for i in range(7):
        server.apply(virtualservice(f"app{i}", hosts=(f"app{i}.hello-web.com",)))


APPS = {f"app{i}.hello-web.com" for i in range(7)}


def test_held_deletes_survive_an_event_and_the_resync_until_approved(db_url: str, mapped: ZoneStore) -> None:
    """Issue 11 (7): 3 of 7 VirtualServices deleted while the controller was down. The deletes
    (6 of 14 records) are held, visibly, through an unrelated event and resyncs, until approved."""
    statuses = SyncStatusStore(mapped.engine)
    with FakeApiServer() as server:
        _seven(server)
        with running(server, mapped):
            wait_for(lambda: set(owned(mapped)) >= APPS, "seven records")
        for i in range(3):
            server.delete("VirtualService", f"app{i}")
        with running(server, mapped, resync_seconds=0.3, approval_poll_seconds=0.1) as controller:
            wait_for(lambda: controller.reconciles >= 1, "the first reconcile")
            server.apply(virtualservice("unrelated", hosts=("new.hello-web.com",)))
            wait_for(lambda: "new.hello-web.com" in owned(mapped), "the unrelated event applied")
            settled = controller.reconciles
            wait_for(lambda: controller.reconciles >= settled + 3, "three resyncs")
            assert set(owned(mapped)) >= APPS  # still held
            status = statuses.get_sync_status("k8s", "k8s:")
            assert status is not None and (status.result, status.deletes) == ("held", 6)
            assert "dnsd k8s approve" in status.message and "app0.hello-web.com" in status.message
            admin = mapped.create_token("ops", "write")[1]
            with TestClient(create_app(Settings(database_url=db_url))) as client:
                seen = client.get("/k8s/status", headers=bearer(admin)).json()
                assert (seen["result"], seen["deletes_held"], seen["scope"]) == ("held", 6, "k8s:")
                assert 'dnsd_k8s_deletes_held{scope="k8s:"} 6.0' in client.get("/metrics").text
                answer = client.post("/k8s/approve", headers=bearer(admin))
                assert answer.status_code == 200, answer.text
            gone = {f"app{i}.hello-web.com" for i in range(3)}
            wait_for(lambda: not gone & set(owned(mapped)), "the approved deletes")
            assert set(owned(mapped)) == APPS - {f"app{i}.hello-web.com" for i in range(3)} | {
                "new.hello-web.com"
            }
            wait_for(
                lambda: (statuses.get_sync_status("k8s", "k8s:") or status).result == "applied", "status"
            )


def test_the_guard_holds_deletes_of_any_reconcile_and_force_approves_them_at_start(mapped: ZoneStore) -> None:
    with FakeApiServer() as server:
        _seven(server)
        with running(server, mapped, resync_seconds=0.3) as controller:
            wait_for(lambda: set(owned(mapped)) >= APPS, "seven records")
            server.block_watches()  # while it runs (not the first reconcile), one relist (410)
            for i in range(3):  # brings the three deletes at once: 6 of 14 records
                server.delete("VirtualService", f"app{i}")
            server.compact()
            server.unblock_watches()
            wait_for(lambda: len(controller.guard.held) == 6, "the deletes held")
            settled = controller.reconciles
            wait_for(lambda: controller.reconciles >= settled + 2, "two resyncs")
            assert set(owned(mapped)) >= APPS
        with running(server, mapped, force=True) as controller:
            wait_for(
                lambda: not APPS & {"app0.hello-web.com", "app2.hello-web.com"} & set(owned(mapped)),
                "--force",
            )
            assert not controller.guard.held
