"""Fuzz the wire decoder and the answer path in-process with Hypothesis.

    python -m bench.fuzz [--iterations 20000] [--seed 0]

Each example is a valid query put through one or two structured mutations (bit flips,
truncation, wrong counts, compression loops, huge labels, OPT mangling, garbage tails; see
``tests/ops_server/mutations.py``) or plain random bytes. For each, ``wire.parse_query`` must
return or raise ``FormError``, and ``Responder.respond`` (over UDP and TCP rules) must return
None or a message that dnspython parses, with the query's ID, within the size limit, without
logging an exception (the responder turns exceptions into SERVFAIL and logs them: a crash).
Prints the packets tried and every distinct crash found.
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import time
from collections import Counter

import dns.exception
import dns.message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnsd import wire
from dnsd.server.feed import load_snapshot
from dnsd.server.holder import SnapshotHolder
from dnsd.server.responder import Responder
from dnsd.store.engine import make_engine
from dnsd.store.migrate import upgrade
from dnsd.store.zonestore import ZoneStore
from tests.e2e.conftest import populate
from tests.ops_server.mutations import MUTATIONS, apply, valid_queries


class Crashes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        self.found[f"{record.getMessage()} -> {type(exc).__name__}: {exc}"] += 1


def check(responder: Responder, data: bytes, problems: Counter[str]) -> None:
    try:
        wire.parse_query(data)
    except wire.FormError:
        pass
    except Exception as exc:  # noqa: BLE001 - exactly what we are looking for
        problems[f"parse_query raised {type(exc).__name__}: {exc}"] += 1
    for tcp in (False, True):
        reply = responder.respond(data, tcp)
        if reply is None:
            continue
        if not tcp and len(reply) > wire.OUR_PAYLOAD and len(reply) > wire.MIN_UDP:
            problems["UDP reply over the size limit"] += 1
        try:
            message = dns.message.from_wire(reply, question_only=True)
        except dns.exception.DNSException as exc:
            problems[f"reply does not parse: {type(exc).__name__}"] += 1
            continue
        if message.id != int.from_bytes(data[:2], "big"):
            problems["reply ID differs from the query's"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dnsd-fuzz-") as tmp:
        url = f"sqlite:///{tmp}/fuzz.db"
        upgrade(url)
        store = ZoneStore(make_engine(url))
        populate(store)
        holder = SnapshotHolder(load_snapshot(store))
    responder = Responder(holder, "dnsd-fuzz", "fuzz-1")
    crashes = Crashes()
    logging.getLogger("dnsd").addHandler(crashes)
    logging.getLogger("dnsd").propagate = False
    bases = valid_queries(random.Random(args.seed), 200)
    problems: Counter[str] = Counter()
    tried = 0

    mutated = st.builds(
        lambda base, steps, seed: _mutate(bases[base], steps, seed),
        st.integers(0, len(bases) - 1), st.lists(st.integers(0, len(MUTATIONS) - 1), min_size=1, max_size=3),
        st.integers(0, 2**32),
    )  # fmt: skip

    @settings(max_examples=args.iterations, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(st.one_of(mutated, st.binary(max_size=600)))
    def fuzz(data: bytes) -> None:
        nonlocal tried
        tried += 1
        check(responder, data, problems)

    started = time.perf_counter()
    fuzz()
    elapsed = time.perf_counter() - started
    problems.update(crashes.found)
    print(f"packets tried: {tried} in {elapsed:.1f}s; crashes found: {sum(problems.values())}")
    for problem, count in problems.most_common():
        print(f"  {count:>6}  {problem}")


def _mutate(base: bytes, steps: list[int], seed: int) -> bytes:
    rng = random.Random(seed)
    data = base
    for step in steps:
        data = apply(MUTATIONS[step], rng, data)
    return data


if __name__ == "__main__":
    main()
