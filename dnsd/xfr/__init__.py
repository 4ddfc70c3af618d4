"""Zone transfers as pure decisions on bytes: what to send, who may have it, TSIG and NOTIFY.

- :mod:`dnsd.xfr.plan`: AXFR/IXFR answers as RRsets, packed into messages under 64 KiB.
- :mod:`dnsd.xfr.journal`: the IXFR journal, each zone's recent changes kept in memory.
- :mod:`dnsd.xfr.reply`: one AXFR/IXFR query -> the reply (access policy, TSIG, the plan).
- :mod:`dnsd.xfr.tsig`: TSIG (RFC 8945) signing and verification of encoded messages.
- :mod:`dnsd.xfr.notify`: NOTIFY (RFC 1996) messages and the rcode for one we receive.

This package imports only :mod:`dnsd.domain` and the wire codec (:mod:`dnsd.wire`); it does no
I/O. The serving side (state, sockets, the feed) is :mod:`dnsd.server.transfers` and
:mod:`dnsd.server.notify`.
"""
