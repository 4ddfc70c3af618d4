"""The answer logic: ``resolve(snapshot, qname, qtype) -> Answer``. Pure: no I/O, no dnslib.

(Interface fixed; the implementation is the DNS engine's work, issue 3.)
"""

from __future__ import annotations

from dataclasses import dataclass

from dnsd.domain.snapshot import RRsetData, Snapshot

NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, YXDOMAIN, NOTAUTH = 0, 1, 2, 3, 4, 5, 6, 9


@dataclass(frozen=True, slots=True)
class Answer:
    """What to answer: rcode, the AA bit, and the three sections as RRsets (owner names are
    canonical; synthesised RRsets, e.g. wildcard expansions, carry the query name)."""

    rcode: int
    aa: bool
    answer: tuple[RRsetData, ...] = ()
    authority: tuple[RRsetData, ...] = ()
    additional: tuple[RRsetData, ...] = ()


def resolve(snapshot: Snapshot, qname: str, qtype: str) -> Answer:
    """Answer ``qname`` (canonical: lower-case, no trailing dot) for ``qtype`` (a type name such
    as ``"A"``, ``"ANY"``, or ``"TYPE65"`` for types without a name) from ``snapshot``.

    A name in no zone of the snapshot gives REFUSED with ``aa`` False.
    """
    raise NotImplementedError
