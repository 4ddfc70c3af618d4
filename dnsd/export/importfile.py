"""Turn a read zone file into what dnsd stores: the zone (SOA + apex NS) and RRsets.

The values go through the domain's own validation (``make_zone``, ``make_rrset``,
``placement_problems``); each problem is reported at the line of the record that caused it, and
one problem anywhere means nothing is imported. Every name — record owners, the zone's own
name, its apex NS hosts, the SOA's mname and rname, names inside rdata — follows one rule,
bind9's (RFC 2181: any printable label; a ``*`` that is not the leftmost label is an ordinary
label), which is looser than the API's hostname rules: a name the API would refuse is imported
with a warning, since migrating must never require editing a zone that works.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from dnsd.domain.errors import InvalidInput
from dnsd.domain.importplan import ZoneFileData
from dnsd.domain.names import is_subdomain, name_problems
from dnsd.domain.rdata import parse_rdata
from dnsd.domain.records import RRset, make_rrset, placement_problems
from dnsd.domain.zones import Zone, make_zone
from dnsd.export.lexer import ZoneFileError
from dnsd.export.zonefile import Note, ParsedRecord, ZoneFileReader

# make_rrset applies the API's strict hostname rules to the owner name; imported names are
# checked by the reader with bind9's rules instead, so validation runs on a stand-in name.
_STAND_IN = "stand-in.invalid"


@dataclass
class _Build:
    zone: str
    owner: str
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)

    def reasons(self, exc: InvalidInput, lines: Sequence[int], fields: dict[str, int]) -> None:
        """Record each reason at its line: ``values.i`` at the i-th value's line."""
        for reason in exc.reasons:
            head, _, index = reason.field.partition(".")
            if head in fields:
                line = fields[head]
            elif index.isdigit() and int(index) < len(lines):
                line = lines[int(index)]
            else:
                line = lines[0] if lines else 0
            prefix = "" if head in ("values", "ns") else f"{reason.field}: "
            self.problems.append((line, prefix + reason.message))


Group = ParsedRecord | list[ParsedRecord]
"""The records of one RRset: most RRsets have one, kept without a list around it."""


def _members(group: Group) -> list[ParsedRecord]:
    return group if isinstance(group, list) else [group]


@dataclass
class _Sorted:
    """The records read so far, sorted out as they arrive (a large file is not held twice)."""

    soas: list[ParsedRecord] = field(default_factory=list)
    apex_ns: list[ParsedRecord] = field(default_factory=list)
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)
    waiting: list[ParsedRecord] = field(default_factory=list)  # read before the zone was known

    def add(self, build: _Build, record: ParsedRecord) -> None:
        if not build.zone:
            if record.rtype != "SOA":
                self.waiting.append(record)
                return
            build.zone = record.name
            for earlier in self.waiting:
                self.add(build, earlier)
            self.waiting = []
        if record.rtype == "SOA":
            self.soas.append(record)
        elif record.rtype == "NS" and record.name == build.zone:
            self.apex_ns.append(record)
        elif _in_zone(build, record):
            _group(build, self.groups, record)


def read_zone_file(text: str, owner: str, zone: str | None = None) -> ZoneFileData:
    """Parse ``text`` as the zone file of ``zone`` (default: the SOA owner), every RRset owned
    by ``owner``. Raises :class:`ZoneFileError` listing every problem with its line."""
    origin = None
    if zone is not None:
        origin, problems = name_problems(zone, strict=False)
        if problems:
            raise ZoneFileError([(0, f"--zone {zone!r}: {'; '.join(problems)}")])
    reader = ZoneFileReader(origin=origin)
    build = _Build(origin or "", owner)
    records = _Sorted()
    for record in reader.iter_records(text):
        records.add(build, record)
    if not records.soas:
        raise ZoneFileError([*reader.problems, (0, "the file has no SOA record")])
    build.problems[:0] = reader.problems
    zone_obj = _zone(build, records.soas, records.apex_ns)
    rrsets, lines = _rrsets(build, records.groups)
    if build.problems:
        raise ZoneFileError(build.problems)
    warnings = [*reader.warnings, *build.warnings]
    return ZoneFileData(
        zone=zone_obj,
        rrsets=tuple(rrsets),
        lines=tuple(lines),
        warnings=tuple(f"line {n.line}: {n.message}" for n in sorted(warnings, key=lambda n: n.line)),
        skipped=tuple(f"line {n.line}: {n.message}" for n in reader.skipped),
    )


def _in_zone(build: _Build, record: ParsedRecord) -> bool:
    if not is_subdomain(record.name, build.zone):
        build.warnings.append(Note(record.line, f"{record.name} is outside zone {build.zone}; ignored"))
        return False
    return True


