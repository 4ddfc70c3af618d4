"""NOTIFY (RFC 1996): tell a zone's secondaries that its serial changed; answer incoming NOTIFY.

:class:`Notifier` is what the server drives: call :meth:`Notifier.zone_changed` (on the event
loop) whenever the change feed moves a zone's serial. Each secondary in ``zone.secondaries``
gets a NOTIFY over UDP, retried with exponential backoff until it answers; a newer serial
replaces a NOTIFY still being retried for an older one. Every outcome is logged.

The messages are tiny and fixed in shape (a header, the question, the SOA), so they are built
here rather than through the DNS codec; TSIG needs the exact bytes anyway.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
import struct
import time
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass

from dnsd import metrics
from dnsd.domain.rdata import SOA
from dnsd.domain.secondaries import parse_secondary
from dnsd.domain.transfer import TsigKey
from dnsd.domain.zones import Zone
from dnsd.xfr_tsig import FormError, TsigError, encode_name, sign_message, verify_message

log = logging.getLogger("dnsd.notify")
OPCODE_NOTIFY = 4
TYPE_SOA, CLASS_IN = 6, 1
NOERROR, FORMERR, NOTAUTH = 0, 1, 9
_QR, _AA = 0x8000, 0x0400


def parse_target(text: str) -> tuple[str, int]:
    """``192.0.2.1``, ``192.0.2.1:5300``, ``2001:db8::1`` or ``[2001:db8::1]:5300`` -> (host, port).
    Raises ValueError for anything else (secondaries are addresses, not names); see
    :func:`dnsd.domain.secondaries.parse_secondary`, which the API checks them with."""
    return parse_secondary(text)


def notify_targets(secondaries: Sequence[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """The (host, port) of each secondary, and a message for each entry that is not one."""
    targets, problems = [], []
    for text in secondaries:
        try:
            targets.append(parse_target(text))
        except ValueError as exc:
            problems.append(f"secondary {text!r} is not an address[:port]: {exc}")
    return targets, problems


def _soa_rr(zone: str, ttl: int, soa: SOA) -> bytes:
    rdata = (
        encode_name(soa.mname)
        + encode_name(soa.rname)
        + struct.pack("!5I", soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum)
    )
    return encode_name(zone) + struct.pack("!HHIH", TYPE_SOA, CLASS_IN, ttl, len(rdata)) + rdata


def notify_query(zone: Zone, msg_id: int) -> bytes:
    """A NOTIFY for ``zone``: AA set, QTYPE SOA, and the SOA in the answer section so the
    secondary can see from the serial whether it needs to transfer (RFC 1996 section 3.7)."""
    flags = (OPCODE_NOTIFY << 11) | _AA
    header = struct.pack("!6H", msg_id, flags, 1, 1, 0, 0)
    question = encode_name(zone.name) + struct.pack("!HH", TYPE_SOA, CLASS_IN)
    return header + question + _soa_rr(zone.name, zone.ttl, zone.soa())


def notify_response_rcode(wire: bytes, msg_id: int) -> int | None:
    """The rcode of ``wire`` if it answers our NOTIFY ``msg_id``, else None (ignore it)."""
    if len(wire) < 12:
        return None
    got_id, flags = int.from_bytes(wire[0:2], "big"), int.from_bytes(wire[2:4], "big")
    if got_id != msg_id or not flags & _QR or (flags >> 11) & 0xF != OPCODE_NOTIFY:
        return None
    return flags & 0xF


def incoming_notify_rcode(zones: Container[str], qname: str, qtype: int) -> int:
    """The rcode for a NOTIFY we receive: dnsd is the primary, so a NOTIFY for one of its zones
    needs no action and gets NOERROR (what bind9 answers as primary); any other zone NOTAUTH;
    a QTYPE other than SOA FORMERR (RFC 1996 section 3.7)."""
    if qtype != TYPE_SOA:
        return FORMERR
    return NOERROR if qname in zones else NOTAUTH


@dataclass(frozen=True, slots=True)
class NotifyResult:
    zone: str
    serial: int
    target: tuple[str, int]
    rcode: int | None  # None: no answer after every attempt
    attempts: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.rcode == NOERROR and not self.error


class _Client(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.queue.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        log.debug("NOTIFY socket error: %s", exc)  # ICMP unreachable: the retry handles it


async def _await_answer(client: _Client, msg_id: int, timeout: float) -> bytes | None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            wire = await asyncio.wait_for(client.queue.get(), left)
        except TimeoutError:
            return None
        if notify_response_rcode(wire, msg_id) is not None:
            return wire
    return None


def _check_signature(wire: bytes, key: TsigKey | None, mac: bytes) -> str:
    if key is None:
        return ""
    try:
        verified = verify_message(wire, {key.name: key}, int(time.time()), prior_mac=mac)
    except (TsigError, FormError) as exc:
        return f"bad TSIG on the answer: {exc}"
    return "" if verified is not None else "the answer is not signed"


async def send_notify(
    zone: Zone,
    target: tuple[str, int],
    *,
    key: TsigKey | None = None,
    timeout: float = 1.0,
    attempts: int = 5,
    backoff: float = 2.0,
) -> NotifyResult:
    """NOTIFY one secondary about ``zone``'s current serial, retrying with exponential backoff
    (``timeout``, then ``timeout * backoff``, ...) until it answers or ``attempts`` run out."""
    loop = asyncio.get_running_loop()
    transport, client = await loop.create_datagram_endpoint(_Client, remote_addr=target)
    try:
        for attempt in range(1, attempts + 1):
            msg_id = secrets.randbits(16)
            wire, mac = notify_query(zone, msg_id), b""
            if key is not None:
                wire, mac = sign_message(wire, key, int(time.time()))
            transport.sendto(wire)
            answer = await _await_answer(client, msg_id, timeout * backoff ** (attempt - 1))
            if answer is not None:
                rcode = notify_response_rcode(answer, msg_id)
                return NotifyResult(
                    zone.name, zone.serial, target, rcode, attempt, _check_signature(answer, key, mac)
                )
        return NotifyResult(zone.name, zone.serial, target, None, attempts, "no answer")
    finally:
        transport.close()


class Notifier:
    """NOTIFY every secondary of a zone whenever its serial changes (see the module docstring).

    ``key_for(zone)`` gives the TSIG key to sign with (None: unsigned, the bind9 default for a
    primary listed in ``primaries``). ``on_result`` sees every outcome (tests, metrics).
    """

    def __init__(
        self,
        key_for: Callable[[str], TsigKey | None] | None = None,
        *,
        timeout: float = 1.0,
        attempts: int = 5,
        on_result: Callable[[NotifyResult], None] | None = None,
    ) -> None:
        self.key_for = key_for or (lambda _zone: None)
        self.timeout, self.attempts, self.on_result = timeout, attempts, on_result
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def zone_changed(self, zone: Zone) -> None:
        """Start notifying ``zone``'s secondaries; replaces a run still retrying an older serial."""
        if not zone.secondaries:
            return
        running = self._tasks.pop(zone.name, None)
        if running is not None:
            running.cancel()
        task = asyncio.get_running_loop().create_task(self._notify_all(zone), name=f"notify {zone.name}")
        self._tasks[zone.name] = task
        task.add_done_callback(functools.partial(self._forget, zone.name))

    def _forget(self, zone: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(zone) is task:
            del self._tasks[zone]

    async def _notify_all(self, zone: Zone) -> None:
        targets, problems = notify_targets(zone.secondaries)
        for problem in problems:
            log.warning("zone %s: %s", zone.name, problem)
        key = self.key_for(zone.name)
        results = await asyncio.gather(
            *(send_notify(zone, t, key=key, timeout=self.timeout, attempts=self.attempts) for t in targets)
        )
        for result in results:
            self._report(result)

    def _report(self, result: NotifyResult) -> None:
        where = f"{result.target[0]}#{result.target[1]}"
        if result.ok:
            log.info("NOTIFY %s serial %d to %s: NOERROR (attempt %d)", result.zone, result.serial, where,
                     result.attempts)  # fmt: skip
        else:
            log.warning("NOTIFY %s serial %d to %s failed after %d attempts: rcode %s %s", result.zone,
                        result.serial, where, result.attempts, result.rcode, result.error)  # fmt: skip
        metrics.count_notify("sent", "acked" if result.ok else "failed")
        if self.on_result is not None:
            self.on_result(result)

    async def close(self) -> None:
        """Cancel every NOTIFY still retrying (server shutdown)."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
