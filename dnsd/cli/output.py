"""Printing results: aligned tables and field lists for people, JSON for programs (``--json``).

In JSON mode stdout carries exactly one JSON document, so ``dnsd --json ... | jq`` always works;
human notes go to stderr. Cells may hold a list: its items are stacked on separate lines of
the same row, so an RRset with several values stays readable.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

EMPTY = "-"


def cell_lines(value: object) -> list[str]:
    """The text lines one table cell shows for ``value`` (``-`` for nothing)."""
    if value is None or value == "":
        return [EMPTY]
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, dt.datetime):
        return [value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")]
    if isinstance(value, list | tuple):
        lines = [line for item in value for line in cell_lines(item)]
        return lines or [EMPTY]
    return str(value).splitlines() or [EMPTY]


def render_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Columns padded to their widest cell, upper-case headers, no trailing spaces."""
    cells = [[cell_lines(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, lines in enumerate(row):
            widths[i] = max(widths[i], *(len(line) for line in lines))
    out = [_join([h.upper() for h in headers], widths)]
    for row in cells:
        for depth in range(max(len(lines) for lines in row)):
            out.append(_join([lines[depth] if depth < len(lines) else "" for lines in row], widths))
    return "\n".join(out)


def _join(parts: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(p.ljust(w) for p, w in zip(parts, widths, strict=True)).rstrip()


def render_fields(pairs: Sequence[tuple[str, object]]) -> str:
    """A vertical ``key: value`` list (for one object); list values continue on aligned lines."""
    width = max((len(k) for k, _ in pairs), default=0) + 1
    out = []
    for key, value in pairs:
        lines = cell_lines(value)
        out.append(f"{key + ':':<{width}} {lines[0]}")
        out.extend(f"{'':<{width}} {line}" for line in lines[1:])
    return "\n".join(out)


def _default(value: object) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    raise TypeError(f"cannot print {type(value).__name__} as JSON")


def to_json(data: object) -> str:
    return json.dumps(data, indent=2, default=_default, ensure_ascii=False)


def emit(args: argparse.Namespace, data: object, text: str) -> None:
    """Print ``data`` as JSON when ``--json`` was given, else the human ``text``."""
    print(to_json(data) if args.json else text)


def note(message: str) -> None:
    """A remark for the person at the terminal, kept out of stdout (and so out of JSON)."""
    print(message, file=sys.stderr)
