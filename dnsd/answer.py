"""The answer logic: ``resolve(snapshot, qname, qtype) -> Answer``. Pure: no I/O, no dnslib.

The algorithm is RFC 1034 section 4.3.2 as NSD and Knot implement it, with RFC 2308 negative
answers, RFC 4592 wildcards, RFC 6672 DNAME and RFC 8482 minimal answers to ANY. One name is
looked up in one zone by :func:`lookup` (a "step"); :func:`resolve` picks the zone and, when a
step ends in an alias (CNAME or synthesised CNAME), chases the chain through our zones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from dnsd.domain.names import MAX_NAME, is_subdomain, parent
from dnsd.domain.rdata import HINFO, MX, SRV, Target
from dnsd.domain.snapshot import Node, RRsetData, Snapshot, ZoneData

NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, YXDOMAIN, NOTAUTH = 0, 1, 2, 3, 4, 5, 6, 9

MAX_LINKS = 8
"""Most CNAME links (a synthesised DNAME CNAME counts as one) an answer carries."""

ANY_ORDER = ("A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "PTR", "DNAME", "SOA", "NS")
"""RFC 8482: an ANY query is answered with the first RRset of the name in this order."""

_ADDRESS_TYPES = ("A", "AAAA")


@dataclass(frozen=True, slots=True)
class Answer:
    """What to answer: rcode, the AA bit, and the three sections as RRsets (owner names are
    canonical; synthesised RRsets, e.g. wildcard expansions, carry the query name)."""

    rcode: int
    aa: bool
    answer: tuple[RRsetData, ...] = ()
    authority: tuple[RRsetData, ...] = ()
    additional: tuple[RRsetData, ...] = ()


class Step(NamedTuple):
    """The outcome of looking up one name in one zone.

    ``alias`` is set when the answer ends in a CNAME (real or synthesised from a DNAME) whose
    target the caller should look up next; ``referral`` when the name lies at or below a cut.
    """

    rcode: int
    answer: tuple[RRsetData, ...] = ()
    authority: tuple[RRsetData, ...] = ()
    additional: tuple[RRsetData, ...] = ()
    alias: str | None = None
    referral: bool = False


_REFUSED = Answer(REFUSED, False)


def resolve(snapshot: Snapshot, qname: str, qtype: str) -> Answer:
    """Answer ``qname`` (canonical: lower-case, no trailing dot) for ``qtype`` (a type name such
    as ``"A"``, ``"ANY"``, or ``"TYPE65"`` for types without a name) from ``snapshot``.

    A name in no zone of the snapshot gives REFUSED with ``aa`` False. A name at or below a
    delegation gives a referral (NOERROR, ``aa`` False, the cut's NS in authority, in-zone glue
    in additional), except DS at the cut itself, which the parent answers, as it answers DS at
    the apex of a child zone of ours. Otherwise ``aa`` is
    True and the answer is the RRset, a CNAME/DNAME chain followed through our zones (at most
    :data:`MAX_LINKS` links, loop-safe; rcode and negative SOA those of the last name), a
    wildcard expansion owned by ``qname``, NODATA (NOERROR + SOA) or NXDOMAIN (+ SOA); the
    negative SOA has TTL min(SOA TTL, SOA minimum). ANY gets one RRset: the first that exists
    in :data:`ANY_ORDER` (a CNAME is not chased), or a synthesised ``HINFO "RFC8482" ""``
    when the name holds only types outside that list. Upper-case letters and a trailing dot in
    ``qname`` are tolerated. Never raises for any snapshot built by ``build_zone``.
    """
    if qname.endswith(".") or not qname.islower():
        qname = qname.lower().rstrip(".")
    zone = zone_for(snapshot, qname, qtype)
    if zone is None:
        return _REFUSED
    step = lookup(snapshot, zone, qname, qtype)
    if step.alias is None:
        return Answer(step.rcode, not step.referral, step.answer, step.authority, step.additional)
    return _chase(snapshot, qname, qtype, step)


def for_class_any(answer: Answer) -> Answer:
    """The answer to a query in class ANY (255) as NSD gives it: the IN answer, but not
    authoritative (only an IN query is answered with authority) and without the SOA of a
    negative answer (which would claim the whole class)."""
    authority = tuple(r for r in answer.authority if r.rtype != "SOA")
    return Answer(answer.rcode, False, answer.answer, authority, answer.additional)


def _chase(snapshot: Snapshot, qname: str, qtype: str, step: Step) -> Answer:
    """Follow the alias of ``step`` (the first zone's answer, so ``aa`` is True) through our
    zones until a name that is not an alias, a target outside our zones, a loop, or the limit."""
    answer = list(step.answer)
    seen = {qname}
    links = 1
    while step.alias is not None and step.alias not in seen:
        target = step.alias
        seen.add(target)
        zone = zone_for(snapshot, target, qtype)
        if zone is None:
            break
        following = lookup(snapshot, zone, target, qtype)
        if following.alias is not None:
            if links == MAX_LINKS:
                break
            links += 1
        # A DNAME met again (two DNAMEs pointing into each other) is already in the answer.
        answer.extend(r for r in following.answer if r.rtype != "DNAME" or r not in answer)
        step = following
    # The sections other than the answer are those of the last step taken: empty for an alias
    # (chain cut short), the SOA of the last name's zone for a negative end, glue for a referral.
    return Answer(step.rcode, True, tuple(answer), step.authority, step.additional)


def zone_for(snapshot: Snapshot, qname: str, qtype: str) -> ZoneData | None:
    """The zone answering ``qname``: the longest match, except that DS at the apex of a zone is
    answered by the zone above it when that is ours (RFC 4035 3.1.4.1: DS is parent-side data;
    NSD does the same whether or not the parent holds the delegation)."""
    zone = snapshot.find_zone(qname)
    if zone is not None and qtype == "DS" and qname == zone.name and qname:
        above = snapshot.find_zone(parent(qname))
        if above is not None:
            return above
    return zone


def lookup(snapshot: Snapshot, zone: ZoneData, qname: str, qtype: str) -> Step:
    """One pass of RFC 1034 4.3.2 step 3 for ``qname`` (canonical) in ``zone``, its zone in
    ``snapshot`` (which the additional section needs, to leave out names of other zones)."""
    if zone.cuts or zone.dnames:
        above = _cut_or_dname(snapshot, zone, qname, qtype)
        if above is not None:
            return above
    node = zone.nodes.get(qname)
    if node is not None:
        return _at_node(snapshot, zone, node, qname, qtype, qname)
    if qname in zone.ents or qname in snapshot.zones:
        return _nodata(zone)  # an empty non-terminal, or DS at the apex of a child zone of ours
    return _wildcard(snapshot, zone, qname, qtype)


def _cut_or_dname(snapshot: Snapshot, zone: ZoneData, qname: str, qtype: str) -> Step | None:
    """The referral or DNAME substitution that applies to ``qname``, if any."""
    owner = _occluder(zone, qname, qtype)
    if owner is None:
        return None
    if owner in zone.cuts:
        return _referral(snapshot, zone, owner)
    return _dname(zone, owner, qname, qtype)


def _occluder(zone: ZoneData, qname: str, qtype: str) -> str | None:
    """The owner of the cut or DNAME that takes ``qname`` out of the zone's own data, if any.

    Walks down from the apex so the highest cut wins (it occludes everything below it, other
    cuts, DNAMEs and wildcards included). A DNAME applies only strictly above ``qname``; a cut
    at ``qname`` itself too, except for DS, which the parent side answers.
    """
    apex = zone.name
    if qname == apex:
        return None
    if apex in zone.dnames:
        return apex
    relative = qname[: -len(apex) - 1] if apex else qname
    name = apex
    for label in reversed(relative.split(".")):
        name = f"{label}.{name}" if name else label
        if name in zone.cuts:
            return None if name == qname and qtype == "DS" else name
        if name == qname or not zone.exists(name):
            return None  # nothing exists below a missing name, so no cut or DNAME either
        if name in zone.dnames:
            return name
    return None


def _wildcard(snapshot: Snapshot, zone: ZoneData, qname: str, qtype: str) -> Step:
    """RFC 4592: ``qname`` does not exist; answer from ``*.<closest encloser>`` if it exists
    (an empty non-terminal wildcard gives NODATA), else NXDOMAIN."""
    source = _wildcard_source(zone, qname)
    node = zone.nodes.get(source)
    if node is not None:
        return _at_node(snapshot, zone, node, source, qtype, qname)
    if source in zone.ents:
        return _nodata(zone)
    return Step(NXDOMAIN, authority=(zone.negative_soa,))


def _wildcard_source(zone: ZoneData, missing: str) -> str:
    """``*.<closest encloser>`` for a name of ``zone`` that does not exist (it may not exist either)."""
    encloser = parent(missing)
    while encloser != zone.name and not zone.exists(encloser):
        encloser = parent(encloser)
    return f"*.{encloser}" if encloser else "*"


def _at_node(snapshot: Snapshot, zone: ZoneData, node: Node, owner: str, qtype: str, qname: str) -> Step:
    """Answer from the RRsets at ``owner``, which is ``qname`` itself or its wildcard source."""
    if qtype == "ANY":
        return _any(snapshot, zone, node, qname)
    rrset = node.get(qtype)
    if rrset is not None:
        return _positive(snapshot, zone, rrset if owner == qname else _owned(rrset, qname))
    cname = node.get("CNAME")
    if cname is not None:
        synthesised = cname if owner == qname else _owned(cname, qname)
        return Step(NOERROR, (synthesised,), alias=_target(cname))
    return _nodata(zone)


def _any(snapshot: Snapshot, zone: ZoneData, node: Node, qname: str) -> Step:
    """RFC 8482 section 4.1: one RRset of the name, chosen by :data:`ANY_ORDER`."""
    for rtype in ANY_ORDER:
        rrset = node.get(rtype)
        if rrset is not None:
            return _positive(snapshot, zone, rrset if rrset.name == qname else _owned(rrset, qname))
    hinfo = RRsetData(qname, "HINFO", zone.zone.ttl, (HINFO("RFC8482", ""),))
    return Step(NOERROR, (hinfo,))


def _positive(snapshot: Snapshot, zone: ZoneData, rrset: RRsetData) -> Step:
    """The RRset as the answer, with additional-section addresses the way NSD adds them: for
    the hosts of NS (glue allowed), MX and SRV (authoritative data only), and for the apex NS
    hosts of an SOA answer."""
    rtype = rrset.rtype
    if rtype in ("MX", "SRV"):
        return Step(NOERROR, (rrset,), additional=_addresses(snapshot, zone, _targets(rrset), glue=False))
    if rtype == "NS":
        return Step(NOERROR, (rrset,), additional=_addresses(snapshot, zone, _targets(rrset), glue=True))
    if rtype == "SOA":
        apex_ns = zone.nodes[zone.name].get("NS")
        hosts = _targets(apex_ns) if apex_ns is not None else []
        return Step(NOERROR, (rrset,), additional=_addresses(snapshot, zone, hosts, glue=True))
    return Step(NOERROR, (rrset,))


def _referral(snapshot: Snapshot, zone: ZoneData, cut: str) -> Step:
    ns = zone.nodes[cut]["NS"]
    glue = _addresses(snapshot, zone, _targets(ns), glue=True)
    return Step(NOERROR, authority=(ns,), additional=glue, referral=True)


def _nodata(zone: ZoneData) -> Step:
    return Step(NOERROR, authority=(zone.negative_soa,))


def _dname(zone: ZoneData, owner: str, qname: str, qtype: str) -> Step:
    """RFC 6672 section 3.2: the DNAME, a CNAME synthesised from it (TTL of the DNAME), and the
    new name to chase, unless the query asked for the CNAME itself (or ANY, which it matches).
    YXDOMAIN, with the DNAME alone, when the new name would be longer than a name may be."""
    dname = zone.nodes[owner]["DNAME"]
    target = _target(dname)
    prefix = qname[: -len(owner) - 1] if owner else qname
    new = f"{prefix}.{target}" if target else prefix
    if len(new) > MAX_NAME:
        return Step(YXDOMAIN, (dname,))
    cname = RRsetData(qname, "CNAME", dname.ttl, (Target(new),))
    # A target at or below the DNAME's owner would only repeat the DNAME until the name is too
    # long; like NSD, answer the one substitution and let the resolver ask again. Any other
    # target (an ancestor of the owner included: each step shortens the name) is followed.
    alias = None if qtype in ("CNAME", "ANY") or is_subdomain(target, owner) else new
    return Step(NOERROR, (dname, cname), alias=alias)


def _owned(rrset: RRsetData, owner: str) -> RRsetData:
    """A copy of ``rrset`` owned by ``owner`` (wildcard expansion; a steered RRset stays one)."""
    if type(rrset) is not RRsetData:
        return dataclasses.replace(rrset, name=owner)
    return RRsetData(owner, rrset.rtype, rrset.ttl, rrset.rdatas)


def _target(rrset: RRsetData) -> str:
    """The name a CNAME or DNAME RRset points at (its single rdata)."""
    rdata = rrset.rdatas[0]
    return rdata.target if isinstance(rdata, Target) else ""


def _targets(rrset: RRsetData) -> list[str]:
    """The host names an NS, MX or SRV RRset points at."""
    names: list[str] = []
    for rdata in rrset.rdatas:
        if isinstance(rdata, Target | SRV):
            names.append(rdata.target)
        elif isinstance(rdata, MX):
            names.append(rdata.exchange)
    return names


def _addresses(
    snapshot: Snapshot, zone: ZoneData, hosts: Iterable[str], *, glue: bool
) -> tuple[RRsetData, ...]:
    """Additional-section processing (and referral glue) as NSD does it: the A and AAAA RRsets
    of those ``hosts`` that ``zone`` answers for (not names of another zone of ours), each host
    once, in order. A host at or below a cut (or below a DNAME) gives its own data when
    ``glue`` is allowed and nothing otherwise; any other host gives its own data or, when it
    does not exist, its wildcard expansion."""
    found: list[RRsetData] = []
    for host in dict.fromkeys(hosts):
        if snapshot.find_zone(host) is not zone:
            continue
        node = _host_node(zone, host, glue)
        if node is None:
            continue
        for rtype in _ADDRESS_TYPES:
            rrset = node.get(rtype)
            if rrset is not None:
                found.append(rrset if rrset.name == host else _owned(rrset, host))
    return tuple(found)


def _host_node(zone: ZoneData, host: str, glue: bool) -> Node | None:
    """The node answering for ``host`` in additional-section processing, if any."""
    node = zone.nodes.get(host)
    if (zone.cuts or zone.dnames) and _occluder(zone, host, "A") is not None:
        return node if glue else None
    if node is not None or host in zone.ents:
        return node
    return zone.nodes.get(_wildcard_source(zone, host))
