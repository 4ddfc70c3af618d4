"""One router module per resource; :mod:`api.app` includes them all."""
