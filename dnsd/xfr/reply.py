"""The transfer endpoint without sockets: who may transfer, what to send, and TSIG around it.

The server calls :func:`transfer_reply` for a query of type AXFR (252) or IXFR (251) with the raw
message, the client address and the transport; it encodes each answer section of the reply as
one message (the question echoed, AA set) and passes the encoded messages through
:meth:`TransferReply.finish`, which signs them (or adds the TSIG error RR) as RFC 8945 requires.

Policy: a bad TSIG gets NOTAUTH (BADKEY/BADSIG/BADTIME); a zone we do not serve NOTAUTH; AXFR
over UDP REFUSED (RFC 5936 section 4.2); a zone whose ACL does not admit the client REFUSED;
IXFR without the client's SOA in the authority section FORMERR (RFC 1995 section 3); IXFR over
UDP the current SOA alone, whoever asks (RFC 1995 section 2: "use TCP" when more is needed; it
is what an SOA query answers anyway).

Views: an allowed transfer answers the zone as the transfer's view sees it
(:meth:`TransferPolicy.transfer_view`: the key's view, else the client address's, else
``default``). The IXFR journal holds the ``default`` view's changes, so an IXFR in any other view
is answered with the full zone (RFC 1995 section 4 allows it), the SOA alone when current.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dnsd.domain.changes import ZoneChange
from dnsd.domain.pools import DEFAULT_VIEW
from dnsd.domain.snapshot import RRsetData, Snapshot, ZoneData
from dnsd.domain.transfer import TransferPolicy, TsigKey
from dnsd.wire import FormError, read_name
from dnsd.xfr.plan import axfr_rrsets, ixfr_rrsets, pack_messages
from dnsd.xfr.tsig import (
    BADTIME,
    TsigError,
    TsigRecord,
    badtime_answer,
    sign_message,
    unsigned_error,
    verify_message,
)
from dnsd.xfr.views import ViewZones

IXFR, AXFR = 251, 252
NOERROR, FORMERR, NOTAUTH, REFUSED = 0, 1, 9, 5
TYPE_SOA = 6


@dataclass(frozen=True, slots=True)
class TransferReply:
    """What to answer. ``sections``: one answer section per message (empty with an error
    ``rcode``: send one message with that rcode). ``key`` and ``request_mac``: the request was
    signed with this key, so every message is signed. ``tsig_error``: the TSIG check failed."""

    rcode: int
    sections: list[tuple[RRsetData, ...]] = field(default_factory=list)
    key: TsigKey | None = None
    request_mac: bytes = b""
    tsig_error: tuple[int, TsigRecord] | None = None
    reason: str = ""  # for the server's log line
    now: int = 0

    def finish(self, encoded: Sequence[bytes]) -> list[bytes]:
        """TSIG for the encoded messages: the first signed over the request MAC, the others
        chained over the previous MAC with timers only (RFC 8945 section 5.3.1)."""
        if self.tsig_error is not None:
            error, record = self.tsig_error
            if error == BADTIME and self.key is not None:
                return [badtime_answer(encoded[0], self.key, record, self.now)]
            return [unsigned_error(encoded[0], record, error, self.now)]
        if self.key is None:
            return list(encoded)
        out, mac = [], self.request_mac
        for i, message in enumerate(encoded):
            signed, mac = sign_message(message, self.key, self.now, prior_mac=mac, timers_only=i > 0)
            out.append(signed)
        return out


def ixfr_client_serial(data: bytes) -> int | None:
    """The serial of the SOA in an IXFR query's authority section (RFC 1995 section 3)."""
    try:
        qd, an, ns = struct.unpack_from("!3H", data, 4)
        offset = 12
        for _ in range(qd):
            offset = read_name(data, offset)[1] + 4
        for index in range(an + ns):
            offset = read_name(data, offset)[1]
            rtype, _, _, rdlength = struct.unpack_from("!HHIH", data, offset)
            rdata = offset + 10
            if index >= an and rtype == TYPE_SOA:
                after_names = read_name(data, read_name(data, rdata)[1])[1]
                return int(struct.unpack_from("!I", data, after_names)[0])
            offset = rdata + rdlength
    except (FormError, struct.error):
        return None
    return None


def _check_tsig(
    data: bytes, policy: TransferPolicy, now: int
) -> TransferReply | tuple[TsigKey, bytes] | None:
    try:
        verified = verify_message(data, policy.keys, now)
    except TsigError as exc:
        key = policy.keys.get(exc.record.key_name) if exc.record and exc.error == BADTIME else None
        error = (exc.error, exc.record) if exc.record else None
        return TransferReply(NOTAUTH, key=key, tsig_error=error, reason=str(exc), now=now)
    except FormError as exc:
        return TransferReply(FORMERR, reason=str(exc), now=now)
    return None if verified is None else (verified[0], verified[1].mac)


