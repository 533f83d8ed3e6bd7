from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.servers.service_apis import ServiceAPI

SNAPSHOT = Path(__file__).resolve().parents[2].parent / "shared" / "registry-snapshot"


@pytest.fixture
def service():
    started: list[ServiceAPI] = []

    def start(interface: str, **keywords) -> ServiceAPI:
        started.append(ServiceAPI(interface, **keywords))
        return started[-1]

    yield start
    for api in started:
        api.stop()


@pytest.fixture
def dolly(tmp_path) -> Path:
    """The seed's Dolly folder, a copy of the real one."""
    return Path(shutil.copytree(SNAPSHOT / "examples" / "chat-dolly-v2-12b", tmp_path / "chat-dolly-v2-12b"))
