"""Hypothesis strategies for names: valid strict labels, unicode labels, lenient oddities."""

from __future__ import annotations

from hypothesis import strategies as st

LDH = "abcdefghijklmnopqrstuvwxyz0123456789"
LDH_INNER = LDH + "-"
# printable ASCII that bind9 takes in a label (escaped in zone files) but strict mode refuses
ODD = "!#$%&'()+,/:;<=>?@[]^`{|}~\"\\"


@st.composite
def ldh_labels(draw: st.DrawFn, max_size: int = 63) -> str:
    """A strict-valid label: letter/digit at both ends, hyphens inside, maybe a leading '_'."""
    underscore = draw(st.booleans())
    budget = max_size - (1 if underscore else 0)
    first = draw(st.sampled_from(LDH))
    size = draw(st.integers(0, budget - 1))
    inner = draw(st.text(LDH_INNER, min_size=max(size - 1, 0), max_size=max(size - 1, 0)))
    last = draw(st.sampled_from(LDH)) if size else ""
    return ("_" if underscore else "") + first + inner + last


def hostnames(min_labels: int = 1, max_labels: int = 4) -> st.SearchStrategy[str]:
    """Canonical strict names (lower case, no trailing dot) of at most 253 octets."""
    return (
        st.lists(ldh_labels(max_size=20), min_size=min_labels, max_size=max_labels)
        .map(".".join)
        .filter(lambda n: len(n) <= 253)
    )


def mixed_case(name: str) -> st.SearchStrategy[str]:
    """``name`` with each letter independently upper- or lower-cased."""
    flags = st.lists(st.booleans(), min_size=len(name), max_size=len(name))
    return flags.map(lambda fs: "".join(c.upper() if f else c for c, f in zip(name, fs, strict=True)))


# letters outside ASCII that IDNA 2003 maps to themselves (no case folding, no mapping)
UNICODE_LETTERS = "äöüéèçñåøæþðłźżąęśćńóúíáàêîôûëïÿœ日本語中文한국어кириллицаελληνικά"
unicode_labels = st.text(UNICODE_LETTERS, min_size=1, max_size=6)
odd_labels = st.text(LDH + ODD, min_size=1, max_size=20).filter(lambda s: any(c in ODD for c in s))
