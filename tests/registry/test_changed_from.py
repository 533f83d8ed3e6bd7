"""`validate --changed-from REF` and `--baseline PATH` on the real dev checkout made a git repository: only the
folders a branch changes are judged, and what they already had upstream is a warning. The registry workflow's own
command line is run through a shell, as GitHub Actions runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.registry.conftest import DEV, git, writable_copy
from wizard.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = yaml.safe_load((ROOT / "assets" / "registry-ci" / "validate.yml").read_text())
(PR_COMMAND,) = [s["run"] for s in WORKFLOW["jobs"]["validate"]["steps"] if s.get("if", "").endswith("== 'pull_request'")]
ALREADY = "(already upstream)"
GOOD = ["--name", "Dolly v2 3B", "--description", ("Dolly v2 3B, developed by Databricks, is an instruction-following "
        "large language model."), "--interface", "chat", "--gpu-image", "ghcr.io/premai-io/chat-dolly-v2-3b-gpu:1.0.0",
        "--gpu-size", "12000000000", "--memory", "8 GiB", "--tokens-per-second", "20"]


def run_workflow_command(checkout: Path, tmp_path: Path, base_ref: str = "main") -> tuple[int, list[str], str]:
    """The pull-request step's `run:` line, with GitHub's expression filled in, through bash in the checkout; the
    `prem-new-service` on PATH runs this source tree."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "prem-new-service"
    script.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'import sys; from wizard.cli import main; "
                      "sys.exit(main(sys.argv[1:]))' \"$@\"\n")
    script.chmod(0o755)
    line = PR_COMMAND.replace("${{ github.base_ref }}", base_ref)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["bash", "-c", line], cwd=checkout, capture_output=True, text=True, env=env, check=False)
    return done.returncode, done.stdout.splitlines(), done.stderr


def validate(checkout: Path, capsys, *args: str) -> tuple[int, dict]:
    code = main(["validate", "--json", *args, str(checkout)])
    return code, json.loads(capsys.readouterr().out)


def add_good_folder(checkout: Path, capsys) -> Path:
    assert main(["new", *GOOD, "--offline", "--index", str(checkout / "manifests.json"), "--out", str(checkout)]) == 0
    capsys.readouterr()
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "Add Dolly v2 3B")
    return checkout / "chat-dolly-v2-3b"


def add_bad_folder(checkout: Path) -> Path:
    """A manifest that breaks the Prem Daemon three ways, and no README."""
    folder = checkout / "chat-broken-model"
    folder.mkdir()
    shutil.copyfile(checkout / "chat-dolly-v2-12b" / "logo.svg", folder / "logo.svg")
    data = json.loads((checkout / "chat-dolly-v2-12b" / "manifest.json").read_text())
    data |= {"id": "broken-model", "name": "Broken Model", "defaultPort": "8000", "defaultExternalPort": 9871}
    del data["modelInfo"]
    data["dockerImages"]["gpu"]["size"] = "12 GB"
    (folder / "manifest.json").write_text(json.dumps(data, indent=4) + "\n")
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "Add Broken Model")
    return folder


def test_a_good_folder_added_on_a_branch_passes_the_workflow(checkout, tmp_path, capsys):
    add_good_folder(checkout, capsys)
    code, lines, err = run_workflow_command(checkout, tmp_path)
    assert code == 0, err
    # the README's TODO lines are warnings, annotated on their lines; nothing of the 47 other folders is shown
    assert lines and all(line.startswith("::warning file=chat-dolly-v2-3b/README.md,line=") for line in lines)
    assert len(lines) == 4 and "changed since origin/main: chat-dolly-v2-3b\n" in err
    assert err.endswith("0 error(s), 4 warning(s)\n")
    code, report = validate(checkout, capsys, "--changed-from", "main")
    assert (code, report["changed"], report["errors"]) == (0, ["chat-dolly-v2-3b"], 0)


