"""TSIG (RFC 8945) with HMAC-SHA256 on finished wire messages. No I/O.

TSIG signs exact bytes, so it works on the encoded message: :func:`sign_message` appends a TSIG
RR to a message, :func:`verify_message` checks and strips one. A signed exchange chains MACs:

- a request is signed with the full TSIG variables;
- the first response message is signed with the request's MAC as ``prior_mac``;
- every later message of a multi-message (AXFR/IXFR) response with the previous message's MAC
  as ``prior_mac`` and ``timers_only=True`` (RFC 8945 section 5.3.1).

Errors are :class:`TsigError` with the TSIG error code; the server answers NOTAUTH with
:func:`unsigned_error` (BADKEY, BADSIG) or a signed BADTIME answer (section 5.2). A malformed
message raises :class:`dnsd.wire.FormError`. Names go through the wire codec
(:func:`dnsd.wire.encode_name`, :func:`dnsd.wire.read_name`), as every other DNS name does.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from dnsd.domain.errors import DnsdError
from dnsd.domain.transfer import HMAC_SHA256, TsigKey
from dnsd.wire import FormError, encode_name, read_name

TSIG_TYPE, CLASS_ANY = 250, 255
BADSIG, BADKEY, BADTIME, BADTRUNC = 16, 17, 18, 22
DEFAULT_FUDGE = 300
_HASH = {HMAC_SHA256: hashlib.sha256}
_MIN_MAC = 16  # octets; shorter (truncated) MACs get BADTRUNC (RFC 8945 section 5.2.2.1)


class TsigError(DnsdError):
    """A TSIG check failed. ``error`` is the RFC 8945 code, ``record`` the TSIG RR if parsed."""

    def __init__(self, error: int, message: str, record: TsigRecord | None = None) -> None:
        self.error, self.record = error, record
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class TsigRecord:
    key_name: str
    algorithm: str
    time_signed: int
    fudge: int
    mac: bytes
    original_id: int
    error: int
    other: bytes


def _skip_rr(wire: bytes, offset: int) -> int:
    _, offset = read_name(wire, offset)
    if offset + 10 > len(wire):
        raise FormError("truncated RR")
    rdlength = int.from_bytes(wire[offset + 8 : offset + 10], "big")
    if offset + 10 + rdlength > len(wire):
        raise FormError("truncated RDATA")
    return offset + 10 + rdlength


def _records(wire: bytes) -> list[tuple[int, int]]:
    """``(offset, type)`` of every RR after the question section."""
    if len(wire) < 12:
        raise FormError("short header")
    qd, an, ns, ar = struct.unpack_from("!4H", wire, 4)
    offset = 12
    for _ in range(qd):
        _, offset = read_name(wire, offset)
        offset += 4
    out = []
    for _ in range(an + ns + ar):
        _, after_name = read_name(wire, offset)
        if after_name + 2 > len(wire):
            raise FormError("truncated RR")
        out.append((offset, struct.unpack_from("!H", wire, after_name)[0]))
        offset = _skip_rr(wire, offset)
    return out


def _parse_record(wire: bytes, start: int) -> TsigRecord:
    key_name, offset = read_name(wire, start)
    offset += 10
    algorithm, offset = read_name(wire, offset)
    time_hi, time_lo, fudge, mac_size = struct.unpack_from("!HIHH", wire, offset)
    offset += 10
    mac = wire[offset : offset + mac_size]
    original_id, error, other_len = struct.unpack_from("!HHH", wire, offset + mac_size)
    other = wire[offset + mac_size + 6 : offset + mac_size + 6 + other_len]
    return TsigRecord(key_name, algorithm, (time_hi << 32) | time_lo, fudge, mac, original_id, error, other)


def split_tsig(wire: bytes) -> tuple[bytes, TsigRecord] | None:
    """``(message without its TSIG RR, the TSIG RR)``; the message gets ARCOUNT - 1 and its
    original ID back, as the MAC covers it. None when the message carries no TSIG RR.
    Raises :class:`FormError` when a TSIG RR is anywhere but last in the additional section."""
    records = _records(wire)
    tsig = [i for i, (_, rtype) in enumerate(records) if rtype == TSIG_TYPE]
    if not tsig:
        return None
    if tsig != [len(records) - 1] or struct.unpack_from("!H", wire, 10)[0] == 0:
        raise FormError("a TSIG RR must be the last RR of the message")
    start = records[-1][0]
    try:
        record = _parse_record(wire, start)
    except (struct.error, FormError):
        raise FormError("malformed TSIG RR") from None
    arcount = struct.unpack_from("!H", wire, 10)[0] - 1
    head = struct.pack("!H", record.original_id) + wire[2:10] + struct.pack("!H", arcount)
    return head + wire[12:start], record


def _variables(
    key: TsigKey, time_signed: int, fudge: int, error: int, other: bytes, timers_only: bool
) -> bytes:
    timers = struct.pack("!HIH", time_signed >> 32, time_signed & 0xFFFFFFFF, fudge)
    if timers_only:
        return timers
    head = encode_name(key.name) + struct.pack("!HI", CLASS_ANY, 0) + encode_name(key.algorithm)
    return head + timers + struct.pack("!HH", error, len(other)) + other


def compute_mac(
    key: TsigKey, message: bytes, time_signed: int, fudge: int, *,
    prior_mac: bytes = b"", timers_only: bool = False, error: int = 0, other: bytes = b"",
) -> bytes:  # fmt: skip
    """The HMAC over (prior MAC) + message + TSIG variables (or only the timers)."""
    data = (struct.pack("!H", len(prior_mac)) + prior_mac) if (prior_mac or timers_only) else b""
    data += message + _variables(key, time_signed, fudge, error, other, timers_only)
    return hmac.new(key.secret, data, _HASH[key.algorithm]).digest()


def _tsig_rr(key_name: str, algorithm: str, time_signed: int, fudge: int, mac: bytes,
             original_id: int, error: int, other: bytes) -> bytes:  # fmt: skip
    rdata = (
        encode_name(algorithm)
        + struct.pack("!HIHH", time_signed >> 32, time_signed & 0xFFFFFFFF, fudge, len(mac))
        + mac
        + struct.pack("!HHH", original_id, error, len(other))
        + other
    )
    return encode_name(key_name) + struct.pack("!HHIH", TSIG_TYPE, CLASS_ANY, 0, len(rdata)) + rdata


def _append(message: bytes, rr: bytes) -> bytes:
    arcount = struct.unpack_from("!H", message, 10)[0] + 1
    return message[:10] + struct.pack("!H", arcount) + message[12:] + rr


def sign_message(
    message: bytes, key: TsigKey, time_signed: int, *, fudge: int = DEFAULT_FUDGE,
    prior_mac: bytes = b"", timers_only: bool = False, error: int = 0, other: bytes = b"",
) -> tuple[bytes, bytes]:  # fmt: skip
    """Append a TSIG RR to ``message`` (an encoded message without one); returns the signed
    message and its MAC (the ``prior_mac`` of the next message in the exchange)."""
    mac = compute_mac(
        key,
        message,
        time_signed,
        fudge,
        prior_mac=prior_mac,
        timers_only=timers_only,
        error=error,
        other=other,
    )
    original_id = struct.unpack_from("!H", message, 0)[0]
    return _append(
        message, _tsig_rr(key.name, key.algorithm, time_signed, fudge, mac, original_id, error, other)
    ), mac


def verify_message(
    wire: bytes, keys: Mapping[str, TsigKey], now: int, *,
    prior_mac: bytes = b"", timers_only: bool = False,
) -> tuple[TsigKey, TsigRecord] | None:  # fmt: skip
    """Check the TSIG RR of ``wire``: None when unsigned, else the key and the record.

    Raises :class:`TsigError` (BADKEY: unknown key or algorithm; BADSIG: wrong MAC; BADTRUNC:
    MAC shorter than allowed; BADTIME: outside the fudge window, checked after the MAC) or
    :class:`FormError`.
    """
    split = split_tsig(wire)
    if split is None:
        return None
    message, record = split
    key = keys.get(record.key_name)
    if key is None or key.algorithm != record.algorithm:
        raise TsigError(BADKEY, f"unknown TSIG key {record.key_name} ({record.algorithm})", record)
    if len(record.mac) < _MIN_MAC:
        raise TsigError(BADTRUNC, f"TSIG MAC of {len(record.mac)} octets is too short", record)
    want = compute_mac(
        key, message, record.time_signed, record.fudge, prior_mac=prior_mac, timers_only=timers_only,
        error=record.error, other=record.other,
    )  # fmt: skip
    if not hmac.compare_digest(want[: len(record.mac)], record.mac):
        raise TsigError(BADSIG, f"bad TSIG signature with key {record.key_name}", record)
    if abs(now - record.time_signed) > record.fudge:
        raise TsigError(BADTIME, f"TSIG time {record.time_signed} is outside {now}±{record.fudge}", record)
    return key, record


def unsigned_error(message: bytes, record: TsigRecord, error: int, now: int) -> bytes:
    """Append the unsigned TSIG RR (empty MAC) a NOTAUTH answer carries for BADKEY/BADSIG."""
    rr = _tsig_rr(record.key_name, record.algorithm, now, record.fudge, b"", record.original_id, error, b"")
    return _append(message, rr)


def badtime_answer(message: bytes, key: TsigKey, record: TsigRecord, now: int) -> bytes:
    """A NOTAUTH answer for BADTIME: signed, with our time in Other Data (RFC 8945 5.2.3)."""
    signed, _ = sign_message(
        message, key, record.time_signed, fudge=record.fudge, prior_mac=record.mac, error=BADTIME,
        other=now.to_bytes(6, "big"),
    )  # fmt: skip
    return signed
