"""A fake Docker engine: the one call the tool makes (``GET /images/{name}/json``) on a unix socket.

``images`` maps an image name as Docker prints it (``nginx:latest``, ``ghcr.io/a/b:1.0``) to its unpacked size.
"""

from __future__ import annotations

import socketserver
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote

from tests.servers.loopback_http import send_json


class _UnixHTTPServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    block_on_close = False


class FakeDockerEngine:
    def __init__(self, socket_path: Path, images: dict[str, int]) -> None:
        self.socket_path = socket_path
        self.images = images
        self.requests: list[str] = []
        self._server = _UnixHTTPServer(str(socket_path), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.socket_path.unlink(missing_ok=True)


def _handler_for(engine: FakeDockerEngine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            engine.requests.append(self.path)
            name = unquote(self.path).removeprefix("/images/").removesuffix("/json")
            if self.path.startswith("/images/") and name in engine.images:
                status, body = 200, {"Id": "sha256:" + "0" * 64, "Size": engine.images[name]}
            else:
                status, body = 404, {"message": f"No such image: {name}"}
            send_json(self, status, body)

    return Handler
