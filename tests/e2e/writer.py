"""Changes the store from another process, as the API or CLI would: ``python -m
tests.e2e.writer URL ACTION ARGS...`` (run with the repository root on PYTHONPATH)."""

from __future__ import annotations

import sys

from dnsd.domain.records import make_rrset
from dnsd.store.engine import make_engine
from dnsd.store.zones import make_zone
from dnsd.store.zonestore import ZoneStore


def main(argv: list[str]) -> int:
    url, action, *args = argv
    engine = make_engine(url)
    store = ZoneStore(engine)
    if action == "put":  # NAME TYPE VALUE...
        name, rtype, *values = args
        store.put_rrset(make_rrset(name, rtype, 60, "ci:writer", values), "writer")
    elif action == "pool":  # NAME ADDRESS...
        store.update_pool(args[0], "writer", addresses=args[1:])
    elif action == "zone":  # NAME NS
        store.create_zone(make_zone(args[0], [args[1]]), "writer")
    elif action == "delete":  # NAME
        store.delete_by_name(args[0], "writer")
    else:
        raise SystemExit(f"unknown action {action!r}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
