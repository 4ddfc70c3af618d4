"""The watchdog behind the client-side deadline: it shuts down the socket of a connection past
its deadline, leaves one disarmed in time alone, and survives a connection already closed."""

from __future__ import annotations

import socket
import time

from dnsd.store.deadline import Watchdog


class Conn:
    """What the watchdog needs of a DB-API connection: its socket's descriptor."""

    def __init__(self, sock: socket.socket | None) -> None:
        self.sock = sock

    def fileno(self) -> int:
        if self.sock is None:
            raise RuntimeError("the connection is closed")  # as psycopg says it
        return self.sock.fileno()


def test_past_its_deadline_the_socket_is_shut_down_and_in_time_it_is_not() -> None:
    watchdog = Watchdog(0.2)
    watchdog.arm(Conn(None))  # closed meanwhile: must not stop the watchdog
    late_ours, late_peer = socket.socketpair()
    quick_ours, quick_peer = socket.socketpair()
    with late_ours, late_peer, quick_ours, quick_peer:
        watchdog.arm(Conn(late_ours))
        watchdog.arm(quick := Conn(quick_ours))
        watchdog.disarm(quick)
        late_peer.settimeout(5)
        started = time.monotonic()
        assert late_peer.recv(1) == b""  # the far end sees the shutdown
        assert 0.15 < time.monotonic() - started < 3
        quick_ours.sendall(b"x")  # still open
        assert quick_peer.recv(1) == b"x"
