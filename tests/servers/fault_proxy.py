"""A loopback HTTP proxy in front of a container registry that counts requests and injects faults.

Faults are queued per path fragment and used up in order::

    proxy.fail("/manifests/", status=429, headers={"Retry-After": "2"})   # one 429, then the real answer
    proxy.fail("/manifests/", status=503, times=2)
    proxy.stall("/manifests/")      # read the request, never answer (until the proxy stops)
    proxy.reset("/manifests/")      # read the request, then close the connection with a TCP reset

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


@dataclass
class Fault:
    path_fragment: str
    kind: str  # "status", "stall" or "reset"
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class FaultProxy:
    def __init__(self, upstream: str, latency: float = 0.0) -> None:
        self.upstream = upstream  # "127.0.0.1:PORT"
        self.latency = latency
        self.requests: list[tuple[str, str]] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
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

    def fail(self, path_fragment: str, *, status: int, headers: dict[str, str] | None = None, times: int = 1) -> None:
        self._add(Fault(path_fragment, "status", status, dict(headers or {}), times))

    def stall(self, path_fragment: str, *, times: int = 1) -> None:
        self._add(Fault(path_fragment, "stall", times=times))

    def reset(self, path_fragment: str, *, times: int = 1) -> None:
        self._add(Fault(path_fragment, "reset", times=times))

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
                if fault.path_fragment in path and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body meet delayed ACKs: +40 ms a request
        upstream: http.client.HTTPConnection | None = None

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._handle()

        def do_HEAD(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
            fault = proxy._take_fault(self.command, self.path)
            if fault and fault.kind == "stall":
                proxy._release.wait(60)
                self.close_connection = True
                return
            if fault and fault.kind == "reset":
                # SO_LINGER 0 turns close() into a TCP reset: the client sees a cut connection, not a clean end
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            if fault:
                headers = [*fault.headers.items(), ("Content-Type", "application/json")]
                self._send(fault.status, headers, b'{"errors": []}')
                return
            if proxy.latency:
                time.sleep(proxy.latency)  # simulated distance, not synchronisation
            self._forward(body)

        def _forward(self, body: bytes) -> None:
            if self.upstream is None:
                self.upstream = http.client.HTTPConnection(proxy.upstream, timeout=30)
            # header by header: clients such as skopeo send Accept several times, and a dict would keep one
            headers = [
                (k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host", "content-length"}
            ]
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
                self._send(502, [], b"")
                return
            # a list, not a dict: a registry may send several WWW-Authenticate headers
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}]
            if self.command == "HEAD":
                kept.append(("Content-Length", answer.headers.get("Content-Length", "0")))
                data = b""
            self._send(answer.status, kept, data)

        def _send(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            if not any(key.lower() == "content-length" for key, _ in headers):
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def finish(self) -> None:
            try:
                super().finish()
            except OSError:
                pass  # the connection was reset on purpose
            if self.upstream is not None:
                self.upstream.close()

    return Handler
