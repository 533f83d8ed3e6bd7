"""Loopback services that speak the prem-services contract (port 8000's API under ``/v1``), one per interface,
with the real shapes FastAPI answers, and each way a service can be broken.

``fault``: None (a good service), ``"500"`` (every call but the health check fails as an unhandled exception
does), ``"wrong-shape"`` (answers of another shape), ``"never-ends"`` (a stream that stops sending but stays
open), ``"no-done"`` (a stream closed without ``[DONE]``), ``"not-sse"`` (a stream request answered with one
JSON body), ``"one-chunk"`` (the whole answer in one event, as prem-services' llama-2 does), ``"health-down"``.
The chat and coder streams send ``tokens`` chunks at ``rate`` per second against a fixed schedule, so a slow
moment does not change the rate.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler

from tests.servers.loopback_http import LoopbackServer, send_bytes, send_json
from wizard.testing.inputs import small_png

VECTOR_ROOTS = {
    "qdrant": {"/": {"title": "qdrant - vector search engine", "version": "1.7.4"},
               "/collections": {"result": {"collections": []}, "status": "ok", "time": 1.2e-05}},
    "weaviate": {"/v1/.well-known/ready": {}, "/v1/meta": {"hostname": "http://[::]:8080", "modules": {},
                                                          "version": "1.21.2"}},
}
MISSING_FILE = {"detail": [{"loc": ["body", "file"], "msg": "field required", "type": "value_error.missing"}]}


class ServiceAPI(LoopbackServer):
    def __init__(self, interface: str, *, fault: str | None = None, rate: float = 40.0, tokens: int = 30,
                 engine: str | None = None) -> None:
        self.interface, self.fault, self.rate, self.tokens, self.engine = interface, fault, rate, tokens, engine
        self.requests: list[tuple[str, str, dict]] = []  # (method, path, the JSON body or the form's field names)
        self.release = threading.Event()  # ends a "never-ends" stream
        self.serve(_handler_for(self))

    def stop(self) -> None:
        self.release.set()
        super().stop()


def _chat_chunk(text: str, coder: bool) -> dict:
    choice = {"index": 0, "text": text} if coder else {"index": 0, "delta": {"role": "assistant", "content": text}}
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "prem", "choices": [choice]}


def _handler_for(api: ServiceAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _body(self) -> tuple[dict, bytes]:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            kind = self.headers.get("Content-Type", "")
            if kind.startswith("multipart/form-data"):
                return {"fields": sorted({n.decode() for n in re.findall(rb'; name="([^"]+)"', raw)})}, raw
            try:
                return json.loads(raw or b"{}"), raw
            except ValueError:
                return {}, raw

        def do_GET(self) -> None:
            api.requests.append(("GET", self.path, {}))
            if api.engine:
                roots = VECTOR_ROOTS[api.engine]
                if self.path in roots:
                    return send_json(self, 200, roots[self.path])
                return send_json(self, 404, {"detail": "Not Found"})
            if self.path == "/v1/":
                if api.fault == "health-down":
                    return send_json(self, 503, {"detail": "model is loading"})
                return send_json(self, 200, {"status": True})
            send_json(self, 404, {"detail": "Not Found"})

        def do_POST(self) -> None:
            body, _ = self._body()
            api.requests.append(("POST", self.path, body))
            route = ROUTES.get(api.interface)
            if route is None or self.path != route:
                return send_json(self, 404, {"detail": "Not Found"})
            if api.fault == "500":
                return send_bytes(self, 500, "text/plain; charset=utf-8", b"Internal Server Error")
            if api.interface in ("chat", "coder") and body.get("stream"):
                return self._stream(api.interface == "coder")
            send_json(self, *self._answer(body))

        def _answer(self, body: dict) -> tuple[int, dict]:
            wrong = api.fault == "wrong-shape"
            interface = api.interface
            if interface in ("chat", "coder"):
                if wrong:
                    return 200, {"result": "Hello there"}
                return 200, {"id": "1", "object": "chat.completion", "model": "prem", "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": "The sea is wide."},
                     "finish_reason": "stop"}]}
            if interface == "embeddings":
                count = len(body.get("input", [])) if isinstance(body.get("input"), list) else 1
                vector = ["0.1"] * 384 if wrong else [0.01 * i for i in range(384)]
                return 200, {"object": "list", "model": None, "usage": {"prompt_tokens": 0, "total_tokens": 0},
                             "data": [{"object": "embedding", "index": i, "embedding": vector} for i in range(count)]}
            if interface in ("diffuser", "upscaler"):
                if interface == "upscaler" and "image" not in body.get("fields", []):
                    return 422, {**MISSING_FILE, "detail": [{**MISSING_FILE["detail"][0], "loc": ["body", "image"]}]}
                picture = base64.b64encode(b"not a picture" if wrong else small_png(64, 64)).decode()
                return 200, {"created": 1700000000, "data": [{"b64_json": picture}]}
            if interface == "audio-to-text":
                if "file" not in body.get("fields", []):
                    return 422, MISSING_FILE
                return 200, {"transcript": "hi"} if wrong else {"text": " a tone"}
            if interface == "text-to-audio":
                return 200, {"file": "x"} if wrong else {"url": "5c1d.wav"}
            return 404, {"detail": "Not Found"}

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _stream(self, coder: bool) -> None:
            if api.fault == "not-sse":
                return send_json(self, *self._answer({}))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if api.fault == "one-chunk":
                text = "The sea is wide and deep and it covers most of the planet we live on today."
                self._chunk(f"event: completion\ndata: {json.dumps(_chat_chunk(text, coder))}\n\n".encode())
            else:
                started = time.perf_counter()
                for i in range(api.tokens):
                    time.sleep(max(0.0, started + i / api.rate - time.perf_counter()))
                    self._chunk(f"data: {json.dumps(_chat_chunk(f' word{i}', coder))}\n\n".encode())
                    if api.fault == "never-ends" and i == 2:
                        api.release.wait(30)
                        return
            if api.fault == "no-done":
                self.wfile.write(b"0\r\n\r\n")
                self.close_connection = True
                return
            self._chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")

    return Handler


ROUTES = {"chat": "/v1/chat/completions", "coder": "/v1/completions", "embeddings": "/v1/embeddings",
          "diffuser": "/v1/images/generations", "upscaler": "/v1/images/upscale",
          "audio-to-text": "/v1/audio/transcriptions", "text-to-audio": "/v1/audio/generation"}


class TCPEngine:
    """Redis (RESP) or PostgreSQL's first answer, on a loopback TCP port."""

    ANSWERS = {"redis": b"+PONG\r\n", "pgvector": b"N"}

    def __init__(self, engine: str) -> None:
        answer = self.ANSWERS[engine]

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.recv(64)
                self.request.sendall(answer)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        self.port = self._server.server_address[1]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def port_where_nothing_listens() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
