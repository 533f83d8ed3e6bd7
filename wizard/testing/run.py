"""A service's image run through the local Docker engine and checked: the whole of ``check --run``, for every
front end. ``progress`` hears each stage; ``said`` each call's result as it ends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from wizard.errors import EngineUnavailable
from wizard.images.docker_engine import docker_engine_client, docker_socket
from wizard.testing.check import (
    DEFAULT_DEADLINE,
    DEFAULT_RUNS,
    CallResult,
    CheckReport,
    check_service,
)
from wizard.testing.engine import (
    ContainerSpec,
    Engine,
    running_container,
    suggested_memory_mib,
    wait_until_healthy,
)

DEFAULT_HEALTH_DEADLINE = 600.0  # seconds: a big model downloads its weights, then loads them


@dataclass(frozen=True)
class Memory:
    peak_mib: int
    samples: int
    suggested_mib: int

    def document(self) -> dict[str, int]:
        return {"peakMiB": self.peak_mib, "samples": self.samples, "suggestedMiB": self.suggested_mib}


def no_engine_hint(image: str, interface: str) -> str:
    return (f"start Docker (or point DOCKER_HOST at its unix:// socket), or run the image yourself: "
            f"`docker run --rm -p 8000:8000 {image}`, then `prem-new-service check http://127.0.0.1:8000 "
            f"--interface {interface}`")


def manifest_image(manifest: Mapping[str, Any], *, gpu: bool) -> str | None:
    """The image the daemon would run: the GPU one on a GPU machine, else the CPU one (or the other if alone)."""
    images = manifest.get("dockerImages")
    if not isinstance(images, Mapping):
        return None
    order = ("gpu", "cpu") if gpu else ("cpu", "gpu")
    for device in order:
        chosen = images.get(device)
        if isinstance(chosen, Mapping) and isinstance(chosen.get("image"), str):
            return chosen["image"]
    return None


async def _answers(url: str, http_health: bool) -> bool:
    if not http_health:  # a vector store, or no /v1/: the port taking connections is all there is to see
        host, port = url.removeprefix("http://").rsplit(":", 1)
        try:
            _, writer = await asyncio.open_connection(host, int(port))
        except OSError:
            return False
        writer.close()
        return True
    try:
        async with httpx.AsyncClient(timeout=2.0, trust_env=False) as probe:
            return (await probe.get(f"{url}/v1/")).is_success
    except httpx.HTTPError:
        return False


async def run_and_check(image: str, interface: str, manifest: Mapping[str, Any] | None, *, gpu: bool = False,
                        engine_name: str | None = None, runs: int = DEFAULT_RUNS, deadline: float = DEFAULT_DEADLINE,
                        health_deadline: float = DEFAULT_HEALTH_DEADLINE,
                        progress: Callable[[str], None] = lambda line: None,
                        said: Callable[[CallResult], None] = lambda result: None) -> tuple[CheckReport, Memory]:
    """Start ``image`` as the daemon would (the manifest's port, environment, volume, command), wait until it
    answers, check it, and remove it however this ends. Raises EngineUnavailable (no engine; the container
    failed, with its last log lines)."""
    socket = docker_socket()
    if socket is None:
        raise EngineUnavailable("checking by running the image needs a local Docker engine, and none answers on a "
                                "unix socket (/var/run/docker.sock, or DOCKER_HOST=unix://…)",
                                hint=no_engine_hint(image, interface))
    manifest = manifest or {}
    spec = ContainerSpec.from_manifest(manifest, image, gpu=gpu)
    http_health = interface != "vector-store" and manifest.get("skipHealthCheck") is not True
    async with docker_engine_client(socket) as client:
        engine = Engine(client)
        async with running_container(engine, spec, progress=progress) as running:
            await wait_until_healthy(engine, running, image, probe=lambda url: _answers(url, http_health),
                                     deadline=health_deadline, progress=progress)
            progress(f"[run] {running.url} answers; checking it")
            timeout = httpx.Timeout(deadline, connect=min(5.0, deadline))
            async with httpx.AsyncClient(timeout=timeout, trust_env=False) as service:
                report = await check_service(service, running.url, interface, runs=runs, deadline=deadline,
                                             skip_health=not http_health and interface != "vector-store",
                                             engine=engine_name, said=said)
            used = await engine.memory(running.container)
            running.peak_bytes = max(running.peak_bytes, used or 0)
            memory = Memory(round(running.peak_bytes / 2**20), running.samples + 1,
                            suggested_memory_mib(running.peak_bytes))
    return report, memory


@dataclass(frozen=True)
class Trial:
    """A written folder tested, for a front end to show: the lines to say and the figures it may record."""

    lines: tuple[str, ...]
    passed: bool
    answers: dict[str, Any]  # field key -> measured value: tokens_per_second, memory
    next_steps: tuple[str, ...] = ()

    def figures(self) -> str:
        """The measured answers in words: ``Memory 4096 MiB, Tokens per second 80``."""
        from wizard.service.answers import label_for

        units = {"memory": " MiB"}
        return ", ".join(f"{label_for(key)} {value}{units.get(key, '')}" for key, value in self.answers.items())


def result_line(result: CallResult) -> str:
    """One call's line, in columns: pass or FAIL, the call, its timing, then its figures or the reason."""
    mark = "pass" if result.passed else "FAIL"
    figures = ", ".join(f"{k} {v}" for k, v in result.figures.items() if k != "estimated")
    tail = result.reason if not result.passed else figures
    line = f"  {mark}  {result.method:<4} {result.path:<26} {result.name:<32} {result.seconds:7.3f} s"
    return f"{line}  {tail}" if tail else line


async def test_folder(folder: Path, manifest: Mapping[str, Any], *, gpu: bool = False,
                      progress: Callable[[str], None] = lambda line: None) -> Trial:
    """A written folder's image run and checked, with the figures measured; without an engine, what to run."""
    from wizard.service.fields import TEXT_GENERATING
    from wizard.testing.speed import recorded_value
    from wizard.testing.vector_stores import guessed_engine

    interfaces = manifest.get("interfaces") or ["chat"]
    interface = str(interfaces[0])
    image = manifest_image(manifest, gpu=gpu)
    by_hand = (f"prem-new-service try {folder}", f"prem-new-service check --run {folder}" + (" --gpu" if gpu else ""))
    if image is None:
        return Trial(("The manifest names no Docker image to run.",), False, {}, by_hand)
    lines: list[str] = []

    def said(result: CallResult) -> None:
        lines.append(result_line(result))
        progress(lines[-1])

    engine_name = guessed_engine(str(manifest.get("id", "")), image) if interface == "vector-store" else None
    try:
        report, memory = await run_and_check(image, interface, manifest, gpu=gpu, engine_name=engine_name or "qdrant",
                                             progress=progress, said=said)
    except EngineUnavailable as error:
        said_error = str(error)
        return Trial((*lines, said_error[:1].upper() + said_error[1:]), False, {}, by_hand)
    answers: dict[str, Any] = {"memory": memory.suggested_mib}
    lines.append(f"memory: peak {memory.peak_mib} MiB; suggested {memory.suggested_mib} MiB")
    rate = report.tokens_per_second
    if rate is not None and interface in TEXT_GENERATING:
        answers["tokens_per_second"] = recorded_value(rate)
        lines.append(f"tokens per second: {answers['tokens_per_second']} (median of {len(report.speeds)} streams)")
    passed = report.passed
    lines.append(f"{sum(r.passed for r in report.results)} of {len(report.results)} calls passed")
    return Trial(tuple(lines), passed, answers if passed else {}, by_hand if not passed else (by_hand[0],))
