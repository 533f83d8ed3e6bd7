"""Run a service's image through a local Docker engine (the Engine API on its Unix socket, over httpx), the way the
Prem Daemon runs it: the manifest's port, environment, volume and command. The container is always removed:
after the checks, on a failure, and on Ctrl+C (the cleanup runs in ``finally`` while the task is cancelled).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import secrets
import shlex
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from wizard.errors import ContainerFailed, EngineUnavailable
from wizard.terminal_text import one_line

API = "/v1.41"  # Docker 20.10 and newer; every call used here is older than that
LABEL = "io.premai.prem-new-service.check"
HEADROOM = 1.25  # what the daemon should ask for beyond the peak seen: a longer prompt takes more
MEMORY_STEP_MIB = 512


@dataclass(frozen=True)
class ContainerSpec:
    image: str
    port: int = 8000
    env: tuple[str, ...] = ()
    volume_path: str | None = None
    command: str | None = None
    gpu: bool = False
    name: str = field(default_factory=lambda: f"prem-check-{secrets.token_hex(4)}")

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any], image: str, *, gpu: bool) -> ContainerSpec:
        port = manifest.get("defaultPort")
        env = manifest.get("envVariables")
        command = manifest.get("command")
        return cls(image, port if isinstance(port, int) and not isinstance(port, bool) else 8000,
                   tuple(v for v in env if isinstance(v, str)) if isinstance(env, list) else (),
                   manifest.get("volumePath") if isinstance(manifest.get("volumePath"), str) else None,
                   command if isinstance(command, str) and command.strip() else None, gpu)

    def create_body(self) -> dict[str, Any]:
        exposed = f"{self.port}/tcp"
        host: dict[str, Any] = {"PortBindings": {exposed: [{"HostIp": "127.0.0.1", "HostPort": ""}]}}
        if self.volume_path:  # an anonymous volume, removed with the container (v=true)
            host["Mounts"] = [{"Type": "volume", "Target": self.volume_path}]
        if self.gpu:
            host["DeviceRequests"] = [{"Driver": "nvidia", "Count": -1, "Capabilities": [["gpu"]]}]
        body: dict[str, Any] = {"Image": self.image, "Env": list(self.env), "ExposedPorts": {exposed: {}},
                                "HostConfig": host, "Labels": {LABEL: "1"}}
        if self.command:
            body["Cmd"] = shlex.split(self.command)
        return body


def memory_used(stats: Any) -> int | None:
    """What ``docker stats`` shows as used: the usage without the page cache the kernel can take back."""
    memory = stats.get("memory_stats") if isinstance(stats, dict) else None
    usage = memory.get("usage") if isinstance(memory, dict) else None
    if not isinstance(usage, int) or isinstance(usage, bool):
        return None
    detail = memory.get("stats") if isinstance(memory.get("stats"), dict) else {}
    cache = detail.get("inactive_file", detail.get("total_inactive_file", 0))
    return max(0, usage - cache) if isinstance(cache, int) and cache <= usage else usage


def suggested_memory_mib(peak_bytes: int) -> int:
    """memoryRequirements for a peak seen: 25% over it, rounded up to 512 MiB."""
    wanted = peak_bytes * HEADROOM / 2**20
    return max(MEMORY_STEP_MIB, math.ceil(wanted / MEMORY_STEP_MIB) * MEMORY_STEP_MIB)


def _message(response: httpx.Response) -> str:
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    return one_line(str(message)) if message else f"HTTP {response.status_code}"


def demuxed(raw: bytes) -> str:
    """A container's log as text: without a TTY the engine frames each write with an 8-byte header."""
    out, at = [], 0
    while at + 8 <= len(raw) and raw[at] in (0, 1, 2) and raw[at + 1:at + 4] == b"\x00\x00\x00":
        size = int.from_bytes(raw[at + 4:at + 8], "big")
        out.append(raw[at + 8:at + 8 + size])
        at += 8 + size
    text = b"".join(out) if out else raw
    return text.decode("utf-8", "replace")


