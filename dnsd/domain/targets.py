"""Pool targets of a record: which pools an A/AAAA RRset points at, with weights, and how one
is picked per query (docs/selection.md, step 4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from dnsd.domain.errors import InvalidInput, Reason

Mode = Literal["hashed", "random"]
MODES: tuple[Mode, ...] = ("hashed", "random")
MAX_WEIGHT = 1_000_000


@dataclass(frozen=True, slots=True)
class Target:
    """One pool a record points at, with its weight (0 = published nowhere, kept for shifts)."""

    pool: str
    weight: int


def make_targets(weights: Mapping[str, int] | Sequence[tuple[str, int]]) -> tuple[Target, ...]:
    """Validate ``{pool: weight}`` (or pairs): distinct pools, integer weights 0..1,000,000, at
    least one weight > 0. Pool names are lower-cased. Raises :class:`InvalidInput` with every
    problem."""
    pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
    reasons: list[Reason] = []
    seen: set[str] = set()
    out: list[Target] = []
    for i, (raw_pool, weight) in enumerate(pairs):
        pool = str(raw_pool).strip().lower()
        if pool in seen:
            reasons.append(Reason(f"targets.{i}.pool", f"pool {pool!r} is listed twice"))
        seen.add(pool)
        if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= MAX_WEIGHT:
            reasons.append(Reason(f"targets.{i}.weight", f"an integer from 0 to {MAX_WEIGHT}"))
        out.append(Target(pool, weight if isinstance(weight, int) else 0))
    if not pairs:
        reasons.append(Reason("targets", "give at least one pool"))
    elif not reasons and not any(t.weight > 0 for t in out):
        reasons.append(Reason("targets", "at least one target needs a weight above 0"))
    if reasons:
        raise InvalidInput(reasons)
    return tuple(out)


def check_mode(mode: str, reasons: list[Reason]) -> Mode:
    """The selection mode, or a reason naming the field ``mode``."""
    if mode == "random":
        return "random"
    if mode != "hashed":
        reasons.append(Reason("mode", f"one of {', '.join(MODES)}, not {mode!r}"))
    return "hashed"
