"""The index generator's contract, and findings that fit the real dev checkout: logos a few percent off square,
the README's TODO lines, the real upstream keys."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest

from tests.registry.conftest import DEV, writable_copy
from wizard.cli import main
from wizard.registry.checks import is_todo, todo_lines, validate_paths
from wizard.registry.logo import SQUARE_TOLERANCE, check_logo

LEADING = " audio-to-text-whisper-large-v2-q5"


def where(finding, root: Path) -> str:
    return PurePosixPath(finding.path).relative_to(root.as_posix()).as_posix()


# --- the index generator -------------------------------------------------------------------------


def test_the_real_folder_name_with_a_leading_blank_is_an_error():
    found = [f for f in validate_paths([DEV]) if f.path == str(DEV / LEADING) and "blank" in f.message]
    assert [(f.severity, f.message) for f in found] == [("error", (
        f"the folder name {LEADING!r} starts with a blank: the index generator puts it as it is into the logo's "
        f"address ('…/{LEADING}/logo.svg'); rename the folder to {LEADING.strip()!r}"))]
    (alone,) = [f for f in validate_paths([DEV / LEADING]) if "blank" in f.message]  # named on its own, too
    assert alone.severity == "error"


def test_a_trailing_blank_is_an_error(tmp_path):
    folder = writable_copy(DEV / "text-to-audio-bark", tmp_path / "text-to-audio-bark ")
    (finding,) = [f for f in validate_paths([tmp_path]) if "blank" in f.message]
    assert finding.path == str(folder) and "'text-to-audio-bark ' ends with a blank" in finding.message


@pytest.mark.parametrize("missing", ["manifest.json", "README.md"])
def test_a_folder_named_for_an_interface_needs_a_manifest_and_a_readme(tmp_path, missing):
    """generate.py takes every top-level folder whose name contains an interface name, 'my-chat-notes' too."""
    folder = writable_copy(DEV / "text-to-audio-bark", tmp_path / "my-chat-notes")
    (folder / missing).unlink()
    errors = [f for f in validate_paths([tmp_path]) if f.severity == "error"]
    assert [where(f, tmp_path) for f in errors if f.path.endswith(missing)] == [f"my-chat-notes/{missing}"]
    (error,) = [f for f in errors if f.path.endswith(missing)]
    assert error.message.startswith(f"{missing} is missing: the registry's index generator opens manifest.json and "
                                    "README.md in every top-level folder whose name holds an interface name ('chat' "
                                    "here), so without it manifests.json is not built at all")


def test_an_empty_folder_named_for_an_interface_is_an_error(tmp_path):
    writable_copy(DEV / "text-to-audio-bark", tmp_path / "text-to-audio-bark")
    (tmp_path / "chat-wip").mkdir()
    (tmp_path / ".coder-cache").mkdir()  # hidden, but its name holds 'coder': the generator opens it too
    errors = sorted(where(f, tmp_path) for f in validate_paths([tmp_path]) if f.severity == "error")
    assert errors == [".coder-cache/README.md", ".coder-cache/logo.svg", ".coder-cache/manifest.json",
                      "chat-wip/README.md", "chat-wip/logo.svg", "chat-wip/manifest.json"]


def test_folders_the_generator_skips_are_left_alone(tmp_path):
    writable_copy(DEV / "text-to-audio-bark", tmp_path / "text-to-audio-bark")
    for name in (".git", ".github", "scripts", "node_modules"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "README.md").write_text("x")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "logo.svg").write_text("<svg/>")
    found = [(where(f, tmp_path), f.severity) for f in validate_paths([tmp_path])]
    assert found == [("docs", "warning"), ("scripts", "warning")]  # look like services, but hold no manifest


def test_a_file_of_a_service_folder_names_its_folder(tmp_path):
    folder = writable_copy(DEV / "text-to-audio-bark", tmp_path / "text-to-audio-bark")
    assert validate_paths([folder / "README.md"]) == validate_paths([folder]) == []


# --- findings that fit real data ----------------------------------------------------------------


def svg(width: float, height: float) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"/>').encode()


@pytest.mark.parametrize(("width", "height", "found"), [
    (256, 256, []), (253, 256, []), (252, 256, []), (256, 251, []),  # within 2 %: the real 253x256 is fine
    (250, 256, ["warning"]), (236, 256, ["warning"]), (131, 256, ["warning"]), (367, 256, ["warning"]),
])
def test_a_logo_off_square_is_a_warning_beyond_two_percent(width, height, found):
    assert SQUARE_TOLERANCE == 0.02
    assert [severity for severity, _ in check_logo(svg(width, height))] == found


def test_a_square_viewbox_is_square_whatever_the_size_says():
    logo = b'<svg xmlns="http://www.w3.org/2000/svg" width="236" height="256" viewBox="0 0 512 512"/>'
    assert check_logo(logo) == []


def test_the_real_logos_are_warnings_and_say_how_far_off():
    logos = [f for f in validate_paths([DEV]) if f.path.endswith("logo.svg") and "not square" in f.message]
    assert {f.severity for f in logos} == {"warning"} and len(logos) == 38  # 45 off square, 7 within 2 %
    (dolly,) = [f for f in logos if "/chat-dolly-v2-12b/" in f.path]
    assert "(a 236x256 drawing, 8% off square)" in dolly.message


def test_todo_lines_of_the_generated_readme_are_warnings_with_their_line(tmp_path, capsys):
    # a vector store states no memory, so the README says "(TODO: measure …)" there as well
    assert main(["new", "--name", "Tiny Store", "--description", "Tiny Store keeps vectors; made by us, for tests.",
                 "--interface", "vector-store", "--cpu-image", "ghcr.io/premai-io/vector-store-tiny-cpu:1.0.0",
                 "--cpu-size", "1000", "--offline", "--index", str(DEV / "manifests.json"), "--out", str(tmp_path)]) == 0, \
        capsys.readouterr().err
    capsys.readouterr()
    folder = tmp_path / "vector-store-tiny-store"
    text = (folder / "README.md").read_text()
    lines = text.splitlines()
    todos = [f for f in validate_paths([folder]) if is_todo(f)]
    assert todos and {f.severity for f in todos} == {"warning"}
    # each names its line, which holds the placeholder; the generator's memory note "(TODO: …)" counts too
    assert [f.line for f in todos] == [n for n, line in enumerate(lines, start=1) if "TODO" in line]
    assert [number for number, _ in todo_lines(text)] == [f.line for f in todos]
    assert any("measure the memory the service needs" in f.message for f in todos)
    (folder / "README.md").write_text("\n".join(line for line in lines if "TODO" not in line) + "\n")
    assert [f for f in validate_paths([folder]) if is_todo(f)] == []


def test_todo_placeholders_only_in_the_generated_form():
    text = ("# Notes\n\n> **TODO:** write this\nA TODO list app.\n- todo: no\n> **Memory**: not stated (TODO: x)\n"
            "```python\n# TODO: use the real client\n```\n")
    assert todo_lines(text) == [(3, "write this"), (6, "x"), (8, "use the real client")]


def test_petals_keys_are_known(tmp_path):
    folder = writable_copy(DEV / "text-to-audio-bark", tmp_path / "text-to-audio-bark")
    data = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**data, "petals": True, "petals_id": "bigscience/bloom"},
                                                     indent=4))
    assert validate_paths([folder]) == []


def test_the_whole_dev_checkout():
    """What the real dev branch gets: errors only where a rule of its own is broken (11 empty descriptions, 7
    folders named unlike their id, one upper-case id, the leading blank); logos, ports and sizes are warnings."""
    findings = validate_paths([DEV])
    errors = Counter(f.message.split(":")[0].split("'")[0].strip() for f in findings if f.severity == "error")
    assert errors == {"description": 11, "the folder is named": 7, "id": 1, "the folder name": 1}
    assert sum(f.severity == "warning" for f in findings) == 68
    with_errors = {where(f, DEV).split("/")[0] for f in findings if f.severity == "error"}
    assert len(with_errors) == 16  # 31 of the 47 folders are free of errors (2 were, before logos were warnings)


def test_a_broken_copy_of_a_real_folder_is_judged_by_all_three_contracts(tmp_path):
    folder = tmp_path / "chat-dolly-v2-12b"
    shutil.copytree(DEV / "chat-dolly-v2-12b", folder, copy_function=shutil.copyfile)
    data = json.loads((folder / "manifest.json").read_text())
    del data["defaultPort"]
    (folder / "manifest.json").write_text(json.dumps(data, indent=4))
    (folder / "README.md").unlink()
    found = {(where(f, tmp_path), f.severity, f.message.split(";")[0].split(":")[0]) for f in validate_paths([tmp_path])}
    assert found == {("chat-dolly-v2-12b/manifest.json", "error", "defaultPort is missing"),
                     ("chat-dolly-v2-12b/README.md", "error", "README.md is missing"),
                     ("chat-dolly-v2-12b/logo.svg", "warning", "logo.svg is not square")}
