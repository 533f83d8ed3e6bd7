"""The registry's own CI: the workflow in assets/ runs `validate --format github`, on a pull request only on the
folders it changes, and its annotations escape right; the pre-commit hook runs the same check on staged folders.

The workflow's command lines run on a real checkout in tests/registry/test_changed_from.py."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import yaml

from wizard.cli import main

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "assets" / "registry-ci" / "validate.yml"
DOCS = [ROOT / "README.md"]
MARKER = "```yaml\n# .github/workflows/validate.yml\n"
EXAMPLE = ROOT.parent / "shared" / "registry-snapshot" / "examples" / "chat-dolly-v2-12b"
ANNOTATION = re.compile(r"^::(error|warning) file=(?P<file>[^,:]+)(,line=(?P<line>\d+))?::(?P<message>.*)$")


def test_the_workflow_validates_every_pull_request():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    steps = workflow["jobs"]["validate"]["steps"]
    (checkout,) = [step for step in steps if step.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0  # the base branch is there to compare with
    (python,) = [step for step in steps if step.get("uses", "").startswith("actions/setup-python@")]
    assert str(python["with"]["python-version"]) == "3.11"
    runs = {step.get("if", ""): step["run"] for step in steps if "run" in step}
    # installed from its git repository: no package of that name is published
    assert runs[""] == 'python -m pip install "git+https://github.com/OWNER/prem-new-service@main"'
    assert "# OWNER: the GitHub account that holds prem-new-service" in WORKFLOW.read_text()  # says what to write
    assert runs["github.event_name == 'pull_request'"] == \
        'prem-new-service validate --format github --changed-from "origin/${{ github.base_ref }}" .'
    assert runs["github.event_name != 'pull_request'"] == "prem-new-service validate --format github ."
    assert workflow.get("permissions") == {"contents": "read"}


def test_the_pre_commit_hook_validates_the_staged_folders():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "prem-new-service-validate" and hook["language"] == "python"
    assert hook["entry"] == "prem-new-service validate" and hook["args"] == ["--changed-from", "HEAD", "."]
    # the folders are found by git, so pre-commit passes no file names; it runs when a staged file is in a folder
    assert hook["pass_filenames"] is False and re.match(hook["files"], "chat-x/README.md")
    assert not re.match(hook["files"], "README.md")
    from wizard.cli import build_parser

    args = build_parser().parse_args(["validate", *hook["args"]])
    assert (args.changed_from, args.paths) == ("HEAD", ["."])


def test_the_docs_show_the_same_workflow():
    texts = [path.read_text() for path in DOCS if path.is_file() and MARKER in path.read_text()]
    assert texts, f"no {MARKER!r} block in {', '.join(p.name for p in DOCS)}"
    for text in texts:
        shown = text.split(MARKER, 1)[1].split("```", 1)[0]
        assert yaml.safe_load(shown) == yaml.safe_load(WORKFLOW.read_text())


def unescape(text: str) -> str:
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_annotations_escape_percent_newline_colon_and_comma(tmp_path, capsys):
    checkout = tmp_path / "odd,name:here"
    folder = checkout / "chat-dolly-v2-12b"
    shutil.copytree(EXAMPLE, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["id"] = "100%-dolly\nv2"
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=4))

    assert main(["validate", "--format", "github", str(checkout)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(ANNOTATION.match(line) for line in lines), lines  # one finding, one line
    found = [ANNOTATION.match(line) for line in lines]
    files = {unescape(m["file"]) for m in found}
    assert str(folder / "manifest.json") in files and all("%2C" in m["file"] and "%3A" in m["file"] for m in found)
    messages = [unescape(m["message"]) for m in found]
    assert any("'chat-100%-dolly\nv2'" in message for message in messages), messages
    id_line = next(m for m in found if m["message"].startswith("id:"))
    assert id_line["line"] == "2" and "%25" in id_line["message"] and "\n" not in id_line["message"]
