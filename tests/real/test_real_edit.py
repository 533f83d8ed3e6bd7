"""`edit` on every service of the real registry: opened, saved unchanged with no write at all, and changed
with only the changed value's line differing, from the wizard (Pilot) and from the command line."""

from __future__ import annotations

import pytest

from tests.real.conftest import (
    INDEX,
    SERVICES,
    changed_lines,
    files_of,
    manifest_of,
    stats_of,
)
from tests.tui.flows import press, settle, type_into
from wizard.cli import main
from wizard.settings import build_settings
from wizard.tui.app import EditTarget, WizardApp, edit_draft

EDIT = ["--offline", "--index", str(INDEX)]


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def editing_app(folder, network) -> WizardApp:
    target = EditTarget(folder, manifest_of(folder.name))
    return WizardApp(build_settings({"offline": True, "index_url": str(INDEX)}), services=network.services(INDEX),
                     draft=edit_draft(target), editing=target, offer_resume=False,
                     saved_at_source=folder.parent.parent / "edit-draft.json")


async def save_in_the_wizard(app: WizardApp, pilot) -> str:
    """The wizard's own save: the publish step's Write button, pressed as a keyboard user does."""
    app.go("publish")
    await settle(pilot)
    await press(pilot, "#write")
    return str(app.screen.query_one("#write-note").render())


@pytest.mark.parametrize("real_folder", SERVICES, indirect=True)
async def test_the_wizard_opens_each_service_and_an_unchanged_save_writes_nothing(real_folder, network):
    before, stats = files_of(real_folder), stats_of(real_folder)
    app = editing_app(real_folder, network)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        plan = app.state.plan()
        assert plan.ok, plan.problem_lines()  # its own id and port are not "taken", old faults stop nothing
        assert app.state.problems("identity") == []  # Next is not refused at step 1
        assert not [f for f in plan.findings if f.severity == "error"], plan.findings
        note = await save_in_the_wizard(app, pilot)
    assert "✔ Nothing changed" in note, note
    assert files_of(real_folder) == before and stats_of(real_folder) == stats  # not one byte, not one write


@pytest.mark.parametrize("real_folder", SERVICES, indirect=True)
def test_the_command_line_saves_each_service_unchanged_without_writing(real_folder, capsys):
    before, stats = files_of(real_folder), stats_of(real_folder)

    assert main(["edit", str(real_folder), *EDIT]) == 0

    assert "nothing was written" in capsys.readouterr().err
    assert files_of(real_folder) == before and stats_of(real_folder) == stats


@pytest.mark.parametrize("real_folder", SERVICES, indirect=True)
def test_a_changed_answer_changes_only_its_line(real_folder, capsys):
    original = (real_folder / "manifest.json").read_bytes()
    others = {k: v for k, v in files_of(real_folder).items() if k != "manifest.json"}

    assert main(["edit", str(real_folder), *EDIT, "--memory", "31 GiB"]) == 0

    removed, added = changed_lines(original, (real_folder / "manifest.json").read_bytes())
    if "memoryRequirements" in manifest_of(real_folder.name)["modelInfo"]:
        assert len(removed) == len(added) == 1
        assert '"memoryRequirements":' in removed[0] and added[0].strip().rstrip(",") == '"memoryRequirements": 31744'
        assert _indent(added[0]) == _indent(removed[0])
    else:  # 6 services state no memory: their empty modelInfo {} opens to hold it
        assert [line.strip() for line in removed] == ['"modelInfo": {},']
        assert [line.strip() for line in added] == ['"modelInfo": {', '"memoryRequirements": 31744', '},']
        assert _indent(added[1]) == _indent(added[0]) * 2
    assert (real_folder / "manifest.json").read_bytes().endswith(b"\n") == original.endswith(b"\n")
    assert {k: v for k, v in files_of(real_folder).items() if k != "manifest.json"} == others
    assert "memory" in capsys.readouterr().out


@pytest.mark.parametrize("real_folder", [" audio-to-text-whisper-large-v2-q5", "chat-dolly-v2-12b"], indirect=True)
async def test_a_change_in_the_wizard_changes_only_its_line_in_the_files_own_indent(real_folder, network):
    original = (real_folder / "manifest.json").read_bytes()
    app = editing_app(real_folder, network)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.go("resources")
        await settle(pilot)
        await type_into(pilot, "#input-memory", "7 GiB")
        note = await save_in_the_wizard(app, pilot)
    assert "✔ Saved" in note, note
    removed, added = changed_lines(original, (real_folder / "manifest.json").read_bytes())
    indent = "  " if real_folder.name.startswith(" ") else "    "  # the one dev manifest written with 2 spaces
    assert removed == [f'{indent * 2}"memoryRequirements": {manifest_of(real_folder.name)["modelInfo"]["memoryRequirements"]}'
                       + ("," if "," in removed[0] else "")]
    assert added == [removed[0].replace(removed[0].split(": ")[1].rstrip(","), "7168")]
    assert (real_folder / "manifest.json").is_file()  # the folder keeps its name, blank and all
