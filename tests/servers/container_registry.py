"""Container registry fixtures: the real CNCF distribution registry on loopback, with and without auth.

Fixtures (loaded for every test through ``pytest_plugins`` in tests/conftest.py):

- ``container_registry`` (session): an open registry. ``.host`` is ``127.0.0.1:PORT``;
  ``.push_image(repo, tag, layers=..., kind="docker"|"oci", platform=...)`` returns a :class:`PushedImage` with
  ``.reference``, ``.size`` (config + layers, what a lookup must report) and ``.digest``;
  ``.push_index(repo, tag, platforms=(...), kind="oci"|"docker")`` returns a :class:`PushedIndex`;
  ``.tag(image, tag)`` adds a tag.
- ``auth_container_registry`` (session): htpasswd Basic auth; ``.username`` / ``.password`` are the one account.
- ``token_container_registry``: token auth through ``token_server`` (a :class:`TokenServer` whose ``requests``
  are cleared, and ``private`` and ``expires_in`` reset, before each test). ``.username``/``.password`` work there.
- ``fault_proxy``: a fresh :class:`FaultProxy` in front of ``container_registry`` (use ``fault_proxy.host`` in
  references); it counts requests and injects 429/5xx, stalls and resets.
- ``unique_repository``: a repository name no other test uses, like ``t/test-name-3``.
- ``docker_config``: ``docker_config(config_dict)`` writes ``config.json`` into the test's ``$DOCKER_CONFIG``.
- ``fake_docker_engine``: ``fake_docker_engine({"name:tag": size})`` serves the Docker API on a unix socket and
  points ``$DOCKER_HOST`` at it.

Every test runs with ``$DOCKER_CONFIG`` pointing at an empty folder and no ``PREM_REGISTRY_*`` variables, so the
machine's own Docker logins never leak into a test.
"""

from __future__ import annotations

import itertools
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers.distribution_registry import (
    RunningRegistry,
    registry_available,
    start_registry,
)
from tests.servers.docker_engine import FakeDockerEngine
from tests.servers.fault_proxy import FaultProxy
from tests.servers.oci_push import PushedImage, PushedIndex
from tests.servers.token_server import SigningKey, TokenServer

__all__ = ["FaultProxy", "PushedImage", "PushedIndex", "RunningRegistry", "TokenServer"]

TEST_USER = "prem-tester"
_needs_registry = "the docker-registry binary is not installed (apt-get install docker-registry)"
_counter = itertools.count(1)


def _skip_without_registry() -> None:
    # A missing real registry is a broken test machine, not a reason to pass: ./test.sh installs it.
    if not registry_available():
        pytest.fail(_needs_registry)


@pytest.fixture(autouse=True)
def isolated_docker_credentials(isolated_user_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test sees the machine's Docker logins, registry variables or Docker engine."""
    folder = isolated_user_dirs / "docker"
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    for name in ("PREM_REGISTRY_USERNAME", "PREM_REGISTRY_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture(scope="session")
def container_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRegistry]:
    _skip_without_registry()
    registry = start_registry(tmp_path_factory.mktemp("open-registry"))
    yield registry
    registry.stop()


@pytest.fixture(scope="session")
def auth_container_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningRegistry]:
    _skip_without_registry()
    import bcrypt

    workdir = tmp_path_factory.mktemp("basic-registry")
    password = secrets.token_urlsafe(12)
    # cost 4, the least bcrypt allows: the registry checks it on every request
    line = f"{TEST_USER}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()}\n"
    (workdir / "htpasswd").write_text(line)
    auth = {"htpasswd": {"realm": "prem-test-basic", "path": str(workdir / "htpasswd")}}
    registry = start_registry(workdir, auth=auth, username=TEST_USER, password=password)
    yield registry
    registry.stop()


@pytest.fixture(scope="session")
def _token_server_session() -> Iterator[TokenServer]:
    server = TokenServer(SigningKey.generate(), users={TEST_USER: secrets.token_urlsafe(12)}).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _token_registry_session(
    tmp_path_factory: pytest.TempPathFactory, _token_server_session: TokenServer
) -> Iterator[RunningRegistry]:
    _skip_without_registry()
    workdir = tmp_path_factory.mktemp("token-registry")
    auth = _token_server_session.registry_auth(workdir / "token-issuer.pem")
    password = _token_server_session.users[TEST_USER]
    registry = start_registry(workdir, auth=auth, username=TEST_USER, password=password)
    yield registry
    registry.stop()


@pytest.fixture
def token_server(_token_server_session: TokenServer) -> TokenServer:
    _token_server_session.reset()
    return _token_server_session


@pytest.fixture
def token_container_registry(_token_registry_session: RunningRegistry, token_server: TokenServer) -> RunningRegistry:
    return _token_registry_session


@pytest.fixture
def fault_proxy(container_registry: RunningRegistry) -> Iterator[FaultProxy]:
    proxy = FaultProxy(container_registry.host).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def unique_repository(request: pytest.FixtureRequest) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:60]
    return f"t/{slug}-{next(_counter)}"


@pytest.fixture
def docker_config(isolated_docker_credentials: Path) -> Callable[[dict[str, Any]], Path]:
    import json

    def write(config: dict[str, Any]) -> Path:
        path = isolated_docker_credentials / "config.json"
        path.write_text(json.dumps(config))
        return path

    return write


@pytest.fixture
def fake_docker_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[str, int]], FakeDockerEngine]]:
    # a short folder: a unix socket path must stay under about 100 bytes, and tmp_path can be longer
    folder = Path(tempfile.mkdtemp(prefix="engine-"))
    engines: list[FakeDockerEngine] = []

    def start(images: dict[str, int]) -> FakeDockerEngine:
        engine = FakeDockerEngine(folder / f"docker{len(engines)}.sock", images)
        engines.append(engine)
        monkeypatch.setenv("DOCKER_HOST", f"unix://{engine.socket_path}")
        return engine

    yield start
    for engine in engines:
        engine.stop()
    folder.rmdir()