def test_a_bad_folder_fails_the_workflow_with_its_findings_only(checkout, tmp_path, capsys):
    add_bad_folder(checkout)
    code, lines, err = run_workflow_command(checkout, tmp_path)
    assert code == 1
    errors = [line for line in lines if line.startswith("::error ")]
    assert {line.split("::")[1].split(",")[0] for line in errors} == {
        "error file=chat-broken-model/manifest.json", "error file=chat-broken-model/README.md"}
    # and the logo copied from chat-dolly-v2-12b, 8 % off square, a warning
    assert len(errors) == 4 and err.endswith("changed since origin/main: chat-broken-model\n4 error(s), 1 warning(s)\n")
    assert all(line.split("file=")[1].startswith("chat-broken-model/") for line in lines)
    messages = "\n".join(errors)
    assert "modelInfo is missing: the Prem Daemon reads service[\"modelInfo\"] for every service" in messages
    assert "defaultPort: '8000' is text" in messages and "dockerImages.gpu.size: the image size is text" in messages
    assert "README.md is missing: the registry's index generator opens manifest.json and README.md" in messages


@pytest.mark.parametrize("folder", ["chat-mistral-7b-instruct", "vector-store-redis",
                                    " audio-to-text-whisper-large-v2-q5"])
def test_editing_one_field_of_a_real_service_leaves_its_old_errors_upstream(checkout, tmp_path, capsys, folder):
    """An empty description, a folder named unlike its id, a name with a leading blank: all real, none new."""
    manifest = checkout / folder / "manifest.json"
    before = validate(DEV / folder, capsys)[1]
    name = json.loads(manifest.read_text())["name"]
    manifest.write_text(manifest.read_text().replace(f'"name": "{name}"', f'"name": "{name} Edited"', 1))
    assert git(checkout, "status", "--porcelain").strip()
    code, lines, err = run_workflow_command(checkout, tmp_path)
    assert code == 0, err
    assert lines and all(line.startswith(f"::warning file={folder}") for line in lines)  # annotated: that folder only
    assert f"changed since origin/main: {folder!r}" in err if folder != folder.strip() else \
        f"changed since origin/main: {folder}\n" in err
    code, report = validate(checkout, capsys, "--changed-from", "main")
    assert code == 0 and report["changed"] == [folder] and report["errors"] == 0
    old_errors = [f["message"] for f in before["findings"] if f["severity"] == "error"]
    assert old_errors and sorted(f"{m} {ALREADY}" for m in old_errors) == \
        sorted(f["message"] for f in report["findings"] if f["message"].endswith(ALREADY))


def test_a_new_error_in_a_real_service_is_an_error_and_the_old_ones_stay_warnings(checkout, capsys):
    manifest = checkout / "chat-mistral-7b-instruct" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["modelInfo"]["memoryRequirements"] = "24 GiB"
    manifest.write_text(json.dumps(data, indent=4))
    code, report = validate(checkout, capsys, "--changed-from", "main")
    errors = [f["message"] for f in report["findings"] if f["severity"] == "error"]
    assert code == 1 and len(errors) == 1 and errors[0].startswith("modelInfo.memoryRequirements: memoryRequirements "
                                                                   "is text '24 GiB'")
    assert any(f["message"].startswith("description: the description is empty") and ALREADY in f["message"]
               for f in report["findings"])


def test_across_folders_only_pairs_with_a_changed_folder_count(checkout, capsys):
    folder = add_good_folder(checkout, capsys)
    data = json.loads((folder / "manifest.json").read_text())
    data |= {"id": "bark", "defaultExternalPort": 8448}  # the ids and ports of real services
    (folder / "manifest.json").write_text(json.dumps(data, indent=4))
    code, report = validate(checkout, capsys, "--changed-from", "main")
    across = [(f["path"].split("/")[-2], f["severity"], f["message"].split(";")[0]) for f in report["findings"]
              if "also used by" in f["message"]]
    # reported once, on the changed folder; the real pairs (8448 by two falcons, 10111 by five) are not reported
    assert sorted(across) == [
        ("chat-dolly-v2-3b", "error", "id 'bark' is also used by text-to-audio-bark"),
        ("chat-dolly-v2-3b", "warning", ("defaultExternalPort 8448 is also used by chat-falcon-180b-chat, "
                                        "chat-falcon-7b-instruct")),
    ]
    assert code == 1