class Engine:
    """The calls ``check --run`` makes, each refusal an ``EngineUnavailable`` with the engine's own message."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def _call(self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201, 204), what: str,
                    **keywords: Any) -> httpx.Response:
        try:
            response = await self.client.request(method, API + path, **keywords)
        except httpx.HTTPError as error:
            raise EngineUnavailable(f"the Docker engine did not answer {what}: {type(error).__name__}",
                                    hint="is Docker running? `docker info` says") from None
        if response.status_code not in ok:
            raise EngineUnavailable(f"the Docker engine refused to {what}: {_message(response)}")
        return response

    async def has_image(self, image: str) -> bool:
        response = await self._call("GET", f"/images/{quote(image, safe='/:@')}/json", ok=(200, 404),
                                    what=f"look up {image}")
        return response.status_code == 200

    async def pull(self, image: str, progress: Callable[[str], None]) -> None:
        name, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "latest")
        last = time.monotonic()
        async with self.client.stream("POST", f"{API}/images/create", params={"fromImage": name, "tag": tag},
                                      timeout=httpx.Timeout(None, connect=5.0)) as response:
            if response.status_code != 200:
                await response.aread()
                raise EngineUnavailable(f"the Docker engine cannot pull {image}: {_message(response)}",
                                        hint="check the reference, or `docker login` for a private image")
            async for line in response.aiter_lines():
                if '"error"' in line:
                    raise EngineUnavailable(f"pulling {image} failed: {one_line(line[:300])}")
                if time.monotonic() - last > 5:
                    progress(f"pulling {image}: {one_line(line[:120])}")
                    last = time.monotonic()

    async def create(self, spec: ContainerSpec) -> str:
        response = await self._call("POST", "/containers/create", params={"name": spec.name},
                                    json=spec.create_body(), what=f"create a container of {spec.image}")
        return str(response.json()["Id"])

    async def start(self, container: str) -> None:
        await self._call("POST", f"/containers/{container}/start", ok=(204, 304), what="start the container")

    async def inspect(self, container: str) -> dict[str, Any]:
        return (await self._call("GET", f"/containers/{container}/json", what="inspect the container")).json()

    async def memory(self, container: str) -> int | None:
        response = await self._call("GET", f"/containers/{container}/stats", params={"stream": "false"},
                                    what="read the container's stats")
        return memory_used(response.json())

    async def logs(self, container: str, tail: int = 20) -> str:
        with contextlib.suppress(EngineUnavailable):
            response = await self._call("GET", f"/containers/{container}/logs", what="read the logs",
                                        params={"stdout": "true", "stderr": "true", "tail": str(tail)})
            return demuxed(response.content)
        return ""

    async def remove(self, container: str) -> None:
        """Stop and remove, whatever state it is in; a container already gone is fine."""
        with contextlib.suppress(EngineUnavailable):
            await self._call("POST", f"/containers/{container}/stop", params={"t": "5"}, ok=(204, 304, 404),
                             what="stop the container")
        await self._call("DELETE", f"/containers/{container}", params={"force": "true", "v": "true"},
                         ok=(204, 404), what="remove the container")


def published_port(details: Mapping[str, Any], port: int) -> int | None:
    ports = (details.get("NetworkSettings") or {}).get("Ports") or {}
    bindings = ports.get(f"{port}/tcp") or []
    for binding in bindings:
        if isinstance(binding, dict) and str(binding.get("HostPort", "")).isdigit():
            return int(binding["HostPort"])
    return None


@dataclass
class Running:
    container: str
    url: str
    peak_bytes: int = 0
    samples: int = 0


async def sample_memory(engine: Engine, running: Running, every: float = 0.5) -> None:
    while True:
        with contextlib.suppress(EngineUnavailable, ValueError):
            used = await engine.memory(running.container)
            if used is not None:
                running.peak_bytes = max(running.peak_bytes, used)
                running.samples += 1
        await asyncio.sleep(every)


async def _exited(engine: Engine, container: str, image: str) -> None:
    state = (await engine.inspect(container)).get("State") or {}
    if state.get("Running", True):
        return
    why = " (killed: out of memory)" if state.get("OOMKilled") else ""
    logs = (await engine.logs(container)).strip()
    raise ContainerFailed(f"the container of {image} exited with code {state.get('ExitCode')}{why} before it "
                          f"answered" + (f"; its last lines:\n{logs}" if logs else ""),
                          hint="fix what the log says, then run it again; the container was removed")


async def wait_until_healthy(engine: Engine, running: Running, image: str, *, probe: Callable[[str], Any],
                             deadline: float, progress: Callable[[str], None], every: float = 1.0) -> None:
    """Poll ``probe(url)`` (true once the service answers) until it does, the container exits, or the deadline."""
    started = time.monotonic()
    said = started
    while True:
        await _exited(engine, running.container, image)
        if await probe(running.url):
            return
        waited = time.monotonic() - started
        if waited >= deadline:
            logs = (await engine.logs(running.container)).strip()
            raise ContainerFailed(f"{running.url} did not answer within {deadline:g} s" +
                                  (f"; the container's last lines:\n{logs}" if logs else ""),
                                  hint="a big model may need longer: --health-deadline SECONDS; the container "
                                  "was removed")
        if time.monotonic() - said >= 5:
            said = time.monotonic()
            progress(f"[run] waiting for {running.url} to answer ({waited:.0f} s of at most {deadline:g}; "
                     f"{running.peak_bytes / 2**20:.0f} MiB used so far)")
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def running_container(engine: Engine, spec: ContainerSpec, *, progress: Callable[[str], None]
                            ) -> AsyncIterator[Running]:
    """A started container with its port published on loopback, its memory sampled; removed on the way out,
    however that is (an error, a failed check, Ctrl+C)."""
    if not await engine.has_image(spec.image):
        progress(f"[run] {spec.image} is not on this machine: pulling it")
        await engine.pull(spec.image, progress)
    container = await engine.create(spec)
    sampler: asyncio.Task[None] | None = None
    try:
        progress(f"[run] created {spec.name} from {spec.image}")
        await engine.start(container)
        port = published_port(await engine.inspect(container), spec.port)
        if port is None:  # a container that exited at once has no ports: say why it exited
            await _exited(engine, container, spec.image)
            raise ContainerFailed(f"the engine published no host port for the container's port {spec.port}")
        running = Running(container, f"http://127.0.0.1:{port}")
        sampler = asyncio.create_task(sample_memory(engine, running))
        progress(f"[run] started: port {spec.port} is {running.url}")
        yield running
    finally:
        if sampler is not None:
            sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampler
        try:
            async with asyncio.timeout(30):
                await engine.remove(container)
            progress(f"[run] removed {spec.name}")
        except (EngineUnavailable, TimeoutError):
            progress(f"[run] could not remove {spec.name}: run `docker rm -f {spec.name}`")
