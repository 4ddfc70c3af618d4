"""Split master-file text into entries (RFC 1035 section 5.1, as bind9 reads it).

An entry is one logical line: its tokens, the line it starts on, and whether it starts in
column 0 (an owner name) or with blanks (the previous owner). Comments (``;`` outside quotes)
are dropped, parentheses join lines, quoted strings become one token. Escapes (``\\X``,
``\\DDD``) are kept in the token text for the reader of each field to interpret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dnsd.domain.errors import InvalidInput, Reason

_BLANK = " \t\r\f\v"
_DELIMITERS = _BLANK + '\n;()"'
# A line with none of the characters that need the scanner (comments, parentheses, quotes,
# escapes) is its blank-separated words: most lines of a large zone file are read this way.
_SPECIAL = re.compile(r'[;()"\\]')
_WORD = re.compile(r"[^ \t\r\f\v]+")


class ZoneFileError(InvalidInput):
    """A zone file that cannot be imported; ``problems`` lists ``(line, message)`` for each
    (line 0: the file as a whole, or an option such as the owner)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = sorted(set(problems))
        super().__init__(
            [Reason(f"line {line}" if line else "file", message) for line, message in self.problems]
        )


class SyntaxProblem(ValueError):
    """One problem at one line, raised while reading a single entry."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    line: int
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    line: int
    owner_given: bool
    tokens: tuple[Token, ...]


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def quoted(self) -> Token:
        start_line, i = self.line, self.pos + 1
        buf: list[str] = []
        while i < len(self.text) and self.text[i] != '"':
            if self.text[i] == "\n":
                raise SyntaxProblem(start_line, "unterminated quoted string (a quote is missing)")
            step = 2 if self.text[i] == "\\" and i + 1 < len(self.text) else 1
            buf.append(self.text[i : i + step])
            self.line += self.text.count("\n", i, i + step)  # an escaped newline continues the string
            i += step
        if i >= len(self.text):
            raise SyntaxProblem(start_line, "unterminated quoted string (a quote is missing)")
        self.pos = i + 1
        return Token("".join(buf), start_line, quoted=True)

    def bare(self) -> Token:
        i = self.pos
        while i < len(self.text) and self.text[i] not in _DELIMITERS:
            i += 2 if self.text[i] == "\\" and i + 1 < len(self.text) and self.text[i + 1] != "\n" else 1
        token = Token(self.text[self.pos : i], self.line)
        self.pos = i
        return token

    def skip_comment(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end


class _EntryBuilder:
    """Collects the tokens of one entry; parentheses keep it open across lines."""

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.depth, self.open_line, self.start, self.owner_given = 0, 0, 0, False
        self.column0 = True

    def add(self, token: Token) -> None:
        if not self.tokens:
            self.start, self.owner_given = token.line, self.column0
        self.column0 = False
        self.tokens.append(token)

    def paren(self, char: str, line: int) -> SyntaxProblem | None:
        self.column0 = False
        if char == "(":
            self.depth, self.open_line = self.depth + 1, line
        elif self.depth == 0:
            return SyntaxProblem(line, "')' without a matching '('")
        else:
            self.depth -= 1
        return None

    def take(self) -> Entry | None:
        """The finished entry (None if empty), resetting for the next line."""
        entry = Entry(self.start, self.owner_given, tuple(self.tokens)) if self.tokens else None
        self.tokens, self.column0 = [], True
        return entry


def _plain_line(scan: _Scanner) -> list[Entry] | None:
    """The entry (if any) on the line starting at ``scan.pos`` when the line needs no scanning
    (see ``_SPECIAL``), moving ``scan.pos`` to the line's end; None when it needs scanning."""
    text, pos = scan.text, scan.pos
    end = text.find("\n", pos)
    if end < 0:
        end = len(text)
    if _SPECIAL.search(text, pos, end):
        return None
    words = _WORD.findall(text, pos, end)
    scan.pos = end
    if not words:
        return []
    line = scan.line
    return [Entry(line, text[pos] not in _BLANK, tuple([Token(w, line) for w in words]))]


def _last(entry: _EntryBuilder) -> list[Entry | SyntaxProblem]:
    """What is left at the end of the text: the last entry, or the '(' never closed."""
    if entry.depth:
        return [SyntaxProblem(entry.open_line, "'(' is never closed by a matching ')'")]
    done = entry.take()
    return [] if done is None else [done]


def entries(text: str) -> Iterator[Entry | SyntaxProblem]:
    """Yield each entry of ``text`` in order; a malformed entry is yielded as the problem found
    and reading resumes at the next line, so one pass reports every broken line."""
    scan, entry = _Scanner(text), _EntryBuilder()
    at_line_start = True
    while scan.pos < len(text):
        if at_line_start and entry.depth == 0 and not entry.tokens:
            at_line_start = False
            plain = _plain_line(scan)
            if plain is not None:
                yield from plain
                continue
        char = text[scan.pos]
        if char == "\n":
            scan.pos, scan.line = scan.pos + 1, scan.line + 1
            at_line_start = True
            done = entry.take() if entry.depth == 0 else None
            if done is not None:
                yield done
        elif char in _BLANK:
            scan.pos, entry.column0 = scan.pos + 1, False
        elif char == ";":
            scan.skip_comment()
        elif char in "()":
            problem = entry.paren(char, scan.line)
            scan.pos += 1
            if problem is not None:
                yield problem
        else:
            try:
                entry.add(scan.quoted() if char == '"' else scan.bare())
            except SyntaxProblem as problem:
                yield problem
                scan.skip_comment()
                entry.take()
                entry.depth = 0
    yield from _last(entry)
