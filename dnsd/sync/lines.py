"""Which dnsd view each DNSPod line (``RecordLine``) publishes.

The operator maps views to lines (``DNSD_DNSPOD_LINES="public=默认,dc-a=境内"`` or
``dnsd sync --line dc-a=境内``). ``public`` publishes on the default line ``默认`` unless mapped
elsewhere; the default line must be published (DNSPod answers a client of a line with no record
of a name from the default line, and refuses a record on another line of a name that has none
on the default line: ``FailedOperation.MustAddDefaultLineFirst``). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW, is_pool_name
from dnsd.sync.records import DEFAULT_LINE

LineMap = tuple[tuple[str, str], ...]
"""``((view, line), ...)``: the default line's view first, then by line name."""
DEFAULT_LINES: LineMap = ((PUBLIC_VIEW, DEFAULT_LINE),)


def parse_lines(items: Iterable[str], field: str = "lines") -> LineMap:
    """``VIEW=LINE`` items (each may hold several, comma-separated) into a :data:`LineMap`.

    ``public`` maps to ``默认`` unless given; ``default`` is not a view DNSPod can serve (use
    ``public``). Raises :class:`InvalidInput` naming each bad item: no ``=``, a bad view name,
    a view or a line given twice, no view on the default line."""
    reasons: list[Reason] = []
    pairs: dict[str, str] = {}
    lines: dict[str, str] = {}
    for i, part in enumerate(p.strip() for item in items for p in item.split(",") if p.strip()):
        view, sep, line = (x.strip() for x in part.partition("="))
        view = view.lower()
        where = f"{field}.{i}"
        if not sep or not view or not line:
            reasons.append(Reason(where, f"{part!r}: use VIEW=LINE, e.g. dc-a=境内"))
        elif view == DEFAULT_VIEW or not is_pool_name(view):
            reasons.append(
                Reason(where, f"{view!r} is not a view DNSPod can publish (use 'public' or a view)")
            )
        elif view in pairs:
            reasons.append(Reason(where, f"view {view!r} is mapped twice"))
        elif line in lines:
            reasons.append(Reason(where, f"line {line!r} already publishes view {lines[line]!r}"))
        else:
            pairs[view], lines[line] = line, view
    if PUBLIC_VIEW not in pairs and DEFAULT_LINE not in lines:
        pairs[PUBLIC_VIEW], lines[DEFAULT_LINE] = DEFAULT_LINE, PUBLIC_VIEW
    if DEFAULT_LINE not in lines and not reasons:
        reasons.append(
            Reason(field, f"no view publishes the default line {DEFAULT_LINE!r} (DNSPod needs it)")
        )
    if reasons:
        raise InvalidInput(reasons)
    return tuple(sorted(pairs.items(), key=lambda vl: (vl[1] != DEFAULT_LINE, vl[1])))


def default_view(lines: LineMap) -> str:
    """The view the default line publishes."""
    return next(view for view, line in lines if line == DEFAULT_LINE)
