"""Driving the app as a person would: fake or loopback services, typed keys, clicks."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.found_sizes import found_size
from wizard.errors import NoToken
from wizard.registry.index import load_index
from wizard.settings import build_settings
from wizard.tui.app import WizardApp
from wizard.tui.services import Services

INDEX = Path(__file__).resolve().parents[2].parent / "shared" / "registry-snapshot" / "manifests.json"
DOLLY_GPU = "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2"
DIGEST = "sha256:" + "ab" * 32
UNPACKED = 40689160223  # what a lookup writes by default
DOWNLOAD = 15123456789


class FakeNetwork:
    """Stands in for the container registry and GitHub where a test is about the app, not the network."""

    def __init__(self):
        self.looked_up: list[str] = []
        self.published: list[list[Path]] = []
        self.options: list[dict] = []  # the title, body and draft flag each publish was asked for
        self.size_error: Exception | None = None
        self.publish_error: Exception | None = None
        self.token: str | None = "ghp_fake_token_for_tests"
        self.engine_size: int | None = None  # what a local Docker engine says
        self.estimate_reason = ""  # set: the unpacked size is an estimate, for this reason
        self.warnings: tuple[str, ...] = ()
        self.token_threads: list[int] = []  # where resolve_token ran: never the event loop's thread
        self.release = asyncio.Event()
        self.release.set()

    async def look_up_size(self, reference: str):
        self.looked_up.append(reference)
        await self.release.wait()
        if self.size_error:
            raise self.size_error
        return found_size(reference, UNPACKED, DOWNLOAD, reason=self.estimate_reason, digest=DIGEST,
                          engine_size=self.engine_size, warnings=self.warnings)

    async def publish(self, folders, token, progress, **options):
        self.published.append(list(folders))
        self.options.append(options)
        if self.publish_error:
            raise self.publish_error
        for stage in ("check", "fork", "branch", "commit", "pull request"):
            progress(stage, "done")
        return SimpleNamespace(pr_url="https://github.com/premAI-io/prem-registry/pull/7", created=True)

    def resolve_token(self):
        self.token_threads.append(threading.get_ident())
        if self.token is None:
            raise NoToken("no GitHub token found", hint="set GH_TOKEN")
        return self.token

    def services(self, index_path: Path = INDEX) -> Services:
        return Services(lambda: load_index(str(index_path)), self.look_up_size, self.publish, self.resolve_token)


@pytest.fixture
def network() -> FakeNetwork:
    return FakeNetwork()


@pytest.fixture
def make_app(network, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative out folder: the same on every run, so snapshots hold

    def make(**kwargs) -> WizardApp:
        settings = build_settings({"out": "out", "offline": kwargs.pop("offline", None),
                                   "size_kind": kwargs.pop("size_kind", None)})
        return WizardApp(settings, services=kwargs.pop("services", None) or network.services(), **kwargs)

    return make
