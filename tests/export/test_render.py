"""The renderer: golden file, order, escaping, and bind9's own checker on the output."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from dnsd.domain.rdata import TXT
from dnsd.domain.records import RRset, make_rrset
from dnsd.domain.snapshot import build_zone, zone_rrsets
from dnsd.domain.zones import Zone
from dnsd.export.presentation import name_text
from dnsd.export.render import render_zone_file, zone_lines
from tests.export.zones import OWNER, every_type_zone, large_zone, named_checkzone

GOLDEN = Path(__file__).parent / "golden"


def test_every_type_matches_the_golden_file(tmp_path: Path) -> None:
    text = render_zone_file(every_type_zone())
    golden = GOLDEN / "example.com.zone"
    if os.environ.get("DNSD_UPDATE_GOLDEN") == "1":
        golden.write_text(text)
    assert text == golden.read_text()


def test_golden_file_passes_named_checkzone() -> None:
    done = named_checkzone("example.com", GOLDEN / "example.com.zone")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "loaded serial 2024010100" in done.stdout
    assert "warning" not in done.stdout.lower()


def test_large_zone_passes_named_checkzone(tmp_path: Path) -> None:
    zone = large_zone(3000)
    path = tmp_path / "big.example.zone"
    path.write_text(render_zone_file(zone))
    done = named_checkzone("big.example", path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "loaded serial 2024010100" in done.stdout


def test_order_is_soa_then_apex_ns_then_canonical() -> None:
    rrsets = zone_rrsets(every_type_zone())
    assert [r.rtype for r in rrsets[:2]] == ["SOA", "NS"]
    names = [r.name for r in rrsets[2:]]
    keys = [tuple(reversed(n.split("."))) for n in names]
    assert keys == sorted(keys)
    apex_types = [r.rtype for r in rrsets if r.name == "example.com"]
    assert apex_types == ["SOA", "NS", "A", "MX", "TXT", "AAAA", "CAA"]  # by type code


def test_zone_lines_have_absolute_names_and_follow_transfer_order() -> None:
    lines = list(zone_lines(every_type_zone()))
    assert lines[0][:3] == ("example.com", "SOA", 3600)
    assert ("alias.example.com", "CNAME", 300, "www.example.com.") in lines
    assert ("sub.example.com", "NS", 86400, "ns1.sub.example.com.") in lines
    assert len(lines) == sum(len(r.rdatas) for r in zone_rrsets(every_type_zone()))


def test_relative_inside_absolute_outside() -> None:
    text = render_zone_file(every_type_zone())
    assert "\nalias " in text and " CNAME www\n" in text
    assert " CNAME target.example.net.\n" in text
    assert " MX    10 mail\n" in text
    assert "$ORIGIN example.com.\n$TTL 3600\n" in text


def test_long_txt_is_split_into_255_octet_strings_and_escaped() -> None:
    text = render_zone_file(every_type_zone())
    line = next(x for x in text.splitlines() if x.startswith("long "))
    assert line.count('" "') == 2  # 600+ octets -> three strings
    assert '\\"quoted\\"' in line and "back\\\\slash" in line
    assert "\\195\\169" in line  # é in UTF-8, as decimal escapes
    assert "\\009" in line  # the tab


def test_names_with_master_file_specials_are_escaped() -> None:
    assert name_text("a;b.example.com", "example.com") == "a\\;b"
    assert name_text('q"@$(x).example.com', "example.com") == 'q\\"\\@\\$\\(x\\)'
    assert name_text("example.com", "example.com") == "@"
    assert name_text("example.net", "example.com") == "example.net."
    assert name_text("", "example.com") == "."


def test_odd_but_legal_names_pass_named_checkzone(tmp_path: Path) -> None:
    base = every_type_zone()
    odd = [
        make_rrset("odd.example.com", "TXT", 60, OWNER, ["x"]),
        make_rrset("_srv.example.com", "TXT", 60, OWNER, ["y"]),
    ]
    names = ["semi;colon.example.com", "at@sign.example.com", "a.*.b.example.com", "under_score.example.com"]
    odd += [replace(odd[0], name=n) for n in names]
    zone = build_zone(base.zone, [*base.rrsets, *odd], {})
    path = tmp_path / "odd.zone"
    path.write_text(render_zone_file(zone))
    done = named_checkzone("example.com", path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("size", [0, 1, 255, 256, 510, 511, 2000])
def test_txt_of_any_length_renders_as_valid_strings(tmp_path: Path, size: int) -> None:
    zone = Zone("t.example", 1, ("ns.t.example",), "ns.t.example", "h.t.example")
    data = bytes(range(256)) * 8
    rrset = RRset(
        "x.t.example", "TXT", 60, (TXT(tuple(data[i : i + 255] for i in range(0, size, 255)) or (b"",)),)
    )
    glue = make_rrset("ns.t.example", "A", 60, OWNER, ["192.0.2.1"])
    path = tmp_path / "t.zone"
    path.write_text(render_zone_file(build_zone(zone, [rrset, glue], {})))
    done = named_checkzone("t.example", path)
    assert done.returncode == 0, done.stdout + done.stderr
