"""``dnsd demo``: migrate the database and seed ``zones/demo.yaml`` (README command (a))."""

from __future__ import annotations

import argparse
from pathlib import Path

from dnsd.cli.connect import cli_actor, open_store
from dnsd.cli.migrate import migrate, shown_url
from dnsd.cli.output import emit, note
from dnsd.cli.seed import outcome_json, outcome_text, seed_file
from dnsd.config import Settings

DEMO_FILE = Path(__file__).resolve().parents[2] / "zones" / "demo.yaml"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("demo", help="migrate, then seed the demo zones (zones/demo.yaml)")
    parser.set_defaults(func=run)


def try_line(settings: Settings) -> str:
    return f"dig @{settings.dns_host} -p {settings.dns_port} www.hello-web.com A +norecurse"


def run(args: argparse.Namespace, settings: Settings) -> int:
    migrate(settings)
    with open_store(settings) as store:
        outcome = seed_file(store, DEMO_FILE, cli_actor())
    for line in outcome.plan.notes:
        note(f"note: {line}")
    hint = (
        f"demo data is in {shown_url(settings.database_url)}; start dnsd with 'dnsd serve', then try:\n"
        f"  {try_line(settings)}"
    )
    emit(args, outcome_json(outcome) | {"try": try_line(settings)}, f"{outcome_text(outcome)}\n\n{hint}")
    return 0
