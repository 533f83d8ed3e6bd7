"""What a local Docker engine says an image takes, a cross-check of the unpacked size: a fake engine on a unix
socket; None quietly without one."""

from __future__ import annotations

from pathlib import Path

from wizard.images import local_unpacked_size, lookup_sizes, parse_reference
from wizard.images.docker_engine import docker_socket


async def test_the_engine_reports_the_unpacked_size(fake_docker_engine) -> None:
    engine = fake_docker_engine({"nginx:latest": 187_000_000, "ghcr.io/premai-io/x:1.0": 5_000})
    assert await local_unpacked_size(parse_reference("docker.io/library/nginx")) == 187_000_000
    assert await local_unpacked_size(parse_reference("ghcr.io/premai-io/x:1.0")) == 5_000
    assert await local_unpacked_size(parse_reference("ghcr.io/premai-io/x:2.0")) is None  # not pulled
    assert engine.requests[0] == "/images/nginx:latest/json"


async def test_no_engine_means_none_quietly(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'absent.sock'}")
    assert await local_unpacked_size(parse_reference("nginx")) is None
    assert docker_socket({"DOCKER_HOST": "tcp://10.0.0.1:2376"}) is None  # a remote engine is not ours
    assert docker_socket({"DOCKER_HOST": "unix:///nonexistent.sock"}) is None


def test_the_default_socket_is_used_without_docker_host(monkeypatch) -> None:
    seen: list[Path] = []
    monkeypatch.setattr(Path, "is_socket", lambda self: seen.append(self) or True)
    assert docker_socket({}) == Path("/var/run/docker.sock")


async def test_lookup_sizes_adds_the_engines_figure_beside_its_own(container_registry, unique_repository,
                                                                   fake_docker_engine) -> None:
    pushed = container_registry.push_image(unique_repository, "1.0")
    fake_docker_engine({f"{container_registry.host}/{unique_repository}:1.0": 3 * pushed.unpacked_size})
    found = (await lookup_sizes([pushed.reference]))[pushed.reference]
    assert (found.download_size, found.unpacked.size) == (pushed.size, pushed.unpacked_size)
    assert found.engine_size == 3 * pushed.unpacked_size
    assert found.size_for() == pushed.unpacked_size  # the engine's figure is shown, never written
