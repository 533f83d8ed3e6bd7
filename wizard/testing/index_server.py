"""Serve a merged index and its folders' pictures over HTTP, in a thread, swappable while it runs (the reload).

The daemon GETs the index with ``requests.get(url).json()``; the Prem App's browser loads each ``icon`` URL.
Every answer says ``Cache-Control: no-store`` so a reload is seen by the next GET.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

INDEX_PATHS = ("/", "/manifests.json")


@dataclass
class Served:
    """What the server answers: the index document and each picture by its URL path."""

    index: bytes
    pictures: dict[str, bytes] = field(default_factory=dict)  # "/chat-x/logo.svg" -> bytes


class IndexServer:
    def __init__(self, host: str, port: int, served: Served, *,
                 on_request: Callable[[str, str, int], None] | None = None) -> None:
        self._served = served
        self._lock = threading.Lock()
        self.on_request = on_request or (lambda client, path, status: None)
        self.requests: list[tuple[str, int]] = []
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,), daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> IndexServer:
        self._thread.start()
        return self

    def swap(self, served: Served) -> None:
        with self._lock:
            self._served = served

    def current(self) -> Served:
        with self._lock:
            return self._served

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for a serve_forever that never ran otherwise
            self._server.shutdown()
        self._server.server_close()


def _handler_for(server: IndexServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "prem-new-service-try"

        def log_message(self, format: str, *args: object) -> None:  # said through on_request instead
            pass

        def _answer(self, with_body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            served = server.current()
            if path in INDEX_PATHS:
                status, kind, body = 200, "application/json; charset=utf-8", served.index
            elif path in served.pictures:
                status, kind, body = 200, "image/svg+xml", served.pictures[path]
            else:
                status, kind = 404, "application/json; charset=utf-8"
                body = b'{"message": "not in this index: the index is /manifests.json"}\n'
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if with_body:
                self.wfile.write(body)
            server.requests.append((path, status))
            server.on_request(self.client_address[0], path, status)

        def do_GET(self) -> None:
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

    return Handler