def _zone(build: _Build, soas: list[ParsedRecord], apex_ns: list[ParsedRecord]) -> Zone:
    soa = soas[0]
    if soa.name != build.zone:
        build.problems.append((soa.line, f"the SOA is at {soa.name}, not at the zone apex {build.zone}"))
    for extra in soas[1:]:
        build.problems.append((extra.line, f"a second SOA record (the first is on line {soa.line})"))
    if not apex_ns:
        build.problems.append((soa.line, f"no NS records at the zone apex {build.zone}"))
        return Zone(build.zone, 0, (), "", "")
    hosts: list[str] = []
    for record in apex_ns:
        if record.ttl != soa.ttl:
            build.warnings.append(
                Note(record.line, f"apex NS TTL {record.ttl} differs from the SOA TTL; dnsd uses {soa.ttl}")
            )
        if record.value not in hosts:
            hosts.append(record.value)
    mname, rname, serial, refresh, retry, expire, minimum = soa.value.split()
    timers = {"refresh": int(refresh), "retry": int(retry), "expire": int(expire), "minimum": int(minimum)}
    try:
        made = make_zone(build.zone, hosts, mname, rname, strict=False, ttl=soa.ttl, **timers)
    except InvalidInput as exc:
        at_soa = {"mname": soa.line, "rname": soa.line, "name": soa.line}
        build.reasons(exc, [r.line for r in apex_ns], at_soa)
        return Zone(build.zone, 0, (), "", "")
    _warn_if_api_refuses(build, soa.line, "zone name", made.name)
    first_line = {host: record.line for record in reversed(apex_ns) for host in [record.value]}
    for raw, host in zip(hosts, made.ns, strict=True):
        _warn_if_api_refuses(build, first_line[raw], "NS host", host)
    _warn_if_api_refuses(build, soa.line, "SOA mname", made.mname)
    if not serial.isdigit() or int(serial) >= 1 << 32:
        build.problems.append((soa.line, f"SOA serial {serial!r} is not a 32-bit number"))
        return made
    return replace(made, serial=int(serial))


def _group(build: _Build, groups: dict[tuple[str, str], Group], record: ParsedRecord) -> None:
    key = (record.name, record.rtype)
    group = groups.get(key)
    if group is None:
        groups[key] = record
        return
    members = _members(group)
    if record.ttl != members[0].ttl:
        build.warnings.append(
            Note(record.line, f"TTL {record.ttl} differs from the RRset's TTL; using {members[0].ttl}")
        )
    if _is_duplicate(record, members):
        build.warnings.append(Note(record.line, f"duplicate {record.rtype} record ignored"))
        return
    if isinstance(group, list):
        group.append(record)
    else:
        groups[key] = [group, record]


def _is_duplicate(record: ParsedRecord, group: list[ParsedRecord]) -> bool:
    try:
        rdata = parse_rdata(record.rtype, record.value)
        return any(parse_rdata(record.rtype, other.value) == rdata for other in group)
    except ValueError:
        return False  # make_rrset reports it, at its line


def _rrsets(build: _Build, groups: dict[tuple[str, str], Group]) -> tuple[list[RRset], list[int]]:
    """The RRsets of ``groups`` (emptied on the way, so the records are freed as they are
    converted) and the line each starts on; placement problems go to ``build``."""
    out: list[RRset] = []
    lines: list[int] = []
    seen: set[str] = set()
    shared: set[str] = set()  # names with more than one RRset
    for key in list(groups):
        members = _members(groups.pop(key))
        rrset = _rrset(build, key[0], key[1], members)
        if rrset is not None:
            out.append(rrset)
            lines.append(members[0].line)
            (shared if rrset.name in seen else seen).add(rrset.name)
    seen.clear()
    by_name: dict[str, list[RRset]] = {}
    for rrset in out:
        if rrset.name in shared:
            by_name.setdefault(rrset.name, []).append(rrset)
    for rrset, line in zip(out, lines, strict=True):
        others = [o for o in by_name.get(rrset.name, ()) if o is not rrset]
        for problem in placement_problems(rrset, build.zone, others):
            build.problems.append((line, problem.message))
    return out, lines


def _warn_if_api_refuses(build: _Build, line: int, what: str, name: str) -> None:
    """A warning when the API's hostname rules would refuse ``name`` (imported all the same)."""
    refused = name_problems(name, wildcard=False)[1]
    if refused:
        build.warnings.append(
            Note(line, f"{what} {name}: the API would refuse this name ({'; '.join(refused)}); imported")
        )


def _rrset(build: _Build, name: str, rtype: str, group: list[ParsedRecord]) -> RRset | None:
    strict = name_problems(name)[1]
    record_lines = [r.line for r in group]
    try:
        rrset = make_rrset(
            _STAND_IN if strict else name, rtype, group[0].ttl, build.owner, [r.value for r in group]
        )
    except InvalidInput as exc:
        build.reasons(exc, record_lines, {"owner": 0, "ttl": group[0].line, "name": group[0].line})
        return None
    if strict:
        build.warnings.append(
            Note(group[0].line, f"{name}: the API would refuse this name ({'; '.join(strict)}); imported")
        )
    # the RRset with its own name back (make_rrset checked the stand-in), built directly, as
    # dataclasses.replace costs a second per million RRsets; ``rtype`` is the reader's interned
    # string (equal to make_rrset's copy of it)
    return RRset(name, rtype, rrset.ttl, rrset.values, rrset.pool, rrset.owner, build.zone, rrset.id)
