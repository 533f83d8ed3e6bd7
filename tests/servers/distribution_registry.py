"""The CNCF distribution registry (Debian package ``docker-registry``) on a free loopback port.

``start_registry(workdir, auth=...)`` writes a config (filesystem storage under ``workdir``, ``http.addr`` on
127.0.0.1), starts ``docker-registry serve CONFIG`` and polls ``/v2/`` until it answers. The returned
:class:`RunningRegistry` is an :class:`ImagePusher` for that registry and is stopped with ``.stop()``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.servers.oci_push import ChallengeAuth, ImagePusher

REGISTRY_BINARY = "docker-registry"
START_TIMEOUT = 15.0


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def registry_available() -> bool:
    return shutil.which(REGISTRY_BINARY) is not None


class RunningRegistry(ImagePusher):
    """A registry process that images can be pushed to (``push_image``, ``push_index``, ``tag``: see
    :class:`ImagePusher`). ``host`` is ``127.0.0.1:PORT``, what goes in an image reference; ``username`` and
    ``password`` are set when the registry wants them (pushing already uses them)."""

    def __init__(
        self,
        host: str,
        process: subprocess.Popen[bytes],
        workdir: Path,
        username: str | None = None,
        password: str | None = None,
        authenticated: bool = False,
    ) -> None:
        super().__init__(host, ChallengeAuth(username, password) if authenticated else None)
        self.process, self.workdir = process, workdir
        self.username, self.password = username, password

    def __repr__(self) -> str:
        return f"RunningRegistry({self.host!r}, user={self.username!r})"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def stop(self) -> None:
        self.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_registry(
    workdir: Path,
    *,
    auth: dict[str, Any] | None = None,
    username: str | None = None,
    password: str | None = None,
) -> RunningRegistry:
    """Start a registry; ``auth`` is the config's ``auth`` section (htpasswd or token), None for an open one."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_loopback_port()
    config: dict[str, Any] = {
        "version": 0.1,
        "log": {"level": "error", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(workdir / "storage")}, "delete": {"enabled": True}},
        "http": {"addr": f"127.0.0.1:{port}", "secret": "tests-only-http-secret"},
    }
    if auth:
        config["auth"] = auth
    config_path = workdir / "config.yml"
    config_path.write_text(yaml.safe_dump(config))
    log = (workdir / "registry.log").open("wb")
    process = subprocess.Popen([REGISTRY_BINARY, "serve", str(config_path)], stdout=log, stderr=subprocess.STDOUT)
    host = f"127.0.0.1:{port}"
    _wait_until_serving(host, process, workdir / "registry.log")
    return RunningRegistry(host, process, workdir, username, password, authenticated=bool(auth))


def _wait_until_serving(host: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"docker-registry exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            httpx.get(f"http://{host}/v2/", timeout=0.5)
            return  # any answer, 200 or 401, means it serves
        except httpx.TransportError:
            time.sleep(0.02)  # polling a starting process, bounded by the deadline
    process.kill()
    raise RuntimeError(f"docker-registry did not answer on {host} within {START_TIMEOUT} s")
