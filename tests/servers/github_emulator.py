"""Fixtures for the GitHub emulator; tests/conftest.py loads this module as a pytest plugin.

``github_emulator``: a ``tests.servers.github_app.GitHubEmulator`` served on a free loopback port, holding
    the upstream ``premAI-io/prem-registry`` (branches main and dev, a few service folders) and a
    contributor ``first-timer`` without a fork yet. Useful attributes: ``.url`` (API root, also the web
    root for the device flow), ``.token`` (the contributor's classic token, scope public_repo),
    ``.login``, ``.upstream``, ``.clock`` (fake time: pass ``.clock.sleep`` as ``sleep=``; ``.clock.slept``
    lists the waits), ``.requests`` / ``.api_calls()`` (what the client sent), ``.pulls``,
    ``.files_at(repo, branch)``, and knobs: ``fork_delay``, ``fork_name``, ``shared_objects``,
    ``fail_next``, ``drop_next``, ``secondary_limit_next``, ``exhaust_rate_limit``, ``device``.
    At teardown the test fails if any request broke GitHub's OpenAPI description (or lacked the
    Accept / X-GitHub-Api-Version headers), or the emulator answered off it.
``github_settings``: ``wizard.settings.Settings`` pointing at the emulator (upstream, base dev, api_url).
``seeded_github``: ``seeded_github(files)`` serves an emulator whose upstream holds ``files`` (path -> bytes) on
    main and dev, e.g. ``checkout_files(path)`` of a real registry checkout; closed and checked at teardown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.servers.github_app import GitHubEmulator, make_world
from tests.servers.github_http import serve
from tests.servers.github_openapi import OpenAPI, SpecMissing, load_spec

UPSTREAM = "premAI-io/prem-registry"
CONTRIBUTOR = "first-timer"


def upstream_files() -> dict[str, bytes]:
    """A small registry: a few service folders and the generated index."""
    files: dict[str, bytes] = {"README.md": b"# Prem registry\n"}
    index = []
    for interface, service_id, port in (("chat", "dolly-v2-12b", 8333), ("embeddings", "all-minilm-l6-v2", 8444),
                                        ("text-to-audio", "bark", 8555)):
        manifest = {"id": service_id, "name": service_id, "interfaces": [interface], "defaultExternalPort": port}
        folder = f"{interface}-{service_id}"
        files[f"{folder}/manifest.json"] = json.dumps(manifest, indent=4).encode() + b"\n"
        files[f"{folder}/README.md"] = f"# {service_id}\n".encode()
        files[f"{folder}/logo.svg"] = b'<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"/>\n'
        index.append(manifest)
    files["manifests.json"] = json.dumps(index, indent=4).encode()
    return files


def checkout_files(root: Path) -> dict[str, bytes]:
    """Every file of a registry checkout by its path in the repository, as its branch holds them."""
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*"))
            if path.is_file() and ".git" not in path.relative_to(root).parts}


@pytest.fixture(scope="session")
def github_openapi() -> OpenAPI:
    try:
        return OpenAPI(load_spec())
    except SpecMissing as missing:
        pytest.fail(str(missing), pytrace=False)


def _protocol_checked(emulator: GitHubEmulator) -> None:
    assert not emulator.protocol_errors, "requests or answers off GitHub's OpenAPI description:\n" + "\n".join(
        emulator.protocol_errors)


@pytest.fixture
def github_emulator(github_openapi):
    emulator = GitHubEmulator(github_openapi)
    served = serve(emulator)
    make_world(emulator, upstream_files(), upstream=UPSTREAM, login=CONTRIBUTOR)
    try:
        yield emulator
    finally:
        served.close()
    _protocol_checked(emulator)


@pytest.fixture
def seeded_github(github_openapi):
    started: list[tuple[GitHubEmulator, object]] = []

    def start(files: dict[str, bytes]) -> GitHubEmulator:
        emulator = GitHubEmulator(github_openapi)
        started.append((emulator, serve(emulator)))
        make_world(emulator, files, upstream=UPSTREAM, login=CONTRIBUTOR)
        return emulator

    yield start
    for _, served in started:
        served.close()
    for emulator, _ in started:
        _protocol_checked(emulator)


@pytest.fixture
def github_settings(github_emulator):
    from wizard.settings import Settings

    return Settings(upstream=github_emulator.upstream, base="dev", api_url=github_emulator.url)
