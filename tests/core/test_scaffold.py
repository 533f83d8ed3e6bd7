"""Rendering a service folder, and writing it all at once or not at all."""

from __future__ import annotations

import builtins
import errno
from pathlib import Path

import pytest

from wizard.errors import FolderExists, ScaffoldError
from wizard.registry.checks import is_todo, todo_lines, validate_paths
from wizard.registry.logo import check_logo
from wizard.service.folder import write_service_folder
from wizard.service.plan import plan_service
from wizard.service.render import (
    SERVICE_FILES,
    human_bytes,
    initials,
    logo_colours,
    render_service,
)
from wizard.service.rules import INTERFACES


def manifest_from_answers(answers):
    plan = plan_service(answers)
    assert plan.ok, plan.problem_lines() + plan.missing
    return plan.manifest


@pytest.fixture
def manifest(good_answers):
    return manifest_from_answers(good_answers)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("interface", list(INTERFACES))
def test_scaffold_then_validate_passes_for_every_interface(tmp_path, good_answers, interface):
    good_answers["interfaces"] = [interface]
    good_answers["cpu_image"], good_answers["cpu_size"] = "ghcr.io/premai-io/x-cpu:1.0.0", 1_238_261_448
    plan = plan_service(good_answers)
    manifest = plan.manifest
    target = write_service_folder(tmp_path / manifest.folder_name, render_service(manifest))
    assert target.name == f"{interface}-dolly-v2-12b-test"
    # only the README's TODO lines are left for the contributor to write (warnings)
    findings = validate_paths([target])
    assert [f for f in findings if not is_todo(f)] == [] and len(findings) >= 4
    assert [f.line for f in findings] == [number for number, _ in todo_lines((target / "README.md").read_text())]
    # the plan's files are the ones written, and its in-memory findings are validate's on disk
    assert plan.files == {name: (target / name).read_bytes() for name in SERVICE_FILES}
    assert [(Path(f.path).name, f.line, f.message) for f in plan.findings] == \
        [(Path(f.path).name, f.line, f.message) for f in findings]


def test_readme_a_maintainer_would_merge(manifest):
    readme = render_service(manifest)["README.md"].decode()
    assert manifest.description in readme
    assert "| GPU | `ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2` | 37.9 GiB (40689160223 bytes) |" in readme
    assert "24.00 GiB (24576 MiB)" in readme and "localhost:8339" in readme and "**Tokens per second**: 18" in readme
    assert 'model="dolly-v2-12b-test"' in readme  # the chat example calls this service
    assert readme.count("**TODO:**") == 4
    assert "## 📜 License" in readme and "## 🔗 Links" in readme
    assert "$" not in readme.replace("$ ", "")  # every template field was filled


def test_readme_has_one_example_per_interface(good_answers):
    good_answers["interfaces"] = ["chat", "embeddings"]
    readme = render_service(manifest_from_answers(good_answers))["README.md"].decode()
    assert "### 💬 Chat" in readme and "### 🔢 Embeddings" in readme
    assert "Tokens per second" in readme


def test_logo_is_a_valid_square_svg_with_initials(manifest):
    logo = render_service(manifest)["logo.svg"]
    assert check_logo(logo) == []
    assert b'width="256" height="256"' in logo and b">DV</text>" in logo


def test_logo_colour_comes_from_the_id():
    assert logo_colours("bark") == logo_colours("bark")
    assert logo_colours("bark") != logo_colours("dolly-v2-12b")
    assert initials("Dolly v2 12B") == "DV" and initials("bark") == "B" and initials("&&") == "?"


def test_logo_escapes_names(good_answers):
    good_answers["name"] = "<Evil & Co>"
    logo = render_service(manifest_from_answers(good_answers))["logo.svg"]
    assert check_logo(logo) == [] and b"&lt;Evil &amp; Co&gt;" in logo


def test_human_bytes():
    assert human_bytes(512) == "512 B" and human_bytes(1536) == "1.5 KiB" and human_bytes(40689160223) == "37.9 GiB"


def test_existing_folder_is_refused_then_replaced_with_force(tmp_path, manifest):
    files = render_service(manifest)
    target = tmp_path / manifest.folder_name
    write_service_folder(target, files)
    (target / "notes.txt").write_text("mine")
    with pytest.raises(FolderExists, match="--force"):
        write_service_folder(target, files)
    assert (target / "notes.txt").exists()
    write_service_folder(target, files, force=True)
    assert leftovers(target) == sorted(SERVICE_FILES)
    assert leftovers(tmp_path) == [manifest.folder_name]


def _fail_on_nth_write(monkeypatch, n: int, error: BaseException):
    """Make the n-th file opened for writing fail as the disk or the user would."""
    real_open = builtins.open
    count = {"opened": 0}

    def failing_open(file, mode="r", *args, **kwargs):
        if "w" in mode and ".partial" in str(file):
            count["opened"] += 1
            if count["opened"] == n:
                raise error
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", failing_open)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), ScaffoldError),
        (PermissionError(errno.EACCES, "Permission denied"), ScaffoldError),
        (KeyboardInterrupt(), KeyboardInterrupt),
    ],
)
@pytest.mark.parametrize("nth", [1, 2, 3])
def test_a_failure_at_any_file_leaves_nothing_behind(tmp_path, manifest, monkeypatch, error, expected, nth):
    target = tmp_path / manifest.folder_name
    _fail_on_nth_write(monkeypatch, nth, error)
    with pytest.raises(expected) as caught:
        write_service_folder(target, render_service(manifest))
    assert leftovers(tmp_path) == []
    if expected is ScaffoldError:
        assert "nothing was left behind" in str(caught.value)


def test_a_failed_replacement_keeps_the_old_folder(tmp_path, manifest, monkeypatch):
    target = tmp_path / manifest.folder_name
    write_service_folder(target, render_service(manifest))
    (target / "README.md").write_text("the contributor's own words")
    real_rename = Path.rename

    def rename(self, destination):
        if ".partial" in self.name:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_rename(self, destination)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(ScaffoldError):
        write_service_folder(target, render_service(manifest), force=True)
    assert (target / "README.md").read_text() == "the contributor's own words"
    assert leftovers(tmp_path) == [manifest.folder_name]


def test_unwritable_parent_says_so(tmp_path, manifest, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("tempfile.mkdtemp", refuse)
    with pytest.raises(ScaffoldError, match="cannot write into .*Permission denied"):
        write_service_folder(tmp_path / "x", render_service(manifest))
    assert leftovers(tmp_path) == []
