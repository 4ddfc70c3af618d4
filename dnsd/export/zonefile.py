"""Read a bind9 zone file into records: directives, owners, TTLs, classes, types and rdata.

Follows what bind9's loader accepts: ``$ORIGIN`` (relative to the current origin), ``$TTL``
with units (``1h30m``, ``1w``), ``@``, blank owner = previous owner, TTL and class in either
order and both optional, TTL defaults as bind9 applies them ($TTL, else the previous record's
TTL per RFC 1035, else the SOA MINIMUM for the SOA itself). ``$INCLUDE`` and ``$GENERATE`` are
refused with a hint (``named-compilezone`` flattens them). Types dnsd does not store are
reported and skipped. Every problem is collected with its line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from dnsd.domain.names import name_problems
from dnsd.domain.rdata import RECORD_TYPES, quote_string
from dnsd.domain.records import MAX_TTL
from dnsd.export.lexer import Entry, SyntaxProblem, Token, entries
from dnsd.export.presentation import split_labels, unescape
from dnsd.export.rrtypes import META_TYPES, is_class, is_internet_class, type_name

_TTL = re.compile(r"^(?:\d+[wdhms])+$|^\d+$", re.IGNORECASE)
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
STORED_TYPES = frozenset((*RECORD_TYPES, "SOA"))
_SHAPES = {
    "A": ("address",), "AAAA": ("address",), "CNAME": ("@target",), "DNAME": ("@target",),
    "NS": ("@host",), "PTR": ("@target",), "MX": ("preference", "@exchange"),
    "SRV": ("priority", "weight", "port", "@target"), "CAA": ("flags", "tag", "$value"),
    "SOA": ("@mname", "@rname", "serial", "~refresh", "~retry", "~expire", "~minimum"),
}  # fmt: skip
"""The fields of each type's rdata: ``@`` a name, ``$`` a string, ``~`` a SOA timer."""
_FLATTEN = "flatten the file first, e.g. named-compilezone -s relative -o flat.zone ZONE FILE"


