"""Serving the GitHub emulator over HTTP on a free loopback port, in a thread (stdlib only)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.servers.github_app import GitHubEmulator


def _handler_for(emulator: GitHubEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # head and body leave in one write, flushed per request (no Nagle stalls)
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = emulator.handle(self.command, self.path, headers, raw)
            if answer is None:
                self.close_connection = True
                return
            status, extra, body = answer
            self.log_request(status)
            self.send_response_only(status)  # not send_response: its Date is the real clock, ours is GitHub's
            self.send_header("server", "github.com")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the emulator keeps its own record in .requests

    return Handler


class Served:
    def __init__(self, emulator: GitHubEmulator) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(emulator))
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        emulator.url = f"http://{host}:{port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       name="github-emulator", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve(emulator: GitHubEmulator) -> Served:
    return Served(emulator)
