"""Properties: whatever dnsd can hold renders to a file that reads back to the same data, and no
input makes the reader fail with anything but a line-numbered ZoneFileError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dnsd.domain.rdata import MX, SRV, TXT, Address, Rdata, Target
from dnsd.domain.records import RRset
from dnsd.domain.snapshot import build_zone
from dnsd.domain.zones import Zone
from dnsd.export.importfile import read_zone_file
from dnsd.export.lexer import ZoneFileError
from dnsd.export.render import render_zone_file

ZONE = Zone("z.example", 7, ("ns.z.example",), "ns.z.example", "h.z.example", ttl=600)
OWNER = "import:prop"
label = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=".*"),
                min_size=1, max_size=12).map(str.lower)  # fmt: skip
names = st.lists(label, min_size=1, max_size=3).map(lambda labels: ".".join([*labels, "z.example"]))
targets = st.one_of(names, st.just("elsewhere.example.net"))
txt = st.lists(st.binary(max_size=300).map(lambda b: b[:255]), min_size=1, max_size=3).map(
    lambda parts: TXT(tuple(parts))
)
values: dict[str, st.SearchStrategy[Rdata]] = {
    "A": st.ip_addresses(v=4).map(lambda a: Address(str(a))),
    "TXT": txt,
    "MX": st.builds(MX, st.integers(0, 65535), targets),
    "SRV": st.builds(SRV, st.integers(0, 65535), st.integers(0, 65535), st.integers(0, 65535), targets),
    "PTR": targets.map(Target),
}


@st.composite
def rrsets(draw: st.DrawFn) -> list[RRset]:
    out: dict[str, RRset] = {}
    for _ in range(draw(st.integers(1, 6))):
        name, rtype = draw(names), draw(st.sampled_from(sorted(values)))
        rdatas = draw(st.lists(values[rtype], min_size=1, max_size=3, unique=True))
        ttl = draw(st.integers(0, 2**31 - 1))
        key = f"{name}/{rtype}"
        out[key] = RRset(name, rtype, ttl, tuple(sorted(rdatas, key=lambda r: r.to_text())), owner=OWNER)
    return list(out.values())


@settings(max_examples=150, deadline=None)
@given(rrsets())
def test_render_then_read_gives_the_same_zone(sets: list[RRset]) -> None:
    text = render_zone_file(build_zone(ZONE, sets, {}))
    data = read_zone_file(text, OWNER)
    assert data.zone == ZONE
    assert {(r.name, r.rtype, r.ttl, frozenset(r.values)) for r in data.rrsets} == {
        (r.name, r.rtype, r.ttl, frozenset(r.values)) for r in sets
    }


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab.@$;()"\\ \t\n019ASOINTXMC')), max_size=200))
def test_any_text_reads_or_fails_with_line_numbers(text: str) -> None:
    try:
        read_zone_file(text, OWNER, "z.example")
    except ZoneFileError as exc:
        assert exc.problems and all(line >= 0 for line, _ in exc.problems)
