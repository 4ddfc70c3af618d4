"""Malformed DNS messages built from valid queries: the corpus of the packet-level fuzz test and
of ``bench/fuzz.py``. Every mutation is deterministic given its ``random.Random``."""

from __future__ import annotations

import random
import struct
from collections.abc import Callable

import dns.edns
import dns.message

from tests.e2e.conftest import ZONE

NAMES = [
    f"www.{ZONE}", f"WwW.{ZONE}", f"nothing.{ZONE}", f"x.apps.{ZONE}", f"a.b.c.{ZONE}", f"alias.{ZONE}",
    f"sub.{ZONE}", f"dn.{ZONE}", f"many.{ZONE}", f"big.{ZONE}", ZONE, "example.org", "version.bind",
]  # fmt: skip
TYPES = [
    "A",
    "AAAA",
    "TXT",
    "MX",
    "NS",
    "SOA",
    "CNAME",
    "SRV",
    "CAA",
    "ANY",
    "AXFR",
    "IXFR",
    "OPT",
    "TYPE999",
]


def valid_queries(rng: random.Random, count: int) -> list[bytes]:
    """Well-formed queries: every name and type, with and without EDNS, DO and options."""
    out = []
    for _ in range(count):
        options = [dns.edns.GenericOption(10, rng.randbytes(8))] if rng.random() < 0.3 else []
        query = dns.message.make_query(
            rng.choice(NAMES), rng.choice(TYPES), use_edns=rng.choice([None, 0]),
            want_dnssec=rng.random() < 0.2, options=options or None,
        )  # fmt: skip
        out.append(query.to_wire())
    return out


def flip_bits(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def wrong_counts(rng: random.Random, data: bytes) -> bytes:
    counts = [rng.choice([0, 1, 2, 255, 65535]) for _ in range(4)]
    return data[:4] + struct.pack("!HHHH", *counts) + data[12:]


def compression_loop(rng: random.Random, data: bytes) -> bytes:
    """The question name replaced by a pointer to itself, or by two pointers to each other."""
    rest = data[data.index(b"\x00", 12) + 1 :] if b"\x00" in data[12:] else b"\x00\x01\x00\x01"
    loop = rng.choice([b"\xc0\x0c", b"\x03www\xc0\x0c", b"\xc0\x0e\xc0\x0c", b"\x01a\xc0\x0e"])
    return data[:12] + loop + rest


def huge_label(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    out[12] = rng.choice([0x3F, 0x40, 0x7F, 0x80, 0xBF, 0xFF])
    if rng.random() < 0.5:
        out += bytes(rng.randrange(300))
    return bytes(out)


def mangle_opt(rng: random.Random, data: bytes) -> bytes:
    """An OPT record with a wrong length, bad options, an odd payload size or version, or twice."""
    opt = bytearray(b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00")
    choice = rng.randrange(5)
    if choice == 0:
        opt[9:11] = struct.pack("!H", rng.choice([1, 4, 200, 65535]))
    elif choice == 1:
        body = struct.pack("!HH", rng.choice([3, 8, 10, 12, 65535]), rng.choice([0, 2, 40, 1000]))
        body += rng.randbytes(rng.randrange(12))
        opt[9:11] = struct.pack("!H", len(body))
        opt += body
    elif choice == 2:
        opt[3:5] = struct.pack("!H", rng.choice([0, 1, 511, 65535]))
    elif choice == 3:
        opt[6] = rng.choice([1, 255])  # EDNS version
    else:
        opt += bytes(opt)
    header = bytearray(data[:12])
    header[10:12] = struct.pack("!H", 2 if choice == 4 else 1)
    question_end = data.index(b"\x00", 12) + 5 if b"\x00" in data[12:] else len(data)
    return bytes(header) + data[12:question_end] + bytes(opt)


def garbage_tail(rng: random.Random, data: bytes) -> bytes:
    return data + rng.randbytes(rng.randrange(1, 64))


MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    flip_bits, truncate, wrong_counts, compression_loop, huge_label, mangle_opt, garbage_tail,
]  # fmt: skip


def apply(mutation: Callable[[random.Random, bytes], bytes], rng: random.Random, data: bytes) -> bytes:
    """``mutation`` of ``data``, which is padded to a header and a byte first (mutations chain)."""
    return mutation(rng, data.ljust(13, b"\x00")) or b"\x00"


def corpus(seed: int, count: int) -> list[bytes]:
    """``count`` malformed messages, each one mutation (sometimes two) of a valid query."""
    rng = random.Random(seed)
    bases = valid_queries(rng, 50)
    out = []
    for _ in range(count):
        data = rng.choice(bases)
        for _ in range(rng.choice([1, 1, 1, 2])):
            data = apply(rng.choice(MUTATIONS), rng, data)
        out.append(data)
    return out
