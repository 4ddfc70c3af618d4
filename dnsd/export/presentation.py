"""Zone-file presentation of names and rdata (RFC 1035 section 5.1), as bind9 prints them.

Canonical names hold only printable ASCII without dots in labels (see :mod:`dnsd.domain.names`),
so the only characters that need a backslash are the ones the master-file syntax gives a
meaning to: quotes, parentheses, ``;``, ``\\``, and ``@``/``$`` (bind9 escapes the same set).
"""

from __future__ import annotations

from dnsd.domain.rdata import MX, SOA, SRV, Rdata, Target

SPECIAL = frozenset('"();\\@$')


def escape_label(label: str) -> str:
    """One label in master-file syntax: special characters behind a backslash."""
    if not SPECIAL.intersection(label):
        return label
    return "".join("\\" + c if c in SPECIAL else c for c in label)


def name_text(name: str, origin: str) -> str:
    """``name`` as written in a zone file with ``$ORIGIN origin``: ``@`` for the origin, relative
    below it, absolute with a trailing dot elsewhere (both canonical; ``""`` is the root)."""
    if not name:
        return "."
    if name == origin:
        return "@"
    if origin and name.endswith("." + origin):
        labels = name[: -len(origin) - 1].split(".")
        return ".".join(escape_label(label) for label in labels)
    return ".".join(escape_label(label) for label in name.split(".")) + "."


def rdata_text(rdata: Rdata, origin: str) -> str:
    """Presentation text of ``rdata`` with the names it holds written relative to ``origin``.

    Pass ``origin=""`` to get every name absolute (the form the change log and AXFR use for
    names, with escapes applied).
    """
    if isinstance(rdata, Target):
        return name_text(rdata.target, origin)
    if isinstance(rdata, MX):
        return f"{rdata.preference} {name_text(rdata.exchange, origin)}"
    if isinstance(rdata, SRV):
        return f"{rdata.priority} {rdata.weight} {rdata.port} {name_text(rdata.target, origin)}"
    if isinstance(rdata, SOA):
        return (
            f"{name_text(rdata.mname, origin)} {name_text(rdata.rname, origin)} {rdata.serial}"
            f" {rdata.refresh} {rdata.retry} {rdata.expire} {rdata.minimum}"
        )
    return rdata.to_text()


def unescape(text: str) -> bytes:
    """The octets a master-file word stands for: ``\\DDD`` is one octet by value, ``\\X`` is
    ``X``; other characters are their UTF-8 bytes (undecodable input bytes come back as read).
    Raises ``ValueError`` for ``\\DDD`` above 255."""
    raw = text.encode("utf-8", "surrogateescape")
    if b"\\" not in raw:
        return raw
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i] == 0x5C and i + 1 < len(raw):
            digits = raw[i + 1 : i + 4]
            if len(digits) == 3 and digits.isdigit():
                if int(digits) > 255:
                    raise ValueError(f"escape \\{digits.decode()} is larger than 255")
                out.append(int(digits))
                i += 4
                continue
            out.append(raw[i + 1])
            i += 2
            continue
        out.append(raw[i])
        i += 1
    return bytes(out)


def split_labels(text: str) -> list[str]:
    """Split a presentation name at its unescaped dots, keeping escapes inside each label."""
    if "\\" not in text:
        return text.split(".")
    labels, buf, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            buf.append(text[i : i + 2])
            i += 2
            continue
        if text[i] == ".":
            labels.append("".join(buf))
            buf = []
        else:
            buf.append(text[i])
        i += 1
    labels.append("".join(buf))
    return labels