def test_a_renamed_folder_keeps_its_upstream_findings(checkout, capsys):
    git(checkout, "mv", "chat-mistral-7b-openorca", "chat-mistral-7b-openorca-gguf")
    code, report = validate(checkout, capsys, "--changed-from", "main")
    assert code == 1 and report["changed"] == ["chat-mistral-7b-openorca-gguf"]
    errors = [f["message"] for f in report["findings"] if f["severity"] == "error"]
    assert len(errors) == 1 and errors[0].startswith("the folder is named 'chat-mistral-7b-openorca-gguf'")  # new
    assert any(f["message"].startswith("description: the description is empty") and ALREADY in f["message"]
               for f in report["findings"])  # old, matched under its old name


def test_untracked_folders_are_named_not_judged(checkout, capsys):
    (checkout / "chat-not-added").mkdir()
    (checkout / "chat-not-added" / "README.md").write_text("# wip\n")
    assert main(["validate", "--changed-from", "main", str(checkout)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "not judged, as git does not track them yet (git add them): chat-not-added" in \
        captured.err and "changed since main: no service folder" in captured.err


def test_an_interface_named_folder_without_a_manifest_breaks_the_index_generator(checkout, capsys):
    (checkout / "chat-wip").mkdir()
    (checkout / "chat-wip" / "README.md").write_text("# soon\n")
    git(checkout, "add", "-A")
    code, report = validate(checkout, capsys, "--changed-from", "main")
    assert code == 1 and report["changed"] == ["chat-wip"]
    assert [(f["path"].split("/")[-1], f["severity"]) for f in report["findings"]] == \
        [("manifest.json", "error"), ("logo.svg", "error")]


def test_a_baseline_copy_instead_of_git(tmp_path, capsys):
    edited = writable_copy(DEV, tmp_path / "edited")
    manifest = edited / "chat-mistral-7b-128k" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"beta": true', '"beta": false', 1))
    code, report = validate(edited, capsys, "--baseline", str(DEV))
    assert code == 0 and report["changed"] == ["chat-mistral-7b-128k"]
    assert {f["path"].split("/")[-2] for f in report["findings"]} == {"chat-mistral-7b-128k"}
    assert sum(ALREADY in f["message"] for f in report["findings"]) == 1


def test_the_baseline_can_be_another_checkout_with_changed_from(checkout, tmp_path, capsys):
    add_bad_folder(checkout)
    code, report = validate(checkout, capsys, "--changed-from", "main", "--baseline", str(DEV))
    assert code == 1 and report["changed"] == ["chat-broken-model"] and report["errors"] == 4


def test_what_cannot_be_compared_is_exit_2(checkout, tmp_path, capsys):
    assert main(["validate", "--changed-from", "no-such-branch", str(checkout)]) == 2
    err = capsys.readouterr().err
    assert "the ref 'no-such-branch' is not in the checkout" in err and "fetch-depth: 0" in err
    plain = writable_copy(DEV / "text-to-audio-bark", tmp_path / "not-git" / "text-to-audio-bark").parent
    assert main(["validate", "--changed-from", "main", str(plain)]) == 2
    assert "prem-new-service: error: git rev-parse failed" in capsys.readouterr().err
    assert main(["validate", "--changed-from", "main", str(checkout), str(plain)]) == 2
    assert "take one PATH" in capsys.readouterr().err
    assert main(["validate", "--baseline", str(tmp_path / "missing"), str(checkout)]) == 2
    assert "is not a folder" in capsys.readouterr().err
