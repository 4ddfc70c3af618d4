"""bind9 interop: zone files out (render, atomic write, watch) and in (parse, plan, import)."""
