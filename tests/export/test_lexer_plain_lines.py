"""Lines without comments, parentheses, quotes or escapes are split into words without the
character scanner; the entries must be exactly what the scanner makes of the same lines."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dnsd.export.lexer import Entry, SyntaxProblem, entries

words = st.text("abz09.-*@$\u00e9", min_size=1, max_size=8)
blanks = st.text(" \t\r\f\v", min_size=1, max_size=3)
lines = st.tuples(st.booleans(), st.lists(words, max_size=5), blanks, st.booleans()).map(
    lambda t: ("\t" if t[0] else "") + t[2].join(t[1]) + (t[2] if t[3] else "")
)


def scanned(text: str) -> list[Entry | SyntaxProblem]:
    """The entries of ``text`` with a comment on every line: none of them is plain then."""
    return list(entries("\n".join(line + ";c" for line in text.split("\n"))))


def as_tuples(items: list[Entry | SyntaxProblem]) -> list[object]:
    return [(i.line, i.owner_given, i.tokens) if isinstance(i, Entry) else (i.line, str(i)) for i in items]


@given(st.lists(lines, max_size=8), st.booleans())
def test_plain_lines_read_as_the_scanner_reads_them(chosen: list[str], final_newline: bool) -> None:
    text = "\n".join(chosen) + ("\n" if final_newline else "")
    assert as_tuples(list(entries(text))) == as_tuples(scanned(text))


def test_plain_and_scanned_lines_mix() -> None:
    text = 'a 1 IN A 10.0.0.1\n\tIN TXT "x y" ; note\n@ IN SOA ( n r\n 1 2 3 4 5 )\nb IN A 10.0.0.2'
    got = [(e.line, e.owner_given, [t.text for t in e.tokens]) for e in entries(text) if isinstance(e, Entry)]
    assert got == [
        (1, True, ["a", "1", "IN", "A", "10.0.0.1"]),
        (2, False, ["IN", "TXT", "x y"]),
        (3, True, ["@", "IN", "SOA", "n", "r", "1", "2", "3", "4", "5"]),
        (5, True, ["b", "IN", "A", "10.0.0.2"]),
    ]
