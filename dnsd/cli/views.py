"""``dnsd view add|list|set|rm``: named sets of client networks (docs/views.md)."""

from __future__ import annotations

import argparse

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.output import emit, render_fields, render_table
from dnsd.config import Settings
from dnsd.domain.errors import invalid
from dnsd.domain.views import View


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    view = sub.add_parser("view", help="views (client networks): add, list, set, rm")
    actions = view.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="define a view")
    add.add_argument("name", help="view name, e.g. dc-a")
    _flags(add)
    add.set_defaults(func=add_view)
    actions.add_parser("list", help="list views").set_defaults(func=list_views)
    change = actions.add_parser("set", help="change a view (--network replaces all its networks)")
    change.add_argument("name")
    _flags(change)
    change.set_defaults(func=set_view)
    rm = actions.add_parser("rm", help="delete a view no pool or record uses")
    rm.add_argument("name")
    rm.set_defaults(func=remove_view)


def _flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--network", action="append", metavar="CIDR", help="client network, e.g. 10.1.0.0/16 (repeat)"
    )
    parser.add_argument("--description")


def view_json(view: View, description: str) -> dict[str, object]:
    return {"name": view.name, "networks": list(view.networks), "description": description}


def _fields(view: View, description: str) -> str:
    return render_fields(
        [("name", view.name), ("networks", list(view.networks)), ("description", description)]
    )


def add_view(args: argparse.Namespace, settings: Settings) -> int:
    description = args.description or ""
    with open_store(settings) as store:
        view = store.create_view(args.name, args.network or [], cli_actor(), description)
    emit(args, view_json(view, description), f"created view {view.name}\n{_fields(view, description)}")
    return 0


def list_views(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(settings) as store:
        views, descriptions = store.list_views(), store.view_descriptions()
    rows = [(v.name, list(v.networks), descriptions.get(v.name, "")) for v in views]
    text = render_table(("name", "networks", "description"), rows) if rows else "no views"
    emit(args, [view_json(v, descriptions.get(v.name, "")) for v in views], text)
    return 0


def set_view(args: argparse.Namespace, settings: Settings) -> int:
    if args.network is None and args.description is None:
        raise invalid("networks", "give --network and/or --description to change")
    with open_store(settings) as store:
        view = store.update_view(args.name, cli_actor(), networks=args.network, description=args.description)
        description = store.view_descriptions().get(view.name, "")
    emit(args, view_json(view, description), f"updated view {view.name}\n{_fields(view, description)}")
    return 0


def remove_view(args: argparse.Namespace, settings: Settings) -> int:
    name = args.name.strip().lower()
    with open_store(settings) as store:
        store.delete_view(name, cli_actor())
    emit(args, {"deleted": name}, f"deleted view {name}")
    return 0
