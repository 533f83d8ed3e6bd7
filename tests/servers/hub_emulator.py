"""A loopback Hugging Face Hub: the model-info and file-resolve endpoints ``huggingface_hub`` calls, with the Hub's
response shapes, status codes and headers (``X-Error-Code``, ``X-Repo-Commit``, ``ETag``, ``Retry-After``).

``models`` maps ``org/name`` to a model: ``info`` (the JSON's keys), ``card`` (README.md text, or None), and
``fault``: ``"gated"`` (401 with X-Error-Code GatedRepo, or 403 once a token is sent), ``"private"`` (what the Hub
says of a name it does not hold), ``"429"``, ``"500"`` or ``"stall"`` (no answer for ``stall`` seconds). A name it
does not hold is a 401 RepoNotFound without a token and a 404 with one, as the Hub says it. A token in ``granted``
has accepted every gated model's licence and belongs to every private model's organisation: it is served them.
"""

from __future__ import annotations

import hashlib
import json
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import unquote, urlsplit

from tests.servers.loopback_http import LoopbackServer

SHA = "5d1f2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5"


def model(repo_id: str, pipeline: str | None, *, parameters: dict[str, int] | None = None, license_: str = "mit",
          card: str | None = None, **info) -> dict:
    body = {"_id": "64f0", "id": repo_id, "modelId": repo_id, "author": repo_id.split("/")[0], "sha": SHA,
            "lastModified": "2024-01-01T00:00:00.000Z", "private": False, "disabled": False, "gated": False,
            "downloads": 1000, "likes": 10, "library_name": "transformers", "tags": ["transformers", "license:" + license_],
            "pipeline_tag": pipeline, "cardData": {"license": license_, "language": ["en"]},
            "siblings": [{"rfilename": "config.json"}, *([{"rfilename": "README.md"}] if card is not None else [])],
            "createdAt": "2023-04-12T00:00:00.000Z", **info}
    if parameters:
        body["safetensors"] = {"parameters": parameters, "total": sum(parameters.values())}
    if pipeline is None:
        body.pop("pipeline_tag")
    return {"info": body, "card": card}


class HubEmulator(LoopbackServer):
    def __init__(self, models: dict[str, dict], *, stall: float = 3.0) -> None:
        self.models = models
        self.stall = stall
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Authorization)
        self.granted: set[str] = set()
        self.serve(_handler_for(self))


def _handler_for(hub: HubEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str], *, with_body: bool = True) -> None:
            self.send_response(status)
            for key, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(key, value)
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def _error(self, status: int, code: str | None, message: str, extra: dict | None = None,
                   with_body: bool = True) -> None:
            headers = {"Content-Type": "application/json; charset=utf-8", **(extra or {})}
            if code:
                headers["X-Error-Code"] = code
            headers["X-Error-Message"] = message
            self._send(status, json.dumps({"error": message}).encode(), headers, with_body=with_body)

        def _model(self, repo_id: str, with_body: bool) -> dict | None:
            found = hub.models.get(repo_id)
            granted = self.headers.get("Authorization", "").removeprefix("Bearer ") in hub.granted
            if found is not None and found.get("fault") == "private" and not granted:
                found = None
            if found is None:
                self._error(401 if "Authorization" not in self.headers else 404, "RepoNotFound",
                            "Repository not found", with_body=with_body)
                return None
            fault = found.get("fault")
            if fault == "stall":
                time.sleep(hub.stall)
            if fault == "gated" and not granted:
                status = 403 if "Authorization" in self.headers else 401
                self._error(status, "GatedRepo", f"Access to model {repo_id} is restricted. You must have access "
                            "to it and be authenticated to access it. Please log in.", with_body=with_body)
                return None
            if fault == "429":
                self._error(429, None, "You have been rate-limited", {"Retry-After": "30"}, with_body=with_body)
                return None
            if fault == "500":
                self._error(500, None, "Internal Error", with_body=with_body)
                return None
            return found

        def _answer(self, with_body: bool) -> None:
            path = unquote(urlsplit(self.path).path)
            hub.requests.append((self.command, path, self.headers.get("Authorization")))
            if path.startswith("/api/models/"):
                repo_id = path.removeprefix("/api/models/").split("/revision/")[0]
                if (found := self._model(repo_id, with_body)) is not None:
                    self._send(200, json.dumps(found["info"]).encode(), {"Content-Type": "application/json"},
                               with_body=with_body)
                return
            parts = path.strip("/").split("/")
            if len(parts) >= 5 and parts[2] == "resolve":
                repo_id, name = "/".join(parts[:2]), "/".join(parts[4:])
                if (found := self._model(repo_id, with_body)) is None:
                    return
                if name != "README.md" or found.get("card") is None:
                    return self._error(404, "EntryNotFound", f"{name} does not exist on \"main\"",
                                       with_body=with_body)
                data = found["card"].encode()
                self._send(200, data, {"Content-Type": "text/plain; charset=utf-8", "X-Repo-Commit": SHA,
                                       "ETag": f'"{hashlib.sha1(data).hexdigest()}"', "Accept-Ranges": "bytes"},
                           with_body=with_body)
                return
            self._error(404, None, "Not Found", with_body=with_body)

        def do_GET(self) -> None:
            self._answer(with_body=True)

        def do_HEAD(self) -> None:
            self._answer(with_body=False)

    return Handler
