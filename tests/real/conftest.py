"""The real registry: every service folder of the snapshot of its dev branch, copied before any change.

``DEV`` is a whole checkout of premAI-io/prem-registry's dev branch (47 folders and manifests.json), read-only;
tests copy the folder they change into ``tmp_path`` (``real_folder``). The fixtures of the wizard's tests
(``network``, ``make_app``) and of the publishing tests (``publish``) are imported here, and ``real_github``
serves the GitHub emulator with the checkout as the upstream's main and dev branches.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import writable_copy
from tests.publish.conftest import publish  # noqa: F401  (a fixture)
from tests.servers.github_emulator import checkout_files
from tests.tui.conftest import make_app, network  # noqa: F401  (fixtures)

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "registry-snapshot" / "dev"
INDEX = DEV / "manifests.json"
SERVICES = sorted(p.parent.name for p in DEV.glob("*/manifest.json"))
BINARY = [name for name in SERVICES if not json.loads((DEV / name / "manifest.json").read_text()).get("dockerImages")]
DOCKER = [name for name in SERVICES if name not in BINARY]


def manifest_of(name: str) -> dict:
    return json.loads((DEV / name / "manifest.json").read_text(encoding="utf-8"))


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stats_of(folder: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime in ns) per file: a save that writes nothing leaves both as they were."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_service(name: str, parent: Path) -> Path:
    """A writable copy of a dev folder (the snapshot is read-only), under its own name, blanks and all."""
    return writable_copy(DEV / name, parent)


def changed_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """(lines only in before, lines only in after), in order, as a line diff shows them."""
    import difflib

    old, new = before.decode().splitlines(), after.decode().splitlines()
    diff = list(difflib.ndiff(old, new))
    return [line[2:] for line in diff if line.startswith("- ")], [line[2:] for line in diff if line.startswith("+ ")]


@pytest.fixture
def real_folder(request, tmp_path) -> Path:
    """``real_folder`` parametrized by a dev folder's name: a writable copy of it."""
    return copy_service(request.param, tmp_path / "checkout")


@pytest.fixture(scope="session")
def dev_files() -> dict[str, bytes]:
    return checkout_files(DEV)


@pytest.fixture
def real_github(seeded_github, dev_files, monkeypatch):
    """The emulator whose upstream premAI-io/prem-registry holds the dev checkout; GH_TOKEN is its contributor's."""
    emulator = seeded_github(dev_files)
    monkeypatch.setenv("GH_TOKEN", emulator.token)
    return emulator
