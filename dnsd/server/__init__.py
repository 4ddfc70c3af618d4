"""The DNS data plane: UDP and TCP transports, the snapshot holder, the response cache, the
change-feed follower, and the server's lifecycle (:mod:`dnsd.server.run`).

Transports (``udp``, ``tcp``) frame bytes and look finished responses up in the cache; every
other decision is the :class:`~dnsd.server.responder.Responder`'s.
"""
