"""Metrics: the DNS side's counters from a running server, the standalone metrics port of
``dnsd serve-dns``, and the API's ``/metrics`` with request counts by route template."""

from __future__ import annotations

import httpx
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from dnsd.config import Settings
from dnsd.metrics import count_transfer, make_registry
from dnsd.server.metrics import DnsCollector
from dnsd.store.zonestore import ZoneStore
from tests.api.harness import TestClient
from tests.e2e.conftest import ZONE, ServerThread, tcp, udp
from tests.ops_server.conftest import Proc


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_dns_metrics_count_by_transport_qtype_rcode(dns_server: ServerThread, zone_store: ZoneStore) -> None:
    for _ in range(5):
        udp(dns_server.port, f"www.{ZONE}")  # the first is a miss, the rest cache hits
    for _ in range(3):
        udp(dns_server.port, f"nothing.{ZONE}")
    udp(dns_server.port, f"www.{ZONE}", "AAAA")
    for _ in range(2):
        tcp(dns_server.port, f"www.{ZONE}")
    count_transfer("axfr", "refused")
    server = dns_server.server
    assert server is not None
    found = samples(dns_server.call(lambda: generate_latest(make_registry(DnsCollector(server))).decode()))
    responses = "dnsd_dns_responses_total"
    assert value(found, responses, transport="udp", qtype="A", rcode="NOERROR") == 5
    assert value(found, responses, transport="udp", qtype="A", rcode="NXDOMAIN") == 3
    assert value(found, responses, transport="udp", qtype="AAAA", rcode="NOERROR") == 1
    assert value(found, responses, transport="tcp", qtype="A", rcode="NOERROR") == 2
    assert value(found, "dnsd_dns_answer_seconds_count", transport="udp") == 9
    assert value(found, "dnsd_dns_answer_seconds_bucket", transport="tcp", le="+Inf") == 2
    assert value(found, "dnsd_zone_serial", zone=ZONE) == zone_store.get_zone(ZONE).serial
    assert value(found, "dnsd_ready") == 1
    assert value(found, "dnsd_feed_lag_changes") == 0
    assert value(found, "dnsd_feed_applied_change_id") > 0
    assert value(found, "dnsd_transfers_total", kind="axfr", result="refused") >= 1


def test_serve_dns_alone_has_a_metrics_port(spawn: type[Proc], zone_store: ZoneStore, db_url: str) -> None:
    proc = spawn(["--database-url", db_url, "serve-dns", "--port", "0"], DNSD_METRICS_PORT="0")
    metrics_port, dns_port = proc.wait_line("metrics"), proc.wait_line("DNS")
    udp(dns_port, f"www.{ZONE}")
    response = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5)
    assert response.status_code == 200
    found = samples(response.text)
    assert value(found, "dnsd_dns_responses_total", transport="udp", qtype="A", rcode="NOERROR") == 1
    assert value(found, "dnsd_zone_serial", zone=ZONE) == zone_store.get_zone(ZONE).serial
    assert httpx.get(f"http://127.0.0.1:{metrics_port}/other", timeout=5).status_code == 404


def test_api_metrics_count_requests_by_route_template(zone_store: ZoneStore, db_url: str) -> None:
    app = create_app(Settings(database_url=db_url, auth_disabled=True), zone_store)
    with TestClient(app) as client:
        assert client.get(f"/zones/{ZONE}").status_code == 200
        assert client.get("/zones/other.test").status_code == 200
        assert client.get("/zones/missing.test").status_code == 404
        assert client.get("/no/such/path").status_code == 404
        found = samples(client.get("/metrics").text)
    requests = "dnsd_api_requests_total"
    assert value(found, requests, method="GET", route="/zones/{name}", status="200") == 2
    assert value(found, requests, method="GET", route="/zones/{name}", status="404") == 1
    assert value(found, requests, method="GET", route="unmatched", status="404") == 1
