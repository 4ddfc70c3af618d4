"""Hypothesis properties of resolve() over generated zones, checked against brute-force oracles."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from dnsd.answer import MAX_LINKS, NOERROR, NXDOMAIN, REFUSED, YXDOMAIN, Answer, resolve
from dnsd.domain.names import parent as parent_name
from dnsd.domain.rdata import MX, TXT, Address, Rdata, Target
from dnsd.domain.records import RRset, find_zone
from dnsd.domain.snapshot import Snapshot, build_zone

from .snapshots import make_zone

ZONES = ("ex.test", "b.ex.test", "other.test")
LABELS = ("a", "b", "c", "*", "ns")
TYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "DNAME", "NS")
QTYPES = ("A", "AAAA", "TXT", "MX", "CNAME", "DNAME", "NS", "SOA", "DS", "ANY", "TYPE65")

relative = st.lists(st.sampled_from(LABELS), min_size=0, max_size=3).map(".".join)
names = st.builds(lambda rel, zone: f"{rel}.{zone}" if rel else zone, relative, st.sampled_from(ZONES))
outside = st.sampled_from(("out.example", "ex.test.example", "test"))


def rdata_for(rtype: str, target: str, n: int) -> Rdata:
    if rtype in ("A", "AAAA"):
        return Address(f"192.0.2.{n}" if rtype == "A" else f"2001:db8::{n}")
    if rtype == "TXT":
        return TXT((f"t{n}".encode(),))
    if rtype == "MX":
        return MX(n, target)
    return Target(target)


@st.composite
def snapshots(draw: st.DrawFn, types: tuple[str, ...] = TYPES) -> tuple[Snapshot, list[RRset]]:
    """Any mix of data (even CNAME beside other data, or NS at wildcards: resolve must cope)."""
    specs = draw(
        st.lists(
            st.tuples(names, st.sampled_from(types), st.one_of(names, outside), st.integers(1, 250)),
            max_size=14,
            unique_by=lambda s: (s[0], s[1]),
        )
    )
    rrsets = [
        RRset(name, rtype, ttl, (rdata_for(rtype, target, ttl),), zone=find_zone(name, ZONES) or "")
        for name, rtype, target, ttl in specs
        if not (rtype in ("NS", "DNAME") and name in ZONES)  # apex NS is the zone's; keep DNAMEs below
    ]
    zones = {
        zone: build_zone(
            make_zone(zone, ttl=draw(st.integers(0, 900))), [r for r in rrsets if r.zone == zone], {}
        )
        for zone in ZONES
    }
    return Snapshot(zones), rrsets


def exists(rrsets: list[RRset], zone: str, name: str) -> bool:
    """Brute force: the name is the apex, owns data, or has a descendant that does."""
    return name == zone or any(
        r.zone == zone and (r.name == name or r.name.endswith("." + name)) for r in rrsets
    )


def wildcard_covers(rrsets: list[RRset], zone: str, name: str) -> bool:
    """Brute force RFC 4592: '*.' + the closest existing ancestor exists."""
    encloser = name
    while encloser != zone:
        encloser = encloser.partition(".")[2]
        if exists(rrsets, zone, encloser):
            break
    return exists(rrsets, zone, f"*.{encloser}")


def last_name(qname: str, answer: Answer) -> str:
    """The name the final rcode speaks for: the last alias target, or the query name."""
    if answer.answer and answer.answer[-1].rtype == "CNAME":
        last = answer.answer[-1].rdatas[0]
        assert isinstance(last, Target)
        return last.target
    return qname


def is_referral(answer: Answer) -> bool:
    return not answer.answer and len(answer.authority) == 1 and answer.authority[0].rtype == "NS"


@dataclass(frozen=True)
class Case:
    snap: Snapshot
    rrsets: list[RRset]
    qname: str
    qtype: str


@st.composite
def related_queries(draw: st.DrawFn, rrsets: list[RRset]) -> tuple[str, str]:
    """A query name near the data (an owner, one of its ancestors, a child of it) or anywhere."""
    near = sorted({r.name for r in rrsets} | {r.name.partition(".")[2] for r in rrsets})
    pool = [st.sampled_from(near), st.sampled_from(near).map(lambda n: f"zz.{n}")] if near else []
    qname = draw(st.one_of(*pool, names, outside))
    return qname, draw(st.sampled_from(QTYPES))


@st.composite
def make_cases(draw: st.DrawFn, types: tuple[str, ...] = TYPES) -> Case:
    snap, rrsets = draw(snapshots(types))
    qname, qtype = draw(related_queries(rrsets))
    return Case(snap, rrsets, qname, qtype)


cases = make_cases()


@settings(max_examples=400, deadline=None)
@given(cases)
def test_resolve_never_raises_and_refuses_only_outside_our_zones(case: Case) -> None:
    answer = resolve(case.snap, case.qname, case.qtype)
    assert answer.rcode in (NOERROR, NXDOMAIN, REFUSED, YXDOMAIN)
    ours = find_zone(case.qname, ZONES) is not None
    assert (answer.rcode == REFUSED) == (not ours)
    if ours:
        assert answer.aa == (not is_referral(answer))
    else:
        assert answer == Answer(REFUSED, False)


@settings(max_examples=400, deadline=None)
@given(cases)
def test_nxdomain_means_the_last_name_and_its_wildcard_do_not_exist(case: Case) -> None:
    answer = resolve(case.snap, case.qname, case.qtype)
    if answer.rcode != NXDOMAIN:
        return
    name = last_name(case.qname, answer)
    zone = find_zone(name, ZONES)
    assert zone is not None
    assert not exists(case.rrsets, zone, name)
    assert not wildcard_covers(case.rrsets, zone, name)
    assert [(r.name, r.rtype) for r in answer.authority] == [(zone, "SOA")]
    assert answer.authority[0].ttl == case.snap.zones[zone].zone.negative_ttl


@settings(max_examples=400, deadline=None)
@given(cases)
def test_answer_section_is_a_well_formed_chain(case: Case) -> None:
    answer = resolve(case.snap, case.qname, case.qtype)
    expected = case.qname
    cnames = 0
    for rrset in answer.answer:
        if rrset.rtype == "DNAME" and expected.endswith("." + rrset.name):
            continue  # a DNAME stands above the name it rewrites
        assert rrset.name == expected
        if rrset.rtype == "CNAME" and case.qtype not in ("CNAME", "ANY"):
            cnames += 1
            target = rrset.rdatas[0]
            assert isinstance(target, Target)
            expected = target.target
    assert cnames <= MAX_LINKS
    for section in (answer.answer, answer.additional):
        assert len({(r.name, r.rtype) for r in section}) == len(section)  # no RRset twice
    assert resolve(case.snap, case.qname.upper(), case.qtype) == answer


@settings(max_examples=400, deadline=None)
@given(cases)
def test_negative_answers_carry_the_negative_soa_of_a_zone(case: Case) -> None:
    answer = resolve(case.snap, case.qname, case.qtype)
    for rrset in answer.authority:
        assert rrset.rtype in ("SOA", "NS")
        if rrset.rtype == "SOA":
            assert rrset.ttl == case.snap.zones[rrset.name].zone.negative_ttl
            assert answer.rcode == NXDOMAIN or not answer.answer or answer.answer[-1].rtype == "CNAME"


plain_cases = make_cases(("A", "AAAA", "TXT"))


@settings(max_examples=400, deadline=None)
@given(plain_cases)
def test_without_aliases_cuts_or_wildcards_the_answer_is_the_rrset_nodata_or_nxdomain(case: Case) -> None:
    """A reference model for plain zones (wildcard owners are taken as literal names here)."""
    if any("*" in r.name for r in case.rrsets) or "*" in case.qname:
        return
    answer = resolve(case.snap, case.qname, case.qtype)
    zone = find_zone(case.qname, ZONES)
    if zone is None:
        assert answer.rcode == REFUSED
        return
    here = [r for r in case.rrsets if r.zone == zone and r.name == case.qname]
    if case.qtype == "ANY" and here:
        assert len(answer.answer) == 1 and answer.answer[0].name == case.qname
    elif case.qtype == "ANY" and case.qname == zone:
        assert [r.rtype for r in answer.answer] == ["SOA"]
    elif case.qtype in ("SOA", "NS") and case.qname == zone:
        assert [r.rtype for r in answer.answer] == [case.qtype]
    elif any(r.rtype == case.qtype for r in here):
        assert [(r.name, r.rtype) for r in answer.answer] == [(case.qname, case.qtype)]
    else:
        above = find_zone(parent_name(zone), ZONES) if zone else None
        if case.qtype == "DS" and case.qname == zone and above is not None:
            zone = above  # DS at the apex of a child zone of ours: the parent answers
        rcode = NOERROR if exists(case.rrsets, zone, case.qname) or case.qname in ZONES else NXDOMAIN
        assert (answer.rcode, answer.answer) == (rcode, ())
        assert [(r.name, r.rtype) for r in answer.authority] == [(zone, "SOA")]
    assert answer.aa
