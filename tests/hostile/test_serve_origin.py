"""`serve` answers only its own pages: a WebSocket handshake from a page of another site (cross-site WebSocket
hijacking) or for another host name (DNS rebinding) is refused before a wizard session starts."""

from __future__ import annotations

import base64
import os
import socket

import pytest

from tests.serve.test_browser import served  # noqa: F401 - the real `serve` on a free loopback port
from wizard.cli.serve import foreign_request, served_places


def handshake(url: str, *, host: str | None = None, origin: str | None = None, path: str = "/ws") -> bytes:
    port = int(url.rsplit(":", 1)[1])
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return connection.recv(4096)


@pytest.mark.parametrize(("host", "origin"), [
    (None, "http://evil.example"),                      # a page of another site
    (None, "http://127.0.0.1.evil.example"),
    (None, "null"),                                     # a sandboxed frame or a file:// page
    ("evil.example:{port}", None),                      # DNS rebinding: another name resolved to this machine
    ("evil.example:{port}", "http://evil.example:{port}"),
    ("127.0.0.1:1", None),                              # another port
])
def test_a_foreign_handshake_is_refused(served, host, origin):  # noqa: F811
    url, tmp_path = served
    port = url.rsplit(":", 1)[1]
    answer = handshake(url, host=host and host.format(port=port), origin=origin and origin.format(port=port))
    assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
    assert b"Refused: " in answer
    assert not (tmp_path / "data" / "served-drafts").exists()  # no session was started


@pytest.mark.parametrize("page", ["/", "/static/css/xterm.css"])
def test_a_foreign_host_gets_no_page(served, page):  # noqa: F811
    url, _ = served
    port = url.rsplit(":", 1)[1]
    assert handshake(url, host=f"evil.example:{port}", path=page).startswith(b"HTTP/1.1 403")


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}", "http://localhost:{port}", None])
def test_its_own_page_opens_the_websocket(served, origin):  # noqa: F811
    url, _ = served
    port = url.rsplit(":", 1)[1]
    answer = handshake(url, origin=origin and origin.format(port=port))
    assert answer.startswith(b"HTTP/1.1 101"), answer[:200]


def test_the_public_url_is_the_one_other_origin_accepted():
    hosts, origins = served_places("0.0.0.0", 8000, "https://room.example.org")
    assert foreign_request("room.example.org", "https://room.example.org", hosts, origins, secure=True) is None
    assert foreign_request("localhost:8000", "http://localhost:8000", hosts, origins) is None
    assert foreign_request("room.example.org", "https://evil.example", hosts, origins, secure=True)
    assert foreign_request("10.0.0.5:8000", None, hosts, origins)  # an address not announced
    assert foreign_request(None, None, hosts, origins)
    assert foreign_request("[::1]:8000", "http://[::1]:8000", hosts, origins) is None
    assert foreign_request("h:notaport", None, hosts, origins)
