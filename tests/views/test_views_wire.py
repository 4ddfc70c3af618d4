"""Views and ECS through real sockets (issue 15): each source address (or trusted ECS subnet)
gets its view's VIP, the ECS scope is the matched view prefix, untrusted ECS is ignored, and a
record limited to views is NXDOMAIN outside them. Clients: dnspython and the real ``dig``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.rcode
import pytest

from dnsd.domain.pools import make_pool
from dnsd.domain.records import make_rrset
from dnsd.domain.views import make_views
from tests.e2e.conftest import ServerThread, dig
from tests.views.harness import ZONE, addresses, ecs_option, query, scope, serve, server

WWW = f"www.{ZONE}"
VIEWS = make_views([("dc-a", ["127.0.1.0/24", "10.1.0.0/16"]), ("dc-b", ["127.0.2.0/24", "10.2.0.0/16"]),
                    ("office", ["127.0.3.0/24"])])  # fmt: skip
POOL = make_pool(
    "istio-ingressgateway", ["10.20.0.10"], external_addresses=["203.0.113.10"],
    view_members={"dc-a": ["10.1.0.10"], "dc-b": ["10.2.0.10", "fd00:2::10"]},
)  # fmt: skip
RECORDS = [
    make_rrset(WWW, "A", 300, "ci:views", pool="istio-ingressgateway"),
    make_rrset(WWW, "AAAA", 300, "ci:views", pool="istio-ingressgateway"),
    make_rrset(f"internal.{ZONE}", "A", 300, "ci:views", ["10.9.9.9"], views=["dc-a", "office"]),
    make_rrset(f"static.{ZONE}", "A", 300, "ci:views", ["10.8.8.8"]),
]


@pytest.fixture(scope="module", params=["mmsg", "plain"])
def server_thread(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        sqlite_template: Path) -> Iterator[ServerThread]:  # fmt: skip
    directory = tmp_path_factory.mktemp("views")
    with server(
        directory, sqlite_template, batched=request.param == "mmsg", ecs_trusted="127.0.0.53/32"
    ) as thread:
        serve(thread, RECORDS, [POOL], VIEWS)
        yield thread


@pytest.mark.parametrize(
    ("source", "expected"),
    [("127.0.1.7", ["10.1.0.10"]), ("127.0.2.9", ["10.2.0.10"]), ("127.0.3.1", ["10.20.0.10"]),
     ("127.0.0.1", ["10.20.0.10"]), ("127.9.9.9", ["10.20.0.10"])],
)  # fmt: skip
@pytest.mark.parametrize("tcp", [False, True])
def test_each_source_gets_its_views_vip(
    server_thread: ServerThread, source: str, expected: list[str], tcp: bool
) -> None:
    for _ in range(3):  # the first answer fills the view's cache; the next come from it
        assert addresses(query(server_thread.port, WWW, source=source, tcp=tcp)) == expected


def test_a_view_without_members_of_the_family_answers_none_of_it(server_thread: ServerThread) -> None:
    # dc-a has IPv4 members only: its AAAA is empty (no fallback per family), dc-b's is its own
    assert addresses(query(server_thread.port, WWW, "AAAA", source="127.0.1.7")) == []
    assert addresses(query(server_thread.port, WWW, "AAAA", source="127.0.2.7")) == ["fd00:2::10"]


def test_record_limited_to_views_is_nxdomain_outside_them(server_thread: ServerThread) -> None:
    inside = query(server_thread.port, f"internal.{ZONE}", source="127.0.1.1")
    assert addresses(inside) == ["10.9.9.9"]
    assert addresses(query(server_thread.port, f"internal.{ZONE}", source="127.0.3.200")) == ["10.9.9.9"]
    for source in ("127.0.2.1", "127.0.0.1"):
        outside = query(server_thread.port, f"internal.{ZONE}", source=source)
        assert outside.rcode() == dns.rcode.NXDOMAIN
        assert outside.authority and outside.authority[0].rdtype == 6  # the SOA
    assert addresses(query(server_thread.port, f"static.{ZONE}", source="127.0.2.1")) == ["10.8.8.8"]


@pytest.mark.parametrize(
    ("subnet", "expected", "expected_scope"),
    [(("10.1.7.0", 24), ["10.1.0.10"], 16), (("10.2.0.0", 16), ["10.2.0.10"], 16),
     (("10.0.0.0", 8), ["10.20.0.10"], 16), (("192.0.2.0", 24), ["10.20.0.10"], 1),
     (("10.3.0.0", 16), ["10.20.0.10"], 16), (("127.0.4.0", 24), ["10.20.0.10"], 22),
     (("127.0.2.128", 25), ["10.2.0.10"], 24)],
)  # fmt: skip
def test_trusted_ecs_picks_the_view_with_its_scope(
    server_thread: ServerThread, subnet: tuple[str, int], expected: list[str], expected_scope: int
) -> None:
    for tcp in (False, True):
        response = query(server_thread.port, WWW, source="127.0.0.53", ecs=subnet, tcp=tcp)
        assert addresses(response) == expected
        option = ecs_option(response)
        assert option is not None
        assert (option.address, option.srclen, option.scopelen) == (subnet[0], subnet[1], expected_scope)


def test_untrusted_ecs_is_ignored_and_answered_with_scope_0(server_thread: ServerThread) -> None:
    response = query(server_thread.port, WWW, source="127.0.2.5", ecs=("10.1.7.0", 24))
    assert addresses(response) == ["10.2.0.10"]  # the source's view, not the subnet's
    assert scope(response) == 0
    response = query(server_thread.port, WWW, source="127.0.0.1", ecs=("10.1.7.0", 24))
    assert addresses(response) == ["10.20.0.10"]
    assert scope(response) == 0


def test_no_ecs_in_the_answer_without_ecs_in_the_query(server_thread: ServerThread) -> None:
    assert scope(query(server_thread.port, WWW, source="127.0.0.53")) is None


def test_dig_subnet_from_a_trusted_source(server_thread: ServerThread) -> None:
    out = dig(server_thread.port, "-b", "127.0.0.53", "+subnet=10.1.3.0/24", WWW, "A")
    assert out.status == "NOERROR"
    assert [r[-1] for r in out.records()] == ["10.1.0.10"]
    assert "CLIENT-SUBNET: 10.1.3.0/24/16" in out.text
    untrusted = dig(server_thread.port, "-b", "127.0.0.54", "+subnet=10.1.3.0/24", WWW, "A")
    assert [r[-1] for r in untrusted.records()] == ["10.20.0.10"]
    assert "CLIENT-SUBNET: 10.1.3.0/24/0" in untrusted.text
    source = dig(server_thread.port, "-b", "127.0.1.99", WWW, "A")
    assert [r[-1] for r in source.records()] == ["10.1.0.10"]
