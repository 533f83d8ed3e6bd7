"""The unpacked size of an image a local Docker engine already has, from the Docker API on its unix socket.

``GET /images/{name}/json`` answers ``{"Size": <bytes>}``: the image unpacked on disk, typically 2-3x the
download size. No engine, an engine over TCP, an image it does not have, or any trouble: None, quietly; this
number is a bonus, never a reason to fail.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import httpx

from wizard.images.reference import ImageReference

DEFAULT_SOCKET = Path("/var/run/docker.sock")
ENGINE_TIMEOUT = httpx.Timeout(5.0, connect=1.0)


def docker_socket(environ: Mapping[str, str] | None = None) -> Path | None:
    """The engine's unix socket from ``$DOCKER_HOST`` (``unix://...``) or the default, if it exists."""
    environ = os.environ if environ is None else environ
    host = environ.get("DOCKER_HOST", "")
    if host and not host.startswith("unix://"):
        return None  # tcp:// and ssh:// engines are remote: their images are not the ones this machine pulls
    path = Path(host.removeprefix("unix://")) if host else DEFAULT_SOCKET
    return path if path.is_socket() else None


def docker_engine_client(socket: Path) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(uds=str(socket)), base_url="http://docker", timeout=ENGINE_TIMEOUT
    )


async def engine_image_size(client: httpx.AsyncClient, reference: ImageReference) -> int | None:
    try:
        response = await client.get(f"/images/{reference.familiar}/json")
        size = response.json().get("Size") if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    return size if isinstance(size, int) and not isinstance(size, bool) else None


async def local_unpacked_size(reference: ImageReference, environ: Mapping[str, str] | None = None) -> int | None:
    """The unpacked size if a local engine has the image; None when there is no engine."""
    socket = docker_socket(environ)
    if socket is None:
        return None
    async with docker_engine_client(socket) as client:
        return await engine_image_size(client, reference)
