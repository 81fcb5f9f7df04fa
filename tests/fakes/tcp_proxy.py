"""A TCP forwarder in front of the database that fails the ways a network does, without touching the server.

- `down()`: refuse new connections and cut every open one (the host is gone).
- `drop()`: cut every open connection, keep accepting (the server restarted).
- `stall()`: every open and every new connection freezes: accepted, kept open, nothing forwarded
  either way (a partition the sockets have not noticed).
- `stall_open()`: the open connections freeze; new ones are forwarded (pooled connections behind a
  NAT entry that died).
- `stall_on(pattern)`: the next connection to send bytes containing `pattern` freezes there, holding
  them (one request's statement, or its COMMIT, held up in the network).
- `up()`: forward again. What frozen connections held is delivered late, as a network delivers what
  it kept, even to a peer that has since given up.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class _Link:
    """One client connection and its connection upstream."""

    def __init__(self, client: socket.socket, upstream: socket.socket, *, flowing: bool) -> None:
        self.client = client
        self.upstream = upstream
        self.flowing = threading.Event()
        if flowing:
            self.flowing.set()
        self.pumps = 2
        self.holding = 0  # chunks read and not yet passed on
        self.client_gone = False
        self.closed = False

    def close(self) -> None:
        self.closed = True
        _close(self.client)
        _close(self.upstream)
        self.flowing.set()  # a pump holding bytes wakes and finds its sockets gone


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._links: list[_Link] = []
        self._lock = threading.Lock()
        self._freeze_new = False
        self._trigger: bytes | None = None
        self._thawed: list[_Link] = []
        self.up()

    def up(self) -> None:
        with self._lock:
            self._freeze_new = False
            self._trigger = None
            self._thawed = [link for link in self._links if link.holding]
            for link in self._links:
                link.flowing.set()
            if self._listener is not None:
                return
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen(64)
            self.port = listener.getsockname()[1]
            self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Refuse new connections and cut every open one."""
        with self._lock:
            if self._listener is not None:
                _close(self._listener)  # shutdown() wakes the thread blocked in accept()
                self._listener = None
        self.drop()

    def drop(self) -> None:
        """Cut every open connection; new ones are still accepted."""
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            link.close()

    def stall(self) -> None:
        with self._lock:
            self._freeze_new = True
            for link in self._links:
                link.flowing.clear()

    def stall_open(self) -> None:
        with self._lock:
            for link in self._links:
                link.flowing.clear()

    def stall_on(self, pattern: bytes) -> None:
        with self._lock:
            self._trigger = pattern

    def frozen_links(self) -> int:
        with self._lock:
            return sum(not link.flowing.is_set() for link in self._links)

    def open_links(self) -> int:
        with self._lock:
            return len(self._links)

    def wait_drained(self, timeout: float = 15.0) -> bool:
        """After `up()`: wait until what the frozen connections held has been delivered, and those
        whose client has gone have ended (the server read to their end, so acted on what they held)."""
        stop = time.monotonic() + timeout
        while time.monotonic() < stop:
            with self._lock:
                if not any(link in self._links and (link.holding or link.client_gone) for link in self._thawed):
                    return True
            time.sleep(0.02)
        return False

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                link = _Link(client, upstream, flowing=not self._freeze_new)
                self._links.append(link)
            threading.Thread(target=self._pump, args=(link, client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(link, upstream, client, False), daemon=True).start()

    def _pump(self, link: _Link, source: socket.socket, sink: socket.socket, outbound: bool) -> None:
        try:
            while data := source.recv(65536):
                if outbound and self._trigger is not None:
                    with self._lock:
                        if self._trigger is not None and self._trigger in data:
                            self._trigger = None
                            link.flowing.clear()
                with self._lock:
                    link.holding += 1
                link.flowing.wait()
                sink.sendall(data)
                with self._lock:
                    link.holding -= 1
            # Pass the end of the stream on after what was sent (a half close), so that the peer reads
            # everything before it; the other direction ends when the peer closes in turn.
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            _close(source)
            _close(sink)
        finally:
            with self._lock:
                link.client_gone = link.client_gone or outbound
                link.pumps -= 1
                done = link.pumps == 0
                if done and link in self._links:
                    self._links.remove(link)
            if done:
                link.close()


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
