"""Folders and files take the user's umask (tempfile alone would make them 0700 and 0600); a file written over
an existing one keeps that file's mode."""

from __future__ import annotations

import os
import stat

import pytest

from wizard.service.folder import current_umask, replace_files, write_service_folder

FILES = {"manifest.json": b"{}\n", "README.md": b"# x\n", "logo.svg": b"<svg/>\n"}


@pytest.fixture(params=[0o022, 0o002], ids=["umask-022", "umask-002"])
def umask(request):
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_umask_is_read_without_being_changed(umask):
    assert current_umask() == umask
    assert current_umask() == umask


def test_a_new_folder_and_its_files_follow_the_umask(tmp_path, umask):
    folder = write_service_folder(tmp_path / "chat-x", FILES)
    assert mode(folder) == 0o777 & ~umask  # 0755 under 022, 0775 under 002
    assert {mode(folder / name) for name in FILES} == {0o666 & ~umask}


def test_replaced_files_keep_their_mode_and_new_ones_follow_the_umask(tmp_path, umask):
    folder = write_service_folder(tmp_path / "chat-x", FILES)
    (folder / "README.md").chmod(0o640)
    replace_files(folder, {"README.md": b"# y\n", "manifest.json": b"[]\n", "sample/notes.txt": b"n\n"})
    assert mode(folder / "README.md") == 0o640
    assert mode(folder / "manifest.json") == 0o666 & ~umask
    assert mode(folder / "sample" / "notes.txt") == 0o666 & ~umask
    assert (folder / "README.md").read_bytes() == b"# y\n"
    assert not [p for p in folder.iterdir() if p.name.endswith(".partial")]