@dataclass(frozen=True, slots=True)
class Note:
    """A warning or a skipped record, at a line of the file."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """One RR as read: canonical owner, type, TTL, and rdata text with absolute names."""

    line: int
    name: str
    rtype: str
    ttl: int
    value: str


def parse_ttl(text: str) -> int | None:
    """A TTL in bind9 syntax (``3600``, ``1h``, ``1w2d``), or None when ``text`` is not one."""
    if not _TTL.match(text):
        return None
    if text.isdigit():
        return int(text)
    return sum(int(n) * _UNITS[u.lower()] for n, u in re.findall(r"(\d+)([a-zA-Z])", text))


@dataclass
class ZoneFileReader:
    """Reads one file; after :meth:`read`, ``records``, ``warnings`` and ``skipped`` hold the
    result and ``origin`` the zone (from ``zone`` or the SOA owner)."""

    origin: str | None = None
    records: list[ParsedRecord] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    skipped: list[Note] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    default_ttl: int | None = None
    last_ttl: int | None = None
    last_owner: str | None = None
    _warned_1035: bool = False

    def read(self, text: str) -> None:
        """Read ``text``; every problem found is added to ``problems`` with its line."""
        self.records.extend(self.iter_records(text))

    def iter_records(self, text: str) -> Iterator[ParsedRecord]:
        """Read ``text``, yielding each record as it is read (``records`` is left alone, so a
        large file is never held twice); problems, warnings and skips are collected as in
        :meth:`read`."""
        for item in entries(text):
            try:
                if isinstance(item, SyntaxProblem):
                    raise item
                record = self._entry(item)
            except SyntaxProblem as problem:
                self.problems.append((problem.line, str(problem)))
                continue
            if record is not None:
                yield record

    def name(self, token: Token) -> str:
        """The canonical absolute name a name token stands for at the current origin."""
        if token.quoted:
            raise SyntaxProblem(token.line, f"a name cannot be quoted: {token.text!r}")
        if token.text == "@":
            if self.origin is None:
                raise SyntaxProblem(token.line, "'@' used before the origin is known: give --zone")
            return self.origin
        if token.text == ".":
            return ""  # the root: null MX (RFC 7505), "no service" SRV (RFC 2782)
        if token.text.isascii() and "\\" not in token.text:
            return self._plain_name(token)
        labels = split_labels(token.text)
        suffix: list[str] = []
        if labels[-1] == "" and len(labels) > 1:
            labels.pop()
        elif self.origin is None:
            raise SyntaxProblem(token.line, f"relative name {token.text!r} before any $ORIGIN: give --zone")
        elif self.origin:
            suffix = [self.origin]
        plain = [self._label(label, token) for label in labels]
        name, problems = name_problems(".".join(plain + suffix), wildcard=True, strict=False)
        if problems:
            raise SyntaxProblem(token.line, f"name {token.text!r}: {'; '.join(problems)}")
        return name

    def _plain_name(self, token: Token) -> str:
        """:meth:`name` for ASCII text without escapes, whose labels are the text's own."""
        text = token.text
        if text.endswith("."):
            full = text[:-1]
        elif self.origin is None:
            raise SyntaxProblem(token.line, f"relative name {text!r} before any $ORIGIN: give --zone")
        else:
            full = f"{text}.{self.origin}" if self.origin else text
        name, problems = name_problems(full, wildcard=True, strict=False)
        if problems:
            raise SyntaxProblem(token.line, f"name {text!r}: {'; '.join(problems)}")
        return name

    @staticmethod
    def _label(label: str, token: Token) -> str:
        try:
            octets = unescape(label)
        except ValueError as exc:
            raise SyntaxProblem(token.line, f"name {token.text!r}: {exc}") from None
        if b"." in octets:
            raise SyntaxProblem(token.line, f"name {token.text!r}: dnsd cannot store a '.' inside a label")
        return octets.decode("utf-8", "surrogateescape")

    def _entry(self, entry: Entry) -> ParsedRecord | None:
        first = entry.tokens[0]
        if first.text.startswith("$") and not first.quoted:
            self._directive(first.text.upper(), entry)
            return None
        tokens = list(entry.tokens)
        if entry.owner_given:
            owner = self.name(tokens.pop(0))
        elif self.last_owner is None:
            raise SyntaxProblem(entry.line, "the first record has no owner name (its line starts blank)")
        else:
            owner = self.last_owner
        self.last_owner = owner
        ttl, rtype, rdata = self._ttl_class_type(tokens, entry.line)
        if rtype == "SOA" and self.origin is None:
            self.origin = owner
        if rtype not in STORED_TYPES:
            self.skipped.append(Note(entry.line, f"{owner} {rtype}: dnsd does not store this type; skipped"))
            self._set_ttl(ttl, entry.line, None)
            return None
        value = self._rdata(rtype, rdata, entry.line)
        minimum = int(value.split()[-1]) if rtype == "SOA" else None
        ttl = self._set_ttl(ttl, entry.line, minimum)
        return ParsedRecord(entry.line, owner, rtype, ttl, value)

    def _directive(self, word: str, entry: Entry) -> None:
        args = entry.tokens[1:]
        if word == "$ORIGIN" and len(args) == 1:
            self.origin = self.name(args[0])
        elif word == "$TTL" and len(args) == 1:
            value = parse_ttl(args[0].text)
            if value is None:
                raise SyntaxProblem(entry.line, f"$TTL {args[0].text!r} is not a TTL (e.g. 3600, 1h, 1d)")
            self.default_ttl = self._clamp(value, entry.line)
        elif word in ("$INCLUDE", "$GENERATE"):
            raise SyntaxProblem(entry.line, f"{word} is not supported: {_FLATTEN}")
        elif word in ("$ORIGIN", "$TTL"):
            raise SyntaxProblem(entry.line, f"{word} takes exactly one argument")
        else:
            raise SyntaxProblem(entry.line, f"unknown directive {word}")

    def _ttl_class_type(self, tokens: list[Token], line: int) -> tuple[int | None, str, list[Token]]:
        ttl: int | None = None
        klass: str | None = None
        while tokens and not tokens[0].quoted:
            word = tokens[0].text
            value = parse_ttl(word) if ttl is None else None
            if value is not None:
                ttl = value
            elif klass is None and is_class(word):
                klass = word.upper()
                if not is_internet_class(word):
                    raise SyntaxProblem(line, f"class {klass} is not supported; dnsd serves class IN only")
            else:
                break
            tokens.pop(0)
        if not tokens:
            raise SyntaxProblem(line, "the record has no type")
        rtype = type_name(tokens[0].text) if not tokens[0].quoted else None
        if rtype is None:
            raise SyntaxProblem(line, f"unknown RR type {tokens[0].text!r}")
        if rtype in META_TYPES:
            raise SyntaxProblem(line, f"{rtype} is not a type that can appear in a zone file")
        return ttl, rtype, tokens[1:]

    def _clamp(self, ttl: int, line: int) -> int:
        if ttl > MAX_TTL:
            self.warnings.append(
                Note(line, f"TTL {ttl} is above {MAX_TTL}; using 0 as bind9 does (RFC 2181)")
            )
            return 0
        return ttl

    def _set_ttl(self, explicit: int | None, line: int, soa_minimum: int | None) -> int:
        if explicit is not None:
            ttl = self._clamp(explicit, line)
        elif self.default_ttl is not None:
            ttl = self.default_ttl
        elif self.last_ttl is not None:
            if not self._warned_1035:
                self.warnings.append(Note(line, "no $TTL: records without a TTL take the previous one"))
                self._warned_1035 = True
            ttl = self.last_ttl
        elif soa_minimum is not None:
            self.warnings.append(Note(line, "no TTL specified; using the SOA MINIMUM, as bind9 does"))
            ttl = soa_minimum
        else:
            raise SyntaxProblem(line, "no TTL specified and no $TTL before this record")
        last = self.last_ttl
        if last is not None and ttl == last:
            return last  # one int object for a run of equal TTLs, not one per record
        self.last_ttl = ttl
        return ttl

    def _rdata(self, rtype: str, tokens: list[Token], line: int) -> str:
        if tokens and tokens[0].text == "\\#" and not tokens[0].quoted:
            raise SyntaxProblem(line, f"generic (RFC 3597) rdata is not supported for {rtype}; {_FLATTEN}")
        if rtype == "TXT":
            return self._strings(tokens, line)
        shape = _SHAPES[rtype]
        if len(tokens) != len(shape):
            fields = " ".join(f.lstrip("@$~") for f in shape)
            raise SyntaxProblem(line, f"{rtype} takes {len(shape)} fields ({fields}), got {len(tokens)}")
        return " ".join(self._field(kind, token) for kind, token in zip(shape, tokens, strict=True))

    def _field(self, kind: str, token: Token) -> str:
        if kind.startswith("@"):
            return self.name(token) + "."
        if kind.startswith("$"):
            return quote_string(self._octets(token))
        if kind.startswith("~"):
            value = parse_ttl(token.text)
            if value is None or value >= 1 << 32:
                raise SyntaxProblem(token.line, f"SOA {kind[1:]} {token.text!r} is not a number of seconds")
            return str(value)
        if token.quoted:
            raise SyntaxProblem(token.line, f"{kind} cannot be quoted: {token.text!r}")
        return token.text

    def _octets(self, token: Token) -> bytes:
        try:
            return unescape(token.text)
        except ValueError as exc:
            raise SyntaxProblem(token.line, str(exc)) from None

    def _strings(self, tokens: list[Token], line: int) -> str:
        if not tokens:
            raise SyntaxProblem(line, "TXT needs at least one string")
        out = []
        for token in tokens:
            octets = self._octets(token)
            if len(octets) > 255:
                raise SyntaxProblem(token.line, f"a TXT string is {len(octets)} octets, longer than 255")
            out.append(quote_string(octets))
        return " ".join(out)
