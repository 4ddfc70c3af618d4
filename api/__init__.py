"""The HTTP API: a thin FastAPI layer over :class:`dnsd.store.zonestore.ZoneStore`.

Build it with :func:`api.app.create_app`. ``dnsd`` never imports this package.
"""
