"""Zone transfer access: TSIG keys (RFC 8945, HMAC-SHA256) and per-zone transfer ACLs. Pure.

A zone with no ACL refuses every transfer. An ACL lists client networks and/or TSIG key names;
a transfer is allowed when the client is in one of the networks (if any are listed) AND the
request was signed with one of the keys (if any are listed). Listing both is the safe default
for production: the secondary's address and its key.

Views (docs/bind9.md): a transfer answers the zone as one view sees it: the view of the key the
request was signed with (``TsigKey.view``), else the view of the client address (the views'
networks, longest prefix), else ``default``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass

from dnsd.domain.errors import InvalidInput, Reason
from dnsd.domain.names import name_problems
from dnsd.domain.pools import DEFAULT_VIEW, POOL_NAME_RULE, is_pool_name
from dnsd.domain.views import View, ViewMatcher

HMAC_SHA256 = "hmac-sha256"
ALGORITHMS = (HMAC_SHA256,)
MIN_SECRET = 16  # octets; RFC 8945 section 6 asks for at least the hash length, 32 is generated


@dataclass(frozen=True, slots=True)
class TsigKey:
    """A shared TSIG secret. ``name`` is a canonical domain name, as on the wire; ``view`` the
    view a transfer signed with it gets (None: the client address's view)."""

    name: str
    secret: bytes
    algorithm: str = HMAC_SHA256
    view: str | None = None

    def __repr__(self) -> str:  # never show the secret in logs or tracebacks
        return f"TsigKey(name={self.name!r}, algorithm={self.algorithm!r}, view={self.view!r})"

    @property
    def secret_b64(self) -> str:
        return base64.b64encode(self.secret).decode("ascii")

    def bind_clause(self) -> str:
        """The ``key`` statement for named.conf on a bind9 secondary."""
        return f'key "{self.name}" {{\n\talgorithm {self.algorithm};\n\tsecret "{self.secret_b64}";\n}};\n'


@dataclass(frozen=True, slots=True)
class TransferAcl:
    """Who may transfer ``zone``: networks (canonical CIDR text) and/or TSIG key names."""

    zone: str
    networks: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()

    def allows(self, client: str, key: str | None) -> bool:
        """True when ``client`` (an IP address) signing with ``key`` (verified name or None)
        may transfer the zone."""
        if not self.networks and not self.keys:
            return False
        if self.networks:
            try:
                address = ipaddress.ip_address(client.partition("%")[0])
            except ValueError:  # a transport that does not know the peer: no network matches
                return False
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
                address = address.ipv4_mapped  # a dual-stack socket reports IPv4 clients this way
            if not any(address in ipaddress.ip_network(n) for n in self.networks):
                return False
        return not self.keys or (key is not None and key in self.keys)


@dataclass(frozen=True, slots=True)
class TransferPolicy:
    """Every key, every ACL and the views, read together: what the transfer path checks
    requests against and which view it answers."""

    keys: dict[str, TsigKey]
    acls: dict[str, TransferAcl]
    views: tuple[View, ...] = ()

    def transfer_view(self, client: str, key: TsigKey | None) -> str:
        """The view a transfer answers: the key's view, else the client address's (longest
        prefix over the views' networks), else ``default``."""
        if key is not None and key.view:
            return key.view
        if not self.views:
            return DEFAULT_VIEW
        try:
            address = ipaddress.ip_address(client.partition("%")[0])
        except ValueError:
            return DEFAULT_VIEW
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        return ViewMatcher(self.views).match(address.compressed)[0]

    def notify_key(self, zone: str) -> TsigKey | None:
        """The key a NOTIFY for ``zone`` is signed with: the first key of the zone's ACL (the
        one its secondaries transfer with, so they know it), or None (unsigned)."""
        acl = self.acls.get(zone)
        for name in acl.keys if acl is not None else ():
            if name in self.keys:
                return self.keys[name]
        return None


def make_tsig_key(
    name: str, secret_b64: str, algorithm: str = HMAC_SHA256, view: str | None = None
) -> TsigKey:
    """Validate a key's name, base64 secret, algorithm and view name (whether the view is
    defined is the store's check); raise :class:`InvalidInput`."""
    reasons: list[Reason] = []
    view = view_problem(view, reasons)
    canonical, problems = name_problems(name, wildcard=False, strict=False)
    reasons += [Reason("name", p) for p in problems]
    secret = b""
    try:
        secret = base64.b64decode(secret_b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        reasons.append(Reason("secret", "is not valid base64"))
    else:
        if len(secret) < MIN_SECRET:
            reasons.append(
                Reason("secret", f"is {len(secret)} octets; use at least {MIN_SECRET} (32 advised)")
            )
    if algorithm.lower() not in ALGORITHMS:
        reasons.append(Reason("algorithm", f"must be one of {', '.join(ALGORITHMS)}"))
    if reasons:
        raise InvalidInput(reasons)
    return TsigKey(canonical, secret, algorithm.lower(), view)


def view_problem(view: str | None, reasons: list[Reason]) -> str | None:
    """The canonical view name of a key (None and "" mean none); a bad name is appended to
    ``reasons``."""
    if view is None or not view.strip():
        return None
    name = view.strip().lower()
    if not is_pool_name(name):
        reasons.append(Reason("view", POOL_NAME_RULE.replace("pool", "view")))
    return name


def make_transfer_acl(zone: str, networks: list[str], keys: list[str]) -> TransferAcl:
    """Validate networks (addresses become /32 or /128) and key names; raise :class:`InvalidInput`."""
    reasons: list[Reason] = []
    nets: list[str] = []
    for i, text in enumerate(networks):
        try:
            net = ipaddress.ip_network(text.strip(), strict=False).compressed
        except ValueError:
            reasons.append(Reason(f"networks.{i}", f"{text!r} is not an IP network (e.g. 192.0.2.0/24)"))
            continue
        if net not in nets:
            nets.append(net)
    names: list[str] = []
    for i, text in enumerate(keys):
        name, problems = name_problems(text, wildcard=False, strict=False)
        reasons += [Reason(f"keys.{i}", p) for p in problems]
        if not problems and name not in names:
            names.append(name)
    if not nets and not names and not reasons:
        reasons.append(Reason("networks", "give at least one network or key (no ACL refuses everyone)"))
    if reasons:
        raise InvalidInput(reasons)
    return TransferAcl(zone, tuple(nets), tuple(names))
