"""A loopback HTTP proxy in front of a container registry that counts requests and injects faults.

Faults are queued per path fragment and used up in order; each matching request uses up one of ``times``::

    proxy.fail("/manifests/", status=429, headers={"Retry-After": "2"})   # one 429, then the real answer
    proxy.fail("/manifests/", status=503, times=2)
    proxy.stall("/manifests/")      # read the request, never answer (until the proxy stops)
    proxy.reset("/manifests/")      # read the request, then close the connection with a TCP reset
    proxy.answer("/manifests/", headers={"Content-Type": "text/html"}, body=b"<html>")   # a fixed answer
    proxy.trickle("/blobs/", interval=0.2)      # the real answer, its body one byte per 0.2 s
    proxy.redirect_loop("/manifests/", times=1000)  # 307 to the same path, 1000 times: a loop to the client
    proxy.content_type("/manifests/", "application/json")  # the real answer under another Content-Type
    proxy.ignore_range("/blobs/")   # the request goes up without its Range: the registry sends the whole blob
    proxy.huge("/manifests/", size=64 * 1024 * 1024, content_type="application/json")  # 64 MiB, streamed

``redirect_loop`` is not sticky: each redirect uses up one of ``times``, like every other fault, so give it more
than the client's redirect limit to stand for a registry that redirects for ever. ``content_type`` with an empty
value drops the header. Stalls, trickles and huge bodies end promptly when the proxy stops: ``stop`` wakes the
waiting threads and shuts every open connection down.

``latency`` (seconds) delays every forwarded request, to stand for a distant registry in benchmarks.
``requests`` records (method, path) of everything that reached the proxy; ``count("/manifests/")`` counts them.
"""

from __future__ import annotations

import http.client
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.servers.loopback_http import QuietHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "upgrade", "trailer"}
HUGE_PREFIX = b'{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "layers": ['
CHUNK = 64 * 1024


@dataclass
class Fault:
    path_fragment: str
    # "status", "stall", "reset", "answer", "trickle", "redirect", "content_type", "ignore_range" or "huge"
    kind: str
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1
    body: bytes = b""
    interval: float = 0.0
    size: int = 0
    content_type: str = ""
    method: str | None = None  # None: any method


