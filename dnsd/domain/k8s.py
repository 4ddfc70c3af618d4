"""Kubernetes, the pure part: which pool serves which entry point (Gateway selector labels,
Ingress classes, a default).

The mapping is a flat list of :class:`MappingEntry` rows (what the store keeps and the CLI and
API edit); :class:`PoolMapping` answers "which pool?" for a Gateway or an Ingress.

Rules, chosen so DNS never points a name at an entry point that does not serve it:

* A Gateway's pool comes from the entries whose labels are all in the Gateway's ``selector``;
  the entry with the most labels wins; two equally specific entries naming different pools is
  an error. A Gateway no entry matches gets **no** pool (the default does not apply): its
  selector names an entry point, and guessing a different one would publish 404s.
* An Ingress class (``spec.ingressClassName`` or the legacy ``kubernetes.io/ingress.class``
  annotation) must be mapped; an Ingress without a class uses the default, as the cluster's
  default IngressClass serves it.
* A Service annotated with ``dnsd.io/hostnames`` uses its ``dnsd.io/pool`` or the default.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.shifts import check_steps, parse_duration

GATEWAY_SELECTOR, INGRESS_CLASS, DEFAULT = "gateway", "ingress-class", "default"
SHIFT = "shift"  # key "5,25,50,100/600": moves onto the entry's pool go by shift (docs/steering.md)
MAPPING_KINDS = (GATEWAY_SELECTOR, INGRESS_CLASS, DEFAULT, SHIFT)
_LABEL_KEY = re.compile(
    r"^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$")
_CLASS = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
_POOL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class MappingEntry:
    """One mapping row. ``key``: canonical selector text (``k=v,k2=v2``, sorted), an ingress
    class name, or ``""`` for the default."""

    kind: str
    key: str
    pool: str

    def describe(self) -> str:
        return f"{self.kind} {self.key} -> {self.pool}" if self.key else f"{self.kind} -> {self.pool}"


def parse_selector(text: str) -> dict[str, str]:
    """``"istio=ingressgateway,app=x"`` -> ``{"istio": "ingressgateway", "app": "x"}``."""
    labels: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"{part!r} is not label=value")
        labels[key.strip()] = value.strip()
    return labels


def selector_text(labels: Mapping[str, str]) -> str:
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def shift_key(steps: Iterable[int], every: float) -> str:
    """The key of a ``shift`` entry: ``"5,25,50,100/600"`` (steps, then seconds per step)."""
    return f"{','.join(str(s) for s in steps)}/{every:g}"


def parse_shift_key(key: str) -> tuple[tuple[int, ...], float]:
    """``"5,25,50,100/10m"`` -> the steps and seconds; :class:`InvalidInput` when bad."""
    steps_text, _, every_text = key.partition("/")
    try:
        steps = [int(s) for s in steps_text.split(",")]
    except ValueError:
        raise InvalidInput([Reason("steps", f"{steps_text!r}: percentages like 5,25,50,100")]) from None
    return check_steps(steps, parse_duration(every_text or "600"))


def _key_problems(kind: str, key: str) -> tuple[str, list[str]]:
    if kind == SHIFT:
        try:
            return shift_key(*parse_shift_key(key)), []
        except InvalidInput as exc:
            return key, [f"{r.field}: {r.message}" for r in exc.reasons]
    if kind == DEFAULT:
        return "", ([] if not key else ["the default mapping takes no key"])
    if kind == INGRESS_CLASS:
        return key, ([] if _CLASS.match(key) else [f"{key!r} is not an ingress class name"])
    try:
        labels = parse_selector(key)
    except ValueError as exc:
        return key, [str(exc)]
    problems = [f"{k!r} is not a label key" for k in labels if not _LABEL_KEY.match(k)]
    problems += [f"{v!r} is not a label value" for v in labels.values() if not _LABEL_VALUE.match(v)]
    return selector_text(labels), problems


def make_entry(kind: str, key: str, pool: str) -> MappingEntry:
    """Validate one mapping row; raises :class:`InvalidInput` listing every problem."""
    reasons: list[Reason] = []
    if kind not in MAPPING_KINDS:
        reasons.append(Reason("kind", f"one of {', '.join(MAPPING_KINDS)}"))
        canonical = key
    else:
        canonical, problems = _key_problems(kind, key.strip())
        reasons += [Reason("key", p) for p in problems]
    pool = pool.strip().lower()
    if not _POOL.match(pool):
        reasons.append(Reason("pool", "pool names are 1-63 lower-case letters, digits and hyphens"))
    if reasons:
        raise InvalidInput(reasons)
    return MappingEntry(kind, canonical, pool)


@dataclass(frozen=True, slots=True)
class PoolChoice:
    """A pool, or why there is none (``pool`` None and ``reason`` set); ``via`` says which rule."""

    pool: str | None
    via: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PoolMapping:
    entries: tuple[MappingEntry, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[MappingEntry]) -> PoolMapping:
        return cls(tuple(sorted(entries, key=lambda e: (e.kind, e.key))))

    @property
    def default(self) -> str | None:
        return next((e.pool for e in self.entries if e.kind == DEFAULT), None)

    def shift_for(self, pool: str) -> tuple[tuple[int, ...], float] | None:
        """The steps and seconds per step of moves onto ``pool`` when they go by shift."""
        entry = next((e for e in self.entries if e.kind == SHIFT and e.pool == pool), None)
        return parse_shift_key(entry.key) if entry is not None else None

    def default_choice(self, what: str) -> PoolChoice:
        if self.default is None:
            return PoolChoice(None, reason=f"{what}, and no default pool is mapped")
        return PoolChoice(self.default, via="default")

    def for_selector(self, selector: Mapping[str, str]) -> PoolChoice:
        """The pool of a Gateway with this ``spec.selector`` (most specific entry wins)."""
        matches = [
            (len(labels), e)
            for e in self.entries
            if e.kind == GATEWAY_SELECTOR
            for labels in [parse_selector(e.key)]
            if all(selector.get(k) == v for k, v in labels.items())
        ]
        shown = f"selector {{{selector_text(selector)}}}"
        if not matches:
            return PoolChoice(None, reason=f"{shown} matches no gateway mapping")
        best = max(n for n, _ in matches)
        top = sorted({e.pool for n, e in matches if n == best})
        if len(top) > 1:
            return PoolChoice(None, reason=f"{shown} matches equally specific mappings to {top}")
        entry = next(e for n, e in matches if n == best)
        return PoolChoice(entry.pool, via=f"gateway selector {entry.key}")

    def for_ingress_class(self, ingress_class: str | None) -> PoolChoice:
        """The pool of an Ingress of this class (None: no class, so the default)."""
        if not ingress_class:
            return self.default_choice("no ingress class")
        entry = next((e for e in self.entries if e.kind == INGRESS_CLASS and e.key == ingress_class), None)
        if entry is None:
            return PoolChoice(None, reason=f"ingress class {ingress_class!r} is not mapped to a pool")
        return PoolChoice(entry.pool, via=f"ingress class {ingress_class}")


def _document_rows(doc: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(where, kind, key, pool) for every entry of a mapping document."""
    rows: list[tuple[str, str, str, str]] = []
    for i, item in enumerate(doc.get("gateways") or []):
        gw = item if isinstance(item, Mapping) else {}
        selector = gw.get("selector")
        labels = {str(k): str(v) for k, v in selector.items()} if isinstance(selector, Mapping) else {}
        rows.append((f"gateways.{i}", GATEWAY_SELECTOR, selector_text(labels), str(gw.get("pool", ""))))
    for cls, pool in (doc.get("ingressClasses") or {}).items():
        rows.append((f"ingressClasses.{cls}", INGRESS_CLASS, str(cls), str(pool)))
    if doc.get("default"):
        rows.append(("default", DEFAULT, "", str(doc["default"])))
    for pool, raw in (doc.get("shifts") or {}).items():
        spec = raw if isinstance(raw, Mapping) else {}
        steps = spec.get("steps") or [5, 25, 50, 100]
        key = f"{','.join(str(s) for s in steps)}/{spec.get('every', '10m')}"
        rows.append((f"shifts.{pool}", SHIFT, key, str(pool)))
    return rows


def mapping_from_document(doc: Any) -> PoolMapping:
    """A mapping from a YAML/JSON document (``dnsd k8s apply --mapping FILE``)::

        gateways: [{selector: {istio: ingressgateway}, pool: istio-ingressgateway}]
        ingressClasses: {nginx: legacy-ingress}
        default: istio-ingressgateway
        shifts: {istio-ingressgateway: {steps: [5, 25, 50, 100], every: 10m}}

    Raises :class:`InvalidInput` listing every bad entry.
    """
    if not isinstance(doc, Mapping):
        raise InvalidInput([Reason("mapping", "must be a mapping with gateways/ingressClasses/default")])
    entries: list[MappingEntry] = []
    reasons: list[Reason] = []
    for where, kind, key, pool in _document_rows(doc):
        try:
            entries.append(make_entry(kind, key, pool))
        except InvalidInput as exc:
            reasons += [Reason(f"{where}.{r.field}", r.message) for r in exc.reasons]
    if reasons:
        raise InvalidInput(reasons)
    return PoolMapping.of(entries)
