"""The pure parts: branch names, titles, bodies, trailers, and what to do with an existing branch."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.publish.conftest import make_service
from wizard.errors import BranchConflict, InvalidInput
from wizard.publish.plan import (
    ServiceFolder,
    binary_files,
    branch_action,
    branch_name,
    check_branch_name,
    commit_message,
    fork_is_fresh,
    is_fork_of,
    pull_request_title,
    trailer_folders,
    tree_entries,
)
from wizard.publish.texts import pull_request_body
from wizard.service.manifest import read_manifest_file

folder_names = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){1,3}", fullmatch=True)


def service(tmp_path, service_id, **options) -> ServiceFolder:
    folder = make_service(tmp_path, service_id, **options)
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    return ServiceFolder(folder, read_manifest_file(folder / "manifest.json"), files)


@settings(max_examples=40)
@given(st.lists(folder_names, min_size=1, max_size=6, unique=True), st.randoms())
def test_branch_names_are_valid_and_do_not_depend_on_order(names, random):
    shuffled = list(names)
    random.shuffle(shuffled)
    assert branch_name(names) == branch_name(shuffled) == check_branch_name(branch_name(names))


def test_one_folder_gives_add_folder():
    assert branch_name(["chat-dolly-v2-12b"]) == "add-chat-dolly-v2-12b"
    assert branch_name(["b-one", "a-two"]) != branch_name(["b-one", "a-three"])


@pytest.mark.parametrize("bad", ["", "-x", "a..b", "a b", "a~1", "x.lock", "a/", "a//b", "@", "a@{1}", "ref:x"])
def test_invalid_branch_names_are_refused_early(bad):
    with pytest.raises(InvalidInput):
        check_branch_name(bad)


def test_titles(tmp_path):
    one = service(tmp_path, "dolly-v2-12b", name="Dolly v2 12B")
    two = service(tmp_path, "bark-small", interface="text-to-audio")
    assert pull_request_title([one]) == "Add Dolly v2 12B (chat)"
    assert pull_request_title([one, two]) == "Add 2 services"


def test_the_body_has_the_checklist_and_a_summary_of_each_service(tmp_path):
    body = pull_request_body([service(tmp_path, "dolly-v2-12b", name="Dolly v2 12B"),
                              service(tmp_path, "bark-small", interface="text-to-audio")])
    assert body.count("- [ ] ") == 3
    assert "### Dolly v2 12B (`chat-dolly-v2-12b`)" in body and "(`text-to-audio-bark-small`)" in body
    assert "GPU: `ghcr.io/example/dolly-v2-12b-gpu:1.0.0` (37.9 GiB)" in body
    assert "Memory: 24.0 GiB (24576 MiB)" in body and "Ports: 8000 in the container, 8999 on the host" in body


@settings(max_examples=40)
@given(st.lists(folder_names, min_size=1, max_size=4, unique=True))
def test_our_trailer_names_exactly_our_folders(names):
    class Fake:
        def __init__(self, name):
            self.name = name
            self.manifest = type("M", (), {"name": name, "interfaces": ["chat"]})()

    message = commit_message([ServiceFolder(Path(n), Fake(n).manifest, {}) for n in names], update=False)
    assert trailer_folders(message) == set(names)
    assert branch_action(message, names, force=False, branch="b", fork="f") == "extend"


def test_what_to_do_with_a_branch():
    ours = "Add X\n\nPrem-New-Service-Folders: chat-x\n"
    assert branch_action(None, ["chat-x"], force=False, branch="b", fork="f") == "create"
    assert branch_action(ours, ["chat-x"], force=False, branch="b", fork="f") == "extend"
    assert branch_action("WIP\n", ["chat-x"], force=True, branch="b", fork="f") == "replace"
    with pytest.raises(BranchConflict):
        branch_action("WIP\n", ["chat-x"], force=False, branch="b", fork="f")
    with pytest.raises(BranchConflict):  # ours, but for other folders
        branch_action(ours, ["chat-y"], force=False, branch="b", fork="f")


def test_forks_are_matched_by_parent_not_by_name():
    renamed = {"fork": True, "full_name": "me/anything", "parent": {"full_name": "premAI-io/prem-registry"}}
    assert is_fork_of(renamed, "premai-io/Prem-Registry")
    assert not is_fork_of({"fork": False, "full_name": "me/prem-registry"}, "premAI-io/prem-registry")
    assert not is_fork_of({"fork": True, "parent": {"full_name": "other/prem-registry"}}, "premAI-io/prem-registry")


def test_a_fork_made_within_the_minute_is_fresh():
    fork = {"created_at": "2025-01-01T00:00:00Z"}
    assert fork_is_fresh(fork, 1735689600 + 10)
    assert not fork_is_fresh(fork, 1735689600 + 3600)


def test_text_goes_inline_and_binaries_by_blob(tmp_path):
    folder = service(tmp_path, "dolly-v2-12b")
    with_png = ServiceFolder(folder.path, folder.manifest, {**folder.files, "preview.png": b"\x89PNG\x00\x01"})
    assert list(binary_files([with_png])) == ["chat-dolly-v2-12b/preview.png"]
    entries = tree_entries([with_png], {"chat-dolly-v2-12b/preview.png": "a" * 40})
    by_path = {e["path"]: e for e in entries}
    assert by_path["chat-dolly-v2-12b/preview.png"] == {"path": "chat-dolly-v2-12b/preview.png", "mode": "100644",
                                                         "type": "blob", "sha": "a" * 40}
    assert by_path["chat-dolly-v2-12b/README.md"]["content"] == (folder.path / "README.md").read_text()
