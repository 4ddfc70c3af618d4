"""The ``named.conf`` fragment of ``dnsd export --views``: one ``view`` block per view. Pure.

Each view's ``match-clients`` lists its TSIG keys first, then the other views' keys negated,
then its networks: a secondary's transfer request signed with a view's key lands in that view
whatever its source address (bind9 takes the first view whose list matches, and the first
element of a list that matches decides). ``default`` comes last and matches everyone left.
``public`` has no networks: it gets a block only when a key is bound to it. The key secrets go
to a separate file (``keys.conf``, readable by its owner only) that the fragment includes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from dnsd.domain.pools import DEFAULT_VIEW, PUBLIC_VIEW
from dnsd.domain.transfer import TsigKey
from dnsd.domain.views import View

KEYS_FILE = "keys.conf"
CONF_FILE = "named.conf"


def view_file(directory: Path, view: str, zone: str) -> Path:
    """Where the zone file of ``zone`` as ``view`` sees it lives: ``<dir>/<view>/<zone>.zone``."""
    return directory / view / f"{zone}.zone"


def view_order(views: Sequence[View]) -> list[str]:
    """Every view exported: the defined views (by name), ``public``, then ``default``."""
    return [*sorted(v.name for v in views), PUBLIC_VIEW, DEFAULT_VIEW]


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _match_clients(view: str, networks: Sequence[str], keys: Mapping[str, Sequence[str]]) -> str:
    own = [f"key {_quoted(k)};" for k in keys.get(view, ())]
    others = [f"!key {_quoted(k)};" for v, names in sorted(keys.items()) if v != view for k in names]
    nets = [f"{n};" for n in networks]
    if view == DEFAULT_VIEW:
        return " ".join([*own, "any;"])
    return " ".join([*own, *others, *nets]) or "none;"


def render_views_conf(
    directory: Path, zones: Sequence[str], views: Sequence[View], keys: Sequence[TsigKey]
) -> str:
    """The fragment for ``zones`` in every view, files under ``directory`` (absolute paths),
    ``keys`` the TSIG keys bound to views (a view's transfers are allowed to its keys)."""
    by_view: dict[str, list[str]] = {}
    for key in sorted(keys, key=lambda k: k.name):
        if key.view:
            by_view.setdefault(key.view, []).append(key.name)
    networks = {v.name: v.networks for v in views}
    lines = [
        "// Views of dnsd's zones, written by `dnsd export --views`: include this file from",
        "// named.conf (every zone of a server with views must be inside a view).",
        f"include {_quoted(str(directory / KEYS_FILE))};",
    ]
    for view in view_order(views):
        if view == PUBLIC_VIEW and not by_view.get(view):
            note = f"// view {PUBLIC_VIEW!r}: no TSIG key is bound to it (`dnsd tsig view KEY public`);"
            lines += ["", note, f"// its zone files are in {directory / PUBLIC_VIEW}"]
            continue
        allow = " ".join(f"key {_quoted(k)};" for k in by_view.get(view, ())) or "none;"
        match = _match_clients(view, networks.get(view, ()), by_view)
        lines += ["", f"view {_quoted(view)} {{", f"    match-clients {{ {match} }};"]
        for zone in zones:
            lines += [
                f"    zone {_quoted(zone)} {{",
                "        type primary;",
                f"        file {_quoted(str(view_file(directory, view, zone)))};",
                f"        allow-transfer {{ {allow} }};",
                "    };",
            ]
        lines.append("};")
    return "\n".join(lines) + "\n"


def render_keys(keys: Sequence[TsigKey]) -> str:
    """``key`` statements for the keys bound to views, secrets included."""
    bound = sorted((k for k in keys if k.view), key=lambda k: k.name)
    head = "// TSIG keys of dnsd's views, written by `dnsd export --views`; keep this file secret.\n"
    return head + "".join(k.bind_clause() for k in bound)
