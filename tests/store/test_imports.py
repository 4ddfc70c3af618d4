"""Importing the store does no work: no files, sockets or databases touched, nothing configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, pkgutil, sys
import sqlalchemy, sqlalchemy.orm  # third-party import work is not ours
events = []
def hook(event, args):
    if event == "open" and str(args[0]).endswith((".py", ".pyc")):
        return  # the import system reading our own modules
    if event.startswith(("open", "socket.", "sqlite3.", "subprocess.", "os.system", "shutil.")):
        events.append([event, repr(args)[:200]])
sys.addaudithook(hook)
import dnsd.store
for module in pkgutil.iter_modules(dnsd.store.__path__):
    importlib.import_module("dnsd.store." + module.name)
print(json.dumps({"events": events, "modules": sorted(sys.modules)}))
"""


def test_importing_every_store_module_does_no_work() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DNSD_DATABASE_URL": "postgresql://nobody@192.0.2.1:1/none"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report["events"] == []
    modules = set(report["modules"])
    assert "dnsd.store.migrate" in modules and "dnsd.store.zonestore" in modules
    assert not {"alembic", "dnsd.config", "pydantic_settings", "psycopg"} & modules
