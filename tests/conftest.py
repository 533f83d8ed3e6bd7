"""Shared fixtures. Loopback servers live in tests/servers/ and are loaded as plugins here."""

from __future__ import annotations

import ipaddress
import shutil
import socket
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.servers.container_registry",
    "tests.servers.github_emulator",
]


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    else:
        return True  # unix sockets and the like never leave the machine
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False  # a host name: it would need DNS, which is already outside


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Fail any test that tries to reach beyond 127.0.0.0/8 or [::1]."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(address):
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach {address!r}; only loopback is allowed")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Config, cache and data dirs of the tool point into a temporary folder, never the real home."""
    base = tmp_path_factory.mktemp("userdirs")
    for name in ("CONFIG", "CACHE", "DATA"):
        monkeypatch.setenv(f"PREM_NEW_SERVICE_{name}_DIR", str(base / name.lower()))
    for name in ("GH_TOKEN", "GITHUB_TOKEN", "DOCKER_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    yield base


def writable_copy(source: Path, parent: Path) -> Path:
    """A writable copy of a folder of the registry snapshot (read-only in shared/), under its own name."""
    target = parent / source.name
    shutil.copytree(source, target)
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target
