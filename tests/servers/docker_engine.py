"""A fake Docker engine on a unix socket: the Engine API calls the tool makes, with the engine's status codes and
bodies. ``GET /images/{name}/json`` for sizes; for ``check --run``: pull (``POST /images/create``), create,
start, inspect, stats, logs, stop and remove a container.

``images`` maps an image name as Docker prints it (``nginx:latest``, ``ghcr.io/a/b:1.0``) to its unpacked size.
``services`` maps an image to how its container behaves: ``interface`` (a ``ServiceAPI`` is started for it on
start, its port published), ``fault``, ``exits`` (an exit code: the container stops at once, with ``log``),
``memory`` (bytes used, rising per stats read) and ``pullable`` (the image can be pulled when it is missing).
Containers removed are listed in ``removed``; ``containers`` holds those still there.
"""

from __future__ import annotations

import json
import re
import secrets
import socketserver
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.servers.loopback_http import send_bytes, send_json


class _UnixHTTPServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True
    block_on_close = False


class FakeDockerEngine:
    def __init__(self, socket_path: Path, images: dict[str, int], services: dict[str, dict] | None = None) -> None:
        self.socket_path = socket_path
        self.images = images
        self.services = services or {}
        self.requests: list[str] = []  # paths, as asked
        self.calls: list[str] = []  # "METHOD path"
        self.containers: dict[str, dict] = {}
        self.removed: list[str] = []
        self.created: list[dict] = []  # the create bodies, as sent
        self._server = _UnixHTTPServer(str(socket_path), _handler_for(self))
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        for container in self.containers.values():
            if container.get("api"):
                container["api"].stop()
        self._server.shutdown()
        self._server.server_close()
        self.socket_path.unlink(missing_ok=True)

    def start_container(self, container: dict) -> None:
        from tests.servers.service_apis import ServiceAPI

        behaviour = self.services.get(container["image"], {})
        if "exits" in behaviour:
            container["state"] = {"Status": "exited", "Running": False, "ExitCode": behaviour["exits"],
                                  "OOMKilled": behaviour.get("oom", False)}
            return
        container["state"] = {"Status": "running", "Running": True, "ExitCode": 0, "OOMKilled": False}
        if "interface" in behaviour:
            container["api"] = ServiceAPI(behaviour["interface"], fault=behaviour.get("fault"),
                                          rate=behaviour.get("rate", 200.0), tokens=behaviour.get("tokens", 10))
            container["host_port"] = int(container["api"].url.rsplit(":", 1)[1])

    def remove_container(self, key: str) -> None:
        container = self.containers.pop(key)
        self.removed.append(container["name"])  # before the service stops: a test waiting on one sees both
        if container.get("api"):
            container["api"].stop()


def _frames(text: str) -> bytes:
    out = b""
    for line in text.splitlines(keepends=True):
        data = line.encode()
        out += b"\x02\x00\x00\x00" + len(data).to_bytes(4, "big") + data
    return out


def _handler_for(engine: FakeDockerEngine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _route(self) -> tuple[str, dict[str, list[str]]]:
            engine.requests.append(self.path)
            engine.calls.append(f"{self.command} {self.path}")
            parts = urlsplit(self.path)
            return re.sub(r"^/v1\.\d+", "", unquote(parts.path)), parse_qs(parts.query)

        def _container(self, path: str) -> tuple[str | None, str]:
            match = re.fullmatch(r"/containers/([^/]+)(/[a-z]+)?", path)
            if not match:
                return None, ""
            key = match.group(1)
            for ident, container in engine.containers.items():
                if key in (ident, container["name"]):
                    return ident, match.group(2) or ""
            return "", match.group(2) or ""

        def _missing(self, key: str) -> None:
            send_json(self, 404, {"message": f"No such container: {key}"})

        def do_GET(self) -> None:
            path, _ = self._route()
            if path.startswith("/images/") and path.endswith("/json"):
                name = path.removeprefix("/images/").removesuffix("/json")
                if name in engine.images:
                    return send_json(self, 200, {"Id": "sha256:" + "0" * 64, "Size": engine.images[name]})
                return send_json(self, 404, {"message": f"No such image: {name}"})
            key, action = self._container(path)
            if not key:
                return self._missing(path)
            container = engine.containers[key]
            if action == "/json":
                ports = ({f"{container['port']}/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(container["host_port"])}]}
                         if container.get("host_port") else {})
                return send_json(self, 200, {"Id": key, "Name": "/" + container["name"], "State": container["state"],
                                             "NetworkSettings": {"Ports": ports}})
            if action == "/stats":
                memory = engine.services.get(container["image"], {}).get("memory", 100 * 2**20)
                container["reads"] = container.get("reads", 0) + 1
                usage = memory + container["reads"] * 2**20
                return send_json(self, 200, {"memory_stats": {"usage": usage + 50 * 2**20, "limit": 24 * 2**30,
                                                              "stats": {"inactive_file": 50 * 2**20}}})
            if action == "/logs":
                data = _frames(engine.services.get(container["image"], {}).get("log", "starting\n"))
                return send_bytes(self, 200, "application/vnd.docker.multiplexed-stream", data)
            send_json(self, 404, {"message": "page not found"})

        def do_POST(self) -> None:
            path, query = self._route()
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if path == "/images/create":
                image = f"{query['fromImage'][0]}:{query.get('tag', ['latest'])[0]}"
                if not engine.services.get(image, {}).get("pullable"):
                    return send_json(self, 404, {"message": f"pull access denied for {query['fromImage'][0]}, "
                                                            "repository does not exist or may require 'docker login'"})
                engine.images[image] = 1
                lines = b"".join(json.dumps(line).encode() + b"\r\n" for line in (
                    {"status": f"Pulling from {query['fromImage'][0]}"}, {"status": "Download complete"},
                    {"status": f"Status: Downloaded newer image for {image}"}))
                return send_bytes(self, 200, "application/json", lines)
            if path == "/containers/create":
                image = body.get("Image", "")
                if image not in engine.images:
                    return send_json(self, 404, {"message": f"No such image: {image}"})
                ident = secrets.token_hex(32)
                port = int(next(iter(body.get("ExposedPorts", {"8000/tcp": {}}))).split("/")[0])
                engine.created.append(body)
                engine.containers[ident] = {"name": query.get("name", [ident[:12]])[0], "image": image, "port": port,
                                            "state": {"Status": "created", "Running": False, "ExitCode": 0}}
                return send_json(self, 201, {"Id": ident, "Warnings": []})
            key, action = self._container(path)
            if not key:
                return self._missing(path)
            container = engine.containers[key]
            if action == "/start":
                if container["state"]["Status"] != "created":
                    return self._empty(304)
                engine.start_container(container)
                return self._empty(204)
            if action == "/stop":
                if not container["state"].get("Running"):
                    return self._empty(304)
                container["state"] = {**container["state"], "Status": "exited", "Running": False, "ExitCode": 137}
                return self._empty(204)
            send_json(self, 404, {"message": "page not found"})

        def do_DELETE(self) -> None:
            path, query = self._route()
            key, _ = self._container(path)
            if not key:
                return self._missing(path)
            if engine.containers[key]["state"].get("Running") and query.get("force") != ["true"]:
                return send_json(self, 409, {"message": "You cannot remove a running container. Stop the container "
                                                        "before attempting removal or force remove"})
            engine.remove_container(key)
            self._empty(204)

        def _empty(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler
