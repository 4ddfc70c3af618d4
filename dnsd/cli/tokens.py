"""``dnsd token create|list|revoke``: API bearer tokens, stored hashed; the secret shows once."""

from __future__ import annotations

import argparse
import datetime as dt

from dnsd.cli.connect import open_store
from dnsd.cli.output import emit, note, render_fields, render_table
from dnsd.cli.shapes import token_json
from dnsd.config import Settings
from dnsd.domain.changes import Token
from dnsd.domain.expiry import iso, parse_expiry


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = sub.add_parser("token", help="API tokens: create, list, revoke")
    actions = token.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a token and print its secret (once)")
    create.add_argument("name", help="what the token is for, e.g. ci-hello-web")
    create.add_argument("--scope", required=True, metavar="read|write", help="read, or write (changes)")
    create.add_argument(
        "--zone", action="append", metavar="ZONE", help="limit a write token to this existing zone (repeat)"
    )
    create.add_argument(
        "--expires",
        metavar="WHEN",
        help="stop working after a duration (30d, 12h, 90m, 2w) or at a date (2027-01-31, UTC)",
    )
    create.set_defaults(func=create_token)
    actions.add_parser("list", help="list tokens (never their secrets)").set_defaults(func=list_tokens)
    revoke = actions.add_parser("revoke", help="revoke a token; it stops working at once")
    revoke.add_argument("name")
    revoke.set_defaults(func=revoke_token)


def _zones(token: Token) -> str:
    if token.scope != "write":
        return "-"
    return ", ".join(token.zones) if token.zones else "all (admin)"


def _expires(token: Token) -> str:
    return iso(token.expires_at) if token.expires_at else "never"


def _state(token: Token, now: dt.datetime) -> str:
    return "revoked" if token.revoked else "expired" if token.expired(now) else "active"


def create_token(args: argparse.Namespace, settings: Settings) -> int:
    expires_at = parse_expiry(args.expires, dt.datetime.now(dt.UTC)) if args.expires else None
    with open_store(settings) as store:
        token, secret = store.create_token(args.name, args.scope, args.zone, expires_at)
    fields = render_fields(
        [("name", token.name), ("scope", token.scope), ("zones", _zones(token)), ("expires", _expires(token))]
    )
    emit(args, token_json(token) | {"secret": secret}, f"created token\n{fields}\n\n{secret}")
    if not args.json:
        note("This secret is shown once and stored only as a hash: keep it now.")
    return 0


def list_tokens(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        tokens = store.list_tokens()
    now = dt.datetime.now(dt.UTC)
    rows = [(t.name, t.scope, _zones(t), t.created_at, _expires(t), _state(t, now)) for t in tokens]
    text = (
        render_table(("name", "scope", "zones", "created", "expires", "state"), rows) if rows else "no tokens"
    )
    emit(args, [token_json(t) for t in tokens], text)
    return 0


def revoke_token(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        token = store.revoke_token(args.name)
    emit(args, token_json(token), f"revoked token {token.name}")
    return 0
