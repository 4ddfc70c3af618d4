"""Zones the export and import tests share: every record type, a demo-like zone, a large one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from dnsd.domain.pools import Pool, make_pool
from dnsd.domain.records import RRset, make_rrset
from dnsd.domain.snapshot import ZoneData, build_zone
from dnsd.domain.zones import Zone
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore

OWNER = "user:test"
LONG_TXT = ('v=DKIM1; k=rsa; p="quoted" back\\slash; semi; tab\there é ' * 12).strip()

# name, type, ttl, values (relative to example.com unless they end with a dot)
EVERY_TYPE: list[tuple[str, str, int, list[str]]] = [
    ("example.com", "A", 300, ["192.0.2.1"]),
    ("example.com", "AAAA", 300, ["2001:db8::1"]),
    ("example.com", "MX", 3600, ["10 mail.example.com", "20 mx.example.net."]),
    ("example.com", "TXT", 300, ['"v=spf1 mx -all"']),
    ("example.com", "CAA", 3600, ['0 issue "letsencrypt.org"', '128 iodef "mailto:security@example.com"']),
    ("www.example.com", "A", 60, ["192.0.2.10", "192.0.2.11"]),
    ("www.example.com", "AAAA", 60, ["2001:db8::10"]),
    ("mail.example.com", "A", 300, ["192.0.2.25"]),
    ("alias.example.com", "CNAME", 300, ["www.example.com"]),
    ("ext.example.com", "CNAME", 300, ["target.example.net."]),
    ("old.example.com", "DNAME", 300, ["new.example.org."]),
    ("long.example.com", "TXT", 300, [LONG_TXT]),
    ("multi.example.com", "TXT", 300, ['"first string" "second \\"quoted\\" string" "\\\\"']),
    ("_sip._tcp.example.com", "SRV", 300, ["10 60 5060 sip.example.com", "20 0 5060 sip.example.net."]),
    ("sip.example.com", "A", 300, ["192.0.2.60"]),
    ("sub.example.com", "NS", 86400, ["ns1.sub.example.com", "ns.example.net."]),
    ("ns1.sub.example.com", "A", 86400, ["192.0.2.53"]),
    ("ns1.sub.example.com", "AAAA", 86400, ["2001:db8::53"]),
    ("*.apps.example.com", "A", 30, ["192.0.2.80"]),
    ("*.apps.example.com", "TXT", 30, ['"wildcard"']),
    ("ptr.example.com", "PTR", 300, ["www.example.com"]),
    ("_acme-challenge.example.com", "TXT", 60, ['"token-123"']),
]


def every_type_zone() -> ZoneData:
    """A fixed zone holding every record type dnsd stores (the golden file's source)."""
    zone = Zone(
        "example.com", 2024010100, ("ns1.example.com", "ns2.example.net"), "ns1.example.com",
        "hostmaster.example.com", 7200, 900, 1209600, 300, 3600,
    )  # fmt: skip
    rrsets = [make_rrset(n, t, ttl, OWNER, v) for n, t, ttl, v in EVERY_TYPE]
    rrsets.append(make_rrset("ns1.example.com", "A", 3600, OWNER, ["192.0.2.2"]))
    return build_zone(zone, rrsets, {})


DEMO_POOLS = [
    ("istio-ingressgateway", ["10.20.0.10", "10.20.0.11", "fd00:20::10"]),
    ("legacy-ingress", ["10.30.0.10"]),
]


def demo_rrsets(zone: str) -> list[RRset]:
    """What a small service zone looks like: pool-backed services, mail, verification TXT."""
    o = OWNER
    return [
        make_rrset(zone, "A", 300, o, pool="istio-ingressgateway"),
        make_rrset(zone, "AAAA", 300, o, pool="istio-ingressgateway"),
        make_rrset(zone, "MX", 3600, o, ["10 mx1.mail.example.net.", "20 mx2.mail.example.net."]),
        make_rrset(zone, "TXT", 300, o, ['"v=spf1 include:_spf.example.net -all"', '"google-site-x=abc"']),
        make_rrset(zone, "CAA", 3600, o, ['0 issue "letsencrypt.org"']),
        make_rrset(f"www.{zone}", "CNAME", 300, o, [zone]),
        make_rrset(f"api.{zone}", "A", 60, o, pool="istio-ingressgateway"),
        make_rrset(f"legacy.{zone}", "A", 60, o, pool="legacy-ingress"),
        make_rrset(f"*.preview.{zone}", "A", 60, o, pool="istio-ingressgateway"),
        make_rrset(f"_dmarc.{zone}", "TXT", 300, o, ['"v=DMARC1; p=reject; rua=mailto:d@example.net"']),
        make_rrset(f"_https._tcp.{zone}", "SRV", 300, o, [f"0 5 443 api.{zone}"]),
        make_rrset(f"ns1.{zone}", "A", 3600, o, ["192.0.2.53"]),
        make_rrset(f"ns2.{zone}", "A", 3600, o, ["192.0.2.54"]),
    ]


def create_demo(store: ZoneStore, zone: str = "hello-web.com") -> None:
    """Create the demo pools (if missing) and a demo-like zone in ``store``."""
    have = {p.name for p in store.list_pools()}
    for name, addresses in DEMO_POOLS:
        if name not in have:
            store.create_pool(make_pool(name, addresses), "test")
    store.create_zone(make_zone(zone, [f"ns1.{zone}", f"ns2.{zone}"]), "test")
    for rrset in demo_rrsets(zone):
        store.put_rrset(rrset, "test")


def large_zone(count: int = 3000) -> ZoneData:
    """A generated zone with ``count`` service names of mixed types (pure, no store)."""
    zone = Zone("big.example", 2024010100, ("ns1.big.example", "ns2.big.example"), "ns1.big.example",
                "hostmaster.big.example")  # fmt: skip
    pools = {"vip": Pool("vip", ("10.1.0.1", "10.1.0.2", "fd00::1"))}
    rrsets = [make_rrset(f"ns{i}.big.example", "A", 3600, OWNER, [f"192.0.2.{i}"]) for i in (1, 2)]
    for i in range(count):
        name = f"svc-{i}.team-{i % 37}.big.example"
        kind = i % 5
        if kind == 0:
            rrsets.append(make_rrset(name, "A", 60, OWNER, pool="vip"))
        elif kind == 1:
            rrsets.append(
                make_rrset(name, "CNAME", 300, OWNER, [f"svc-{i - 1}.team-{(i - 1) % 37}.big.example"])
            )
        elif kind == 2:
            rrsets.append(make_rrset(name, "A", 300, OWNER, [f"10.{i // 250 % 250}.{i % 250}.7"]))
            rrsets.append(make_rrset(name, "TXT", 300, OWNER, [f"owner=team-{i % 37} build={i}"]))
        elif kind == 3:
            rrsets.append(make_rrset(name, "AAAA", 300, OWNER, [f"2001:db8::{i:x}"]))
        else:
            rrsets.append(
                make_rrset(name, "MX", 300, OWNER, [f"10 svc-{i - 2}.team-{(i - 2) % 37}.big.example"])
            )
    return build_zone(zone, rrsets, pools)


def named_checkzone(zone: str, path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """bind9's own checker, strict: integrity checks of in-zone data, names, MX/SRV targets."""
    binary = shutil.which("named-checkzone")
    assert binary is not None, "named-checkzone (bind9-utils) is required"
    args = [binary, "-i", "local", "-k", "fail", "-m", "fail", "-M", "fail", "-n", "fail", "-S", "fail",
            "-r", "fail", *extra, zone, str(path)]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
