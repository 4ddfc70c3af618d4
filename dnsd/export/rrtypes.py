"""RR type tokens and classes in zone files, so the importer can tell a type dnsd does not
store (reported and skipped) from a typo (an error)."""

from __future__ import annotations

import re
import sys

from dnsd.domain.rrtypes import QUERY_ONLY_TYPES, canonical_type

META_TYPES = QUERY_ONLY_TYPES


def type_name(token: str) -> str | None:
    """The mnemonic for a type token (``mx``, ``TYPE15``), or None when it is not a type.

    ``TYPEnnn`` maps to the mnemonic when the type has one (:mod:`dnsd.domain.rrtypes`), else
    stays ``TYPEnnn``.
    """
    name = canonical_type(token)
    return None if name is None else sys.intern(name)  # one "A" for a million A records


def is_class(token: str) -> bool:
    upper = token.upper()
    return upper in ("IN", "CH", "CHAOS", "HS", "HESIOD", "CS", "NONE", "ANY") or bool(
        re.match(r"^CLASS\d{1,5}$", upper)
    )


def is_internet_class(token: str) -> bool:
    return token.upper() in ("IN", "CLASS1")
