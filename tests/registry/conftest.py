"""The real registry's dev branch as a git repository: a copy of ../shared/registry-snapshot/dev/, committed on
main once per session and cloned for each test, which then works on a branch of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.core.conftest import SNAPSHOT

DEV = SNAPSHOT / "dev"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@127.0.0.1", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@127.0.0.1", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def writable_copy(source: Path, target: Path) -> Path:
    """The snapshot's files are read-only; the copy is not."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    for folder, _, _ in os.walk(target):
        os.chmod(folder, 0o755)
    return target


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Path:
    repo = writable_copy(DEV, tmp_path_factory.mktemp("seed") / "prem-registry")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "dev, as it is upstream")
    return repo


@pytest.fixture
def checkout(seeded, tmp_path) -> Path:
    """A clone of the dev checkout on the branch `pr`, with `main` as it is upstream."""
    repo = tmp_path / "prem-registry"
    subprocess.run(["git", "clone", "-q", str(seeded), str(repo)], check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})
    git(repo, "checkout", "-q", "-b", "pr")
    return repo