def transfer_reply(
    snapshot: Snapshot,
    qname: str,
    qtype: int,
    data: bytes,
    client: str,
    tcp: bool,
    policy: TransferPolicy,
    history: Callable[[str], Sequence[ZoneChange]],
    now: int,
    view_zones: ViewZones | None = None,
) -> TransferReply:
    """Decide and plan the answer to one AXFR/IXFR query (see the module docstring).

    ``history(zone)`` is the zone's recent change log, oldest first (only called for IXFR over
    TCP); ``now`` is the current UNIX time for TSIG; ``view_zones`` the zone per (name, view)
    where a view differs from ``default`` (the snapshot's zone otherwise).
    """
    checked = _check_tsig(data, policy, now)
    if isinstance(checked, TransferReply):
        return checked
    key, mac = checked if checked is not None else (None, b"")

    def reply(
        rcode: int, sections: list[tuple[RRsetData, ...]] | None = None, reason: str = ""
    ) -> TransferReply:
        return TransferReply(rcode, sections or [], key, mac, reason=reason, now=now)

    zone = snapshot.zones.get(qname)
    if zone is None or zone.name != qname:
        return reply(NOTAUTH, reason=f"not authoritative for {qname or '.'}")
    if not tcp:
        if qtype == AXFR:
            return reply(REFUSED, reason="AXFR over UDP")
        if ixfr_client_serial(data) is None:  # RFC 1995 section 3: the client's SOA is required
            return reply(FORMERR, reason="IXFR without an SOA in the authority section")
        # the current SOA alone: what any SOA query shows, so no ACL (UDP does not pass the peer)
        return reply(NOERROR, [(axfr_rrsets(zone)[0],)], reason="IXFR over UDP: the SOA")
    acl = policy.acls.get(zone.name)
    if acl is None or not acl.allows(client, key.name if key else None):
        who = f"{client}" + (f" key {key.name}" if key else " without a key")
        return reply(REFUSED, reason=f"transfer of {zone.name} denied to {who}")
    view = policy.transfer_view(client, key)
    if view == DEFAULT_VIEW:
        if qtype == AXFR:
            return reply(NOERROR, pack_messages(axfr_rrsets(zone), qname))
        return _ixfr(zone, data, history, reply)
    # another view: its own copy where the zone differs; the journal's lines are default's, and
    # a secondary of this view may hold the view's copy of an older serial, so IXFR is whole
    own = (view_zones or {}).get((zone.name, view), zone)
    if qtype == AXFR:
        return reply(NOERROR, pack_messages(axfr_rrsets(own), qname), reason=f"AXFR in view {view}")
    return _ixfr_whole(own, data, reply, f" in view {view}")


def _ixfr_whole(
    zone: ZoneData, data: bytes, reply: Callable[..., TransferReply], in_view: str
) -> TransferReply:
    """IXFR in a view with its own zone data: the journal holds the default view's changes, so
    a client behind gets the whole zone (a client at the current serial the SOA alone)."""
    serial = ixfr_client_serial(data)
    if serial is None:
        return reply(FORMERR, reason="IXFR without an SOA in the authority section")
    rrsets = ixfr_rrsets(zone, (), serial)  # None unless the client is current
    if rrsets is None:
        return reply(
            NOERROR,
            pack_messages(axfr_rrsets(zone), zone.name),
            reason=f"IXFR from {serial}{in_view} as AXFR",
        )
    return reply(NOERROR, pack_messages(rrsets, zone.name), reason=f"IXFR from {serial}{in_view}: up to date")


def _ixfr(
    zone: ZoneData,
    data: bytes,
    history: Callable[[str], Sequence[ZoneChange]],
    reply: Callable[..., TransferReply],
) -> TransferReply:
    serial = ixfr_client_serial(data)
    if serial is None:
        return reply(FORMERR, reason="IXFR without an SOA in the authority section")
    rrsets = ixfr_rrsets(zone, history(zone.name), serial)
    if rrsets is None:
        return reply(
            NOERROR,
            pack_messages(axfr_rrsets(zone), zone.name),
            reason=f"IXFR from {serial} as AXFR",
        )
    return reply(NOERROR, pack_messages(rrsets, zone.name), reason=f"IXFR from {serial}")
