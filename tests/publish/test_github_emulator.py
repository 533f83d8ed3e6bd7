"""The emulator keeps to GitHub: its referee (the OpenAPI description) and git's own object ids."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import httpx
import pytest

from tests.servers.github_git import ObjectStore

HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


async def test_a_body_off_the_description_is_refused_like_github_does(github_emulator):
    fork = github_emulator.add_fork("premAI-io/prem-registry", "first-timer").full_name
    async with httpx.AsyncClient(base_url=github_emulator.url) as client:
        response = await client.post(f"/repos/{fork}/git/refs", json={"ref": "refs/heads/x", "sha": 42},
                                     headers={**HEADERS, "Authorization": f"Bearer {github_emulator.token}"})

    assert response.status_code == 422
    assert response.json()["message"].startswith("Invalid request.")
    assert "sha: 42 is not of type 'string'" in github_emulator.protocol_errors[0]
    github_emulator.protocol_errors.clear()  # refused on purpose here


async def test_answers_carry_githubs_headers(github_emulator):
    async with httpx.AsyncClient(base_url=github_emulator.url) as client:
        response = await client.get("/user", headers={**HEADERS, "Authorization": f"token {github_emulator.token}"})

    assert response.status_code == 200
    for header in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used",
                   "x-ratelimit-resource", "x-oauth-scopes", "x-github-request-id", "date"):
        assert header in response.headers
    assert response.headers["x-oauth-scopes"] == "public_repo"


async def test_bad_credentials_look_like_githubs(github_emulator):
    async with httpx.AsyncClient(base_url=github_emulator.url) as client:
        response = await client.get("/user", headers={**HEADERS, "Authorization": "Bearer ghp_nope"})

    assert response.status_code == 401
    assert response.json() == {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest",
                               "status": "401"}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_object_ids_are_gits(tmp_path):
    files = {"README.md": b"# registry\n", "chat-x/manifest.json": b"{}\n", "chat-x/logo.svg": b"<svg/>",
             "chat-x.md": b"sorts before the folder in git's order\n"}
    for path, data in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "add", "-A"], check=True)
    real = subprocess.run(["git", "-C", str(tmp_path), "write-tree"], capture_output=True, text=True, check=True)

    assert ObjectStore().tree_from_files(files) == real.stdout.strip()


def test_the_publishing_core_loads_no_ui():
    code = ("import sys, wizard.publish.pipeline, wizard.github.client, wizard.github.token, wizard.github.dry_run, "
            "wizard.cli.publish; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('textual', 'questionary') or m.startswith('wizard.tui')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert done.stdout.strip() == "[]"
