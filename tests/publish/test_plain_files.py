"""A pull request carries a folder's own regular files and nothing else: links, special files and oversized files
are refused by name in `validate`, `publish`, `edit` and `bump`, and no request carries what they point at."""

from __future__ import annotations

import os

import pytest

from tests.publish.conftest import make_service
from wizard.cli import main
from wizard.registry.plain_files import LIMITS, folder_content

SECRET = "ghp_SECRET_behind_a_link_0123456789abcdef"


@pytest.fixture
def secret_file(tmp_path):
    """A file outside the folder holding a token, as /proc/self/environ holds GH_TOKEN."""
    path = tmp_path / "outside" / "environ"
    path.parent.mkdir()
    path.write_text(f"GH_TOKEN={SECRET}\n")
    return path


def hostile(tmp_path, kind: str, secret_file):
    folder = make_service(tmp_path / kind, "tiny-llama-test")
    if kind == "extra link":
        (folder / "env.txt").symlink_to(secret_file)
    elif kind == "readme link":
        (folder / "README.md").unlink()
        (folder / "README.md").symlink_to(secret_file)
    elif kind == "manifest link":
        data = (folder / "manifest.json").read_bytes()
        (folder / "manifest.json").unlink()
        copy = secret_file.parent / "manifest.json"
        copy.write_bytes(data)
        (folder / "manifest.json").symlink_to(copy)
    elif kind == "linked folder":
        (folder / "docs").symlink_to(secret_file.parent, target_is_directory=True)
    elif kind == "fifo":
        os.mkfifo(folder / "pipe")
    elif kind == "big readme":
        (folder / "README.md").write_bytes(b"# big\n" + b"x" * LIMITS["README.md"])
    elif kind == "big logo":
        (folder / "logo.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>" + b" " * LIMITS["logo.svg"])
    return folder


KINDS = ["extra link", "readme link", "manifest link", "linked folder", "fifo", "big readme", "big logo"]
NAMED = {"extra link": "env.txt is a symbolic link", "readme link": "README.md is a symbolic link",
         "manifest link": "manifest.json is a symbolic link", "linked folder": "docs is a symbolic link",
         "fifo": "pipe is a named pipe", "big readme": "README.md is 1.0 MiB; the limit is 1.0 MiB",
         "big logo": "logo.svg is 2.0 MiB; the limit is 2.0 MiB"}


@pytest.mark.parametrize("kind", KINDS)
def test_validate_refuses_it_by_name(tmp_path, kind, secret_file, capsys):
    folder = hostile(tmp_path, kind, secret_file)
    assert main(["validate", str(folder)]) == 1
    out, err = capsys.readouterr()
    assert NAMED[kind] in out + err
    assert SECRET not in out + err


@pytest.mark.parametrize("kind", KINDS)
def test_publish_refuses_it_before_any_request(github_emulator, tmp_path, kind, secret_file, monkeypatch, capsys):
    folder = hostile(tmp_path, kind, secret_file)
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    code = main(["publish", str(folder), "--api-url", github_emulator.url, "--upstream", "premAI-io/prem-registry"])
    out, err = capsys.readouterr()
    assert code in (1, 2) and NAMED[kind] in err
    assert github_emulator.api_calls() == []  # refused before the network
    assert SECRET not in out + err


@pytest.mark.parametrize("command", ["edit", "bump"])
def test_edit_and_bump_refuse_a_linked_readme(tmp_path, command, secret_file, capsys):
    folder = hostile(tmp_path, "readme link", secret_file)
    before = os.readlink(folder / "README.md")
    args = [command, str(folder), "--memory", "8 GiB"] if command == "edit" else \
        [command, str(folder), "--gpu-image", "ghcr.io/example/tiny-llama-test-gpu:1.0.1", "--gpu-size", "1000"]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert "README.md is a symbolic link" in err and SECRET not in out + err
    assert os.readlink(folder / "README.md") == before  # left as it was


def test_a_folders_regular_files_are_read_and_hidden_ones_left_out(tmp_path):
    folder = make_service(tmp_path, "tiny-llama-test")
    (folder / "docs").mkdir()
    (folder / "docs" / "usage.md").write_text("how to")
    (folder / ".cache").mkdir()
    (folder / ".cache" / "x").write_text("no")
    content = folder_content(folder)
    assert sorted(content.files) == ["README.md", "docs/usage.md", "logo.svg", "manifest.json"]
    assert content.refused == {}
