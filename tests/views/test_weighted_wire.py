"""Weighted answers through real sockets (issue 14): 10,000 clients (source addresses, or ECS
subnets from a trusted resolver) split within 2 points of the weights, every answer equal to
:func:`dnsd.domain.selection.select` for that client (a differential test through the wire),
``hashed`` stable per subnet, ``random`` split per query, and fail open answering everything."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from dnsd.domain.pools import make_pool
from dnsd.domain.records import RRset, make_rrset
from dnsd.domain.selection import Client, Steered, health_from_states, select
from dnsd.domain.views import ViewMatcher, make_views
from dnsd.server.serving import FailOpenCounter
from tests.e2e.conftest import ServerThread
from tests.views.harness import ZONE, Blaster, addresses, query, scope, serve, server

WWW = f"www.{ZONE}"
OWNER = "ci:steer"
ISTIO = make_pool("istio-ingressgateway", ["10.0.0.1", "10.0.0.2"], view_members={"dc-a": ["10.1.0.1"]})
LEGACY = make_pool("legacy-ingress", ["10.0.1.1"], view_members={"dc-a": ["10.1.1.1"]})
POOLS = [ISTIO, LEGACY]
VIEWS = make_views([("dc-a", ["127.200.0.0/16", "10.200.0.0/16"])])
WEIGHTS = {"istio-ingressgateway": 10, "legacy-ingress": 90}
N = 10_000
MATCHER = ViewMatcher(VIEWS)
MEMBERS = {p.name: p.members for p in POOLS}


def weighted(name: str = WWW, mode: str = "hashed") -> RRset:
    return make_rrset(name, "A", 300, OWNER, targets=WEIGHTS, mode=mode)


def expected(record: RRset, client: Client, states: dict[tuple[str, ...], str] | None = None) -> list[str]:
    steered = Steered(record.name, "A", record.pool_targets, record.mode)
    return sorted(select(steered, client, MATCHER, MEMBERS, health_from_states(states or {})).addresses)


@pytest.fixture(scope="module")
def server_thread(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[ServerThread]:
    with server(tmp_path_factory.mktemp("weighted"), sqlite_template, ecs_trusted="127.0.0.53") as thread:
        yield thread


def source(i: int) -> str:
    """The i-th client: a source address in its own /24 (the hash keeps /24)."""
    return f"127.{10 + i // 250}.{i % 250}.1"


def within_two_points(counts: Counter[str], total: int, shares: dict[str, float]) -> None:
    for address, share in shares.items():
        assert abs(counts[address] / total - share) <= 0.02, (address, counts[address], total)


def test_hashed_split_by_source_address_matches_select(server_thread: ServerThread) -> None:
    record = weighted()
    serve(server_thread, [record], POOLS, VIEWS)
    blaster = Blaster(server_thread.port)
    answers = Counter()
    for i in range(N):
        got = blaster.ask(WWW, source(i))
        assert got == expected(record, Client(source(i), 32)), source(i)
        answers[" ".join(got)] += 1
    within_two_points(answers, N, {"10.0.0.1 10.0.0.2": 0.10, "10.0.1.1": 0.90})
    # stable: every client asked again (now from the cache's memo) gets the same answer
    for i in range(0, N, 7):
        assert blaster.ask(WWW, source(i)) == expected(record, Client(source(i), 32))
    # another host in the same /24 gets the same answer
    for i in range(0, 500, 5):
        assert blaster.ask(WWW, source(i).rsplit(".", 1)[0] + ".77") == expected(
            record, Client(source(i), 32)
        )


def test_hashed_split_by_trusted_ecs_subnet_with_scope(server_thread: ServerThread) -> None:
    record = weighted()
    serve(server_thread, [record], POOLS, VIEWS)
    answers = Counter()
    blaster = Blaster(server_thread.port)
    for i in range(N):
        subnet = f"10.{i // 256 % 200}.{i % 256}.0" if i < 200 * 256 else ""
        got = blaster.ask(WWW, "127.0.0.53", ecs=(subnet, 24))
        want = expected(record, Client(subnet, 24, trusted_ecs=True))
        assert got == want, subnet
        answers[" ".join(got)] += 1
    within_two_points(answers, N, {"10.0.0.1 10.0.0.2": 0.10, "10.0.1.1": 0.90})
    # a hashed choice between targets raises the scope to /24 (the default view matched /0),
    # and to max(16, 24) in a view matched at /16; the dc-a view answers its own members
    response = query(server_thread.port, WWW, source="127.0.0.53", ecs=("10.9.8.0", 24))
    assert scope(response) == 24
    response = query(server_thread.port, WWW, source="127.0.0.53", ecs=("10.200.8.0", 24))
    assert scope(response) == 24
    assert addresses(response) in (["10.1.0.1"], ["10.1.1.1"])
    for i in range(200):
        subnet = f"10.200.{i}.0"
        want = expected(record, Client(subnet, 24, trusted_ecs=True))
        assert Blaster(server_thread.port).ask(WWW, "127.0.0.53", ecs=(subnet, 24)) == want
        assert want in (["10.1.0.1"], ["10.1.1.1"])


def test_views_split_too_from_source_addresses(server_thread: ServerThread) -> None:
    record = weighted()
    serve(server_thread, [record], POOLS, VIEWS)
    blaster = Blaster(server_thread.port)
    answers = Counter()
    for i in range(2000):
        address = f"127.200.{i // 250}.{i % 250 + 1}"  # dc-a, 8 /24s: 8 hashed answers
        got = blaster.ask(WWW, address)
        assert got == expected(record, Client(address, 32))
        answers[" ".join(got)] += 1
    assert set(answers) <= {"10.1.0.1", "10.1.1.1"}


def test_random_splits_per_query_from_one_source(server_thread: ServerThread) -> None:
    record = weighted(mode="random")
    serve(server_thread, [record], POOLS, VIEWS)
    blaster = Blaster(server_thread.port)
    answers = Counter(" ".join(blaster.ask(WWW, "127.0.0.9")) for _ in range(N))
    within_two_points(answers, N, {"10.0.0.1 10.0.0.2": 0.10, "10.0.1.1": 0.90})
    ecs = Counter(" ".join(blaster.ask(WWW, "127.0.0.53", ecs=("10.9.0.0", 24))) for _ in range(2000))
    assert len(ecs) == 2  # random with ECS: both targets from one subnet
    # random: no raise to /24, the default view's scope (10.9/16 and 10.200/16 share 8 bits)
    assert scope(query(server_thread.port, WWW, source="127.0.0.53", ecs=("10.9.0.0", 24))) == 9


def test_an_unhealthy_target_leaves_the_answer(server_thread: ServerThread) -> None:
    record = weighted()
    states = {("legacy-ingress", "10.0.1.1"): "down"}
    serve(server_thread, [record], POOLS, VIEWS, states)
    blaster = Blaster(server_thread.port)
    for i in range(300):
        assert blaster.ask(WWW, source(i)) == ["10.0.0.1", "10.0.0.2"]
    # route-aware state for another name does not matter; one for this name does
    states = {("istio-ingressgateway", "10.0.0.1", "other.hello-web.com"): "down",
              ("istio-ingressgateway", "10.0.0.2", WWW): "down"}  # fmt: skip
    serve(
        server_thread, [make_rrset(WWW, "A", 300, OWNER, pool="istio-ingressgateway")], POOLS, VIEWS, states
    )
    assert blaster.ask(WWW, "127.0.0.1") == ["10.0.0.1"]


def test_fail_open_answers_every_member_and_warns(
    server_thread: ServerThread, caplog: pytest.LogCaptureFixture
) -> None:
    states = {("istio-ingressgateway", a): "down" for a in ("10.0.0.1", "10.0.0.2", "10.1.0.1")}
    states |= {("legacy-ingress", a): "down" for a in ("10.0.1.1", "10.1.1.1")}
    before = FailOpenCounter.total
    with caplog.at_level(logging.WARNING, logger="dnsd.feed"):
        serve(server_thread, [weighted(), make_rrset(f"one.{ZONE}", "A", 300, OWNER, pool="legacy-ingress")],
              POOLS, VIEWS, states)  # fmt: skip
    warnings = [r.getMessage() for r in caplog.records if "fail open" in r.getMessage()]
    assert any(WWW in w and "view default" in w for w in warnings), warnings
    assert any(WWW in w and "view dc-a" in w for w in warnings), warnings
    assert any(f"one.{ZONE}" in w for w in warnings), warnings
    assert FailOpenCounter.total - before == 4  # two RRsets, each in default and dc-a
    blaster = Blaster(server_thread.port)
    for i in range(50):
        assert blaster.ask(WWW, source(i)) == ["10.0.0.1", "10.0.0.2", "10.0.1.1"]
        assert blaster.ask(WWW, f"127.200.0.{i + 1}") == ["10.1.0.1", "10.1.1.1"]
    assert blaster.ask(f"one.{ZONE}", "127.0.0.1") == ["10.0.1.1"]


def test_wildcard_and_cname_to_a_weighted_name(server_thread: ServerThread) -> None:
    record = weighted(f"*.apps.{ZONE}")
    alias = make_rrset(f"alias.{ZONE}", "CNAME", 300, OWNER, [f"x.apps.{ZONE}"])
    serve(server_thread, [record, alias], POOLS, VIEWS)
    blaster = Blaster(server_thread.port)
    for i in range(200):
        got = blaster.ask(f"x.apps.{ZONE}", source(i))
        assert got == expected(record, Client(source(i), 32))
    for i in range(100):
        response = query(server_thread.port, f"alias.{ZONE}", source=source(i))
        assert response.answer[0].rdtype == 5  # the CNAME first
        assert addresses(response) == expected(record, Client(source(i), 32))
        assert str(response.answer[1].name).rstrip(".") == f"x.apps.{ZONE}"


def test_tcp_answers_weighted_names_per_client(server_thread: ServerThread) -> None:
    record = weighted()
    serve(server_thread, [record], POOLS, VIEWS)
    for i in range(0, 600, 3):
        got = addresses(query(server_thread.port, WWW, source=source(i), tcp=True))
        assert got == expected(record, Client(source(i), 32))
