"""Small pieces shared by the loopback HTTP servers of the container registry tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server whose handler threads die quietly (tests reset connections on purpose)."""

    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog of 5 drops the SYNs of a burst of connections: each one dropped
    # costs the client a 1 s retransmit, which would measure the test server instead of the client.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class LoopbackServer:
    """An emulator on 127.0.0.1, served from a thread; ``serve`` takes the handler class made for the instance."""

    _server: QuietHTTPServer

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = QuietHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def send_bytes(handler: BaseHTTPRequestHandler, status: int, kind: str, data: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def send_json(handler: BaseHTTPRequestHandler, status: int, body: object) -> None:
    send_bytes(handler, status, "application/json", json.dumps(body).encode())
