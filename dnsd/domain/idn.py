"""Internationalised labels: IDNA 2008 with the UTS #46 mapping (the ``idna`` package).

A label is converted only when nothing about it is lost: what IDNA 2008 refuses (symbols such
as U+2603 SNOWMAN, joiners out of context) is refused, and so is a character the UTS #46
mapping would silently delete (U+200B ZERO WIDTH SPACE, U+00AD SOFT HYPHEN, variation
selectors): ``a\\u200bb`` would otherwise become ``ab`` and an invisible character would address
another name. Case folding and width mapping (``Ü`` -> ``ü``, full-width ``\\uff41`` -> ``a``) are
the mapping's purpose and stay. An ASCII label that claims to be an A-label (``xn--``) must be
one that IDNA 2008 decodes and encodes back to itself.
"""

from __future__ import annotations

import unicodedata

import idna


def to_ascii_label(label: str) -> str:
    """The lower-case ASCII form of one label (an A-label for a non-ASCII one).

    Raises ValueError saying why when the label is no valid IDNA 2008 / UTS #46 label.
    """
    if label.isascii():
        lower = label.lower()
        if lower.startswith("xn--"):
            _check_a_label(lower)
        return lower
    for char in label:
        if not idna.uts46_remap(char, std3_rules=False, transitional=False):
            raise ValueError(
                f"label {label!r} contains U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')}), "
                "an invisible character IDNA would silently drop"
            )
    try:
        return idna.encode(label, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(f"label {label!r} is not valid IDNA 2008 (UTS #46): {exc}") from None


def _check_a_label(label: str) -> None:
    try:
        valid = idna.encode(idna.decode(label)).decode("ascii") == label
    except (idna.IDNAError, UnicodeError):
        valid = False
    if not valid:
        raise ValueError(f"label {label!r} starts with 'xn--' but is not a valid IDNA 2008 A-label")
