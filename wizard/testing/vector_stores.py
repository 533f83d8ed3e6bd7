"""Vector stores speak their own engine's API, not Prem's: each engine gets the calls that show it is up and
answering as that engine. Qdrant and Weaviate over HTTP; Redis (RESP ``PING``) and pgvector (PostgreSQL's
``SSLRequest``, answered ``S`` or ``N`` before any login) over TCP."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from wizard.testing.calls import Call, Verdict

ENGINES = ("qdrant", "weaviate", "redis", "pgvector")
SSL_REQUEST = b"\x00\x00\x00\x08\x04\xd2\x16\x2f"


def guessed_engine(*names: str) -> str | None:
    """The engine a service id, an image reference or a URL names (``vector-store-qdrant``, ``redis://``)."""
    for name in names:
        lowered = name.lower()
        for engine in ENGINES:
            if engine in lowered or engine == "pgvector" and lowered.startswith(("postgres", "postgresql")):
                return engine
    return None


def _qdrant_root(answer: Any) -> Verdict:
    title = answer.get("title") if isinstance(answer, dict) else None
    if not isinstance(title, str) or "qdrant" not in title.lower():
        return "the root does not answer Qdrant's {\"title\": \"qdrant - …\", \"version\": …}", {}
    return None, {"version": answer.get("version")}


def _qdrant_collections(answer: Any) -> Verdict:
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("collections"), list):
        return "GET /collections has no result.collections list", {}
    return None, {"collections": len(result["collections"])}


def _weaviate_ready(answer: Any) -> Verdict:
    return None, {}


def _weaviate_meta(answer: Any) -> Verdict:
    if not isinstance(answer, dict) or not isinstance(answer.get("version"), str):
        return "GET /v1/meta has no version", {}
    return None, {"version": answer["version"]}


HTTP_CALLS: dict[str, tuple[Call, ...]] = {
    "qdrant": (Call("Qdrant's root", "GET", "/", dict, _qdrant_root),
               Call("list collections", "GET", "/collections", dict, _qdrant_collections)),
    "weaviate": (Call("ready", "GET", "/v1/.well-known/ready", dict, _weaviate_ready),
                 Call("meta", "GET", "/v1/meta", dict, _weaviate_meta)),
}


@dataclass(frozen=True)
class Probe:
    name: str
    send: bytes
    expect: tuple[bytes, ...]
    meaning: str


PROBES = {
    "redis": Probe("PING", b"*1\r\n$4\r\nPING\r\n", (b"+PONG", b"-NOAUTH"), "Redis answers +PONG"),
    "pgvector": Probe("SSLRequest", SSL_REQUEST, (b"S", b"N"), "PostgreSQL answers S or N"),
}


async def tcp_probe(host: str, port: int, probe: Probe, deadline: float) -> str | None:
    """None when the engine answers as itself; else the reason."""
    try:
        async with asyncio.timeout(deadline):
            reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(probe.send)
                await writer.drain()
                answer = await reader.read(64)
            finally:
                writer.close()
    except TimeoutError:
        return f"no answer to {probe.name} within {deadline:g} s"
    except OSError as error:
        return (f"nothing answers at {host}:{port} ({error.strerror or error}): is the service running and its port "
                "published?")
    if answer.startswith(probe.expect):
        return None
    return f"{probe.name} was answered {answer[:20]!r}; {probe.meaning}"