class FaultProxy:
    def __init__(self, upstream: str, latency: float = 0.0) -> None:
        self.upstream = upstream  # "127.0.0.1:PORT"
        self.latency = latency
        self.requests: list[tuple[str, str]] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server = QuietHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: put it in image references instead of the registry's own host."""
        return f"127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        # a thread blocked writing to a client that stopped reading wakes only when its socket goes away
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already

    def fail(self, path_fragment: str, *, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        self._add(Fault(path_fragment, "status", status, dict(headers or {}), times))

    def stall(self, path_fragment: str, *, times: int = 1, method: str | None = None) -> None:
        self._add(Fault(path_fragment, "stall", times=times, method=method))

    def reset(self, path_fragment: str, *, times: int = 1) -> None:
        self._add(Fault(path_fragment, "reset", times=times))

    def answer(
        self,
        path_fragment: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        times: int = 1,
        method: str | None = None,
    ) -> None:
        """Answer with exactly this, registry untouched; Content-Length is set, Content-Type only if given."""
        self._add(Fault(path_fragment, "answer", status, dict(headers or {}), times, body=body, method=method))

    def trickle(self, path_fragment: str, *, interval: float = 0.2, times: int = 1, method: str | None = None) -> None:
        """The registry's answer, headers at once (with the true Content-Length), then the body one byte per
        ``interval`` seconds: a registry that keeps a connection alive without ever finishing."""
        self._add(Fault(path_fragment, "trickle", times=times, interval=interval, method=method))

    def redirect_loop(self, path_fragment: str, times: int = 1) -> None:
        """307 with ``Location`` naming the same path; one redirect per ``times`` (see the module docs)."""
        self._add(Fault(path_fragment, "redirect", 307, times=times))

    def content_type(self, path_fragment: str, value: str, times: int = 1) -> None:
        """The registry's answer with its Content-Type replaced by ``value`` (dropped when ``value`` is "")."""
        self._add(Fault(path_fragment, "content_type", times=times, content_type=value))

    def ignore_range(self, path_fragment: str, times: int = 1) -> None:
        """The request goes to the registry without ``Range`` (and ``If-Range``), so it answers 200, whole."""
        self._add(Fault(path_fragment, "ignore_range", times=times))

    def huge(self, path_fragment: str, *, size: int, content_type: str, times: int = 1) -> None:
        """A 200 of ``size`` bytes, Content-Length set, streamed in chunks and never held in memory: a JSON-looking
        start, then spaces."""
        self._add(Fault(path_fragment, "huge", 200, times=times, size=size, content_type=content_type))

    def count(self, path_fragment: str = "", method: str | None = None) -> int:
        with self._lock:
            return sum(1 for m, p in self.requests if path_fragment in p and (method is None or m == method))

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self._faults.clear()

    def _add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            self.requests.append((method, path))
            for fault in self._faults:
                if fault.path_fragment in path and fault.times > 0 and fault.method in (None, method):
                    fault.times -= 1
                    return fault
        return None

    def _opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body meet delayed ACKs: +40 ms a request
        upstream: http.client.HTTPConnection | None = None

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def setup(self) -> None:
            super().setup()
            proxy._opened(self.connection)

        def do_GET(self) -> None:
            self._handle()

        def do_HEAD(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def do_PATCH(self) -> None:
            self._handle()

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
            fault = proxy._take_fault(self.command, self.path)
            kind = fault.kind if fault else "forward"
            if fault and kind == "stall":
                proxy._release.wait(60)
                self.close_connection = True
                return
            if fault and kind == "reset":
                # SO_LINGER 0 turns close() into a TCP reset: the client sees a cut connection, not a clean end
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            if fault and kind == "status":
                headers = [*fault.headers.items(), ("Content-Type", "application/json")]
                self._send(fault.status, headers, b'{"errors": []}')
                return
            if fault and kind == "answer":
                self._send(fault.status, list(fault.headers.items()), fault.body)
                return
            if fault and kind == "redirect":
                self._send(307, [("Location", self.path)], b"")
                return
            if fault and kind == "huge":
                self._send_huge(fault)
                return
            if proxy.latency:
                time.sleep(proxy.latency)  # simulated distance, not synchronisation
            dropped = {"range", "if-range"} if kind == "ignore_range" else set()
            forwarded = self._forward(body, dropped)
            if forwarded is None:
                self._send(502, [], b"")
                return
            status, headers, data = forwarded
            if fault and kind == "content_type":
                headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
                if fault.content_type:
                    headers.append(("Content-Type", fault.content_type))
            if fault and kind == "trickle" and self.command != "HEAD":
                self._send_trickle(status, headers, data, fault.interval)
                return
            self._send(status, headers, data)

        def _forward(self, body: bytes, dropped: set[str]) -> tuple[int, list[tuple[str, str]], bytes] | None:
            if self.upstream is None:
                self.upstream = http.client.HTTPConnection(proxy.upstream, timeout=30)
            # header by header: clients such as skopeo send Accept several times, and a dict would keep one
            skipped = HOP_BY_HOP | {"host", "content-length"} | dropped
            headers = [(k, v) for k, v in self.headers.items() if k.lower() not in skipped]
            try:
                self.upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for key, value in [("Host", proxy.upstream), *headers, ("Content-Length", str(len(body)))]:
                    self.upstream.putheader(key, value)
                self.upstream.endheaders(body or None)
                answer = self.upstream.getresponse()
                data = answer.read()
            except (OSError, http.client.HTTPException):
                self.upstream.close()
                self.upstream = None
                return None
            # a list, not a dict: a registry may send several WWW-Authenticate headers
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}]
            if self.command == "HEAD":
                kept.append(("Content-Length", answer.headers.get("Content-Length", "0")))
                data = b""
            return answer.status, kept, data

        def _send(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self._send_head(status, headers, len(data))
            if self.command != "HEAD":
                self.wfile.write(data)

        def _send_head(self, status: int, headers: list[tuple[str, str]], length: int) -> None:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            if not any(key.lower() == "content-length" for key, _ in headers):
                self.send_header("Content-Length", str(length))
            self.end_headers()

        def _send_trickle(self, status: int, headers: list[tuple[str, str]], data: bytes, interval: float) -> None:
            self._send_head(status, headers, len(data))
            self.close_connection = True  # an unfinished body leaves nothing to reuse the connection for
            for offset in range(len(data)):
                if offset and proxy._release.wait(interval):
                    return  # the proxy stops
                try:
                    self.wfile.write(data[offset : offset + 1])
                except OSError:
                    return  # the client gave up

        def _send_huge(self, fault: Fault) -> None:
            headers = [("Content-Type", fault.content_type)] if fault.content_type else []
            self._send_head(200, headers, fault.size)
            self.close_connection = True
            if self.command == "HEAD":
                return
            prefix = HUGE_PREFIX[: fault.size]
            left = fault.size - len(prefix)
            spaces = b" " * CHUNK
            try:
                self.wfile.write(prefix)
                while left > 0 and not proxy._release.is_set():
                    piece = spaces[: min(left, CHUNK)]
                    self.wfile.write(piece)
                    left -= len(piece)
            except OSError:
                pass  # the client stopped reading, as it should for something this large

        def finish(self) -> None:
            proxy._closed(self.connection)
            try:
                super().finish()
            except OSError:
                pass  # the connection was reset on purpose
            if self.upstream is not None:
                self.upstream.close()

    return Handler
