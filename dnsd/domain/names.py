"""Domain names: normalisation, validation, IDNA, and the relations between names.

A name is kept as a ``str`` in one canonical form everywhere in dnsd: lower-case ASCII
(internationalised labels as punycode ``xn--``), labels joined by ``.``, no trailing dot. The
root is the empty string. Presentation forms (trailing dot, ``@``) exist only at the edges.
"""

from __future__ import annotations

import re

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.idn import to_ascii_label

MAX_NAME = 253  # octets in text form without the trailing dot; 255 on the wire
MAX_LABEL = 63
_LDH = re.compile(r"^_?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_LENIENT = re.compile(r"^[\x21-\x2d\x2f-\x7e]+$")  # printable ASCII except '.'
# IDNA (RFC 3490 section 3.1) treats these full stops like '.'; users paste them from CJK text
_IDNA_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
# A name every rule accepts as it is: lower-case LDH labels (``_`` allowed first), at most a
# leading ``*``, optionally a trailing dot. Most names are like this; they skip the per-label
# work (a zone file of a million records reads them all). ``xn--`` labels take the full path.
_PLAIN_LABEL = r"_?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN = re.compile(rf"(?:\*\.)?(?:{_PLAIN_LABEL}\.)*{_PLAIN_LABEL}\.?")


def _to_ascii(label: str) -> str:
    return to_ascii_label(label)  # IDNA 2008 + UTS #46; ValueError saying why it is refused


def _label_problem(label: str, leftmost: bool, wildcard: bool, strict: bool) -> str | None:
    if not label:
        return "empty label (two dots in a row or a leading dot)"
    if len(label) > MAX_LABEL:
        return f"label {label[:20]!r}... is {len(label)} octets, longer than {MAX_LABEL}"
    if label == "*":
        if not wildcard:
            return "wildcard '*' is not allowed here"
        if strict and not leftmost:
            return "'*' is only allowed as the leftmost label"
        return None
    if strict and not _LDH.match(label):
        return (
            f"label {label!r} must be letters, digits and hyphens (optionally after a leading '_'),"
            " not starting or ending with a hyphen"
        )
    if not strict and not _LENIENT.match(label):
        return f"label {label!r} contains a character not allowed in a name"
    return None


def name_problems(text: str, *, wildcard: bool = True, strict: bool = True) -> tuple[str, list[str]]:
    """Normalise ``text`` and list every problem with it.

    Returns ``(canonical_name, problems)``; the name is only meaningful when ``problems`` is empty.
    ``strict`` applies the hostname rules of the API (LDH plus ``_`` labels, ``*`` leftmost);
    ``strict=False`` accepts every name bind9 accepts in a zone file (RFC 2181).
    """
    if (wildcard or not text.startswith("*")) and _PLAIN.fullmatch(text) and "xn--" not in text:
        plain = text[:-1] if text.endswith(".") else text
        if len(plain) <= MAX_NAME:
            return plain, []
    return full_name_problems(text, wildcard=wildcard, strict=strict)


def full_name_problems(text: str, *, wildcard: bool = True, strict: bool = True) -> tuple[str, list[str]]:
    """:func:`name_problems` label by label, without its shortcut for plain names (the
    reference the shortcut is tested against)."""
    raw = text.strip().translate(_IDNA_DOTS)
    if raw.endswith("."):
        raw = raw[:-1]
    if not raw:
        return "", ["name is empty"]
    problems: list[str] = []
    labels: list[str] = []
    for i, text_label in enumerate(raw.split(".")):
        try:
            label = _to_ascii(text_label)
        except ValueError as exc:
            problems.append(str(exc))
            labels.append(text_label.lower())  # keeps a lookup of the refused name from matching another
            continue
        problem = _label_problem(label, i == 0, wildcard, strict)
        if problem:
            problems.append(problem)
        labels.append(label)
    name = ".".join(labels)
    if len(name) > MAX_NAME:
        problems.append(f"name is {len(name)} octets, longer than {MAX_NAME}")
    return name, problems


def normalize_name(text: str, field: str = "name", *, wildcard: bool = True, strict: bool = True) -> str:
    """Return the canonical form of ``text`` or raise :class:`InvalidInput` naming ``field``."""
    name, problems = name_problems(text, wildcard=wildcard, strict=strict)
    if problems:
        raise InvalidInput([Reason(field, p) for p in problems])
    return name


def is_subdomain(name: str, zone: str) -> bool:
    """True when ``name`` equals ``zone`` or lies below it (both canonical)."""
    return zone in ("", name) or name.endswith("." + zone)


def parent(name: str) -> str:
    """The name one label up (``""`` for a single label)."""
    _, _, rest = name.partition(".")
    return rest


def relativize(name: str, origin: str) -> str:
    """``name`` relative to ``origin``: ``@`` for the origin itself; absolute (with a dot) outside."""
    if name == origin:
        return "@"
    if origin and name.endswith("." + origin):
        return name[: -len(origin) - 1]
    return name + "."


def absolutize(text: str, origin: str) -> str:
    """Inverse of :func:`relativize` for presentation text (``@``, relative, or with trailing dot)."""
    if text == "@":
        return origin
    if text.endswith("."):
        return text[:-1]
    return f"{text}.{origin}" if origin else text


def ancestors(name: str, zone: str) -> list[str]:
    """Names strictly between ``zone`` and ``name``, nearest to the zone first."""
    out: list[str] = []
    while name != zone and name:
        name = parent(name)
        if name != zone and is_subdomain(name, zone):
            out.append(name)
    return list(reversed(out))
