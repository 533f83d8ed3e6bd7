"""Publishing a change to a service the upstream holds: judged against the upstream folder, only what changed
sent and said; TODO placeholder lines refused unless allowed; the body capped below GitHub's limit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.publish.conftest import GENERATED, make_service
from wizard.cli import main
from wizard.errors import InvalidInput
from wizard.publish.changes import blob_sha, manifest_changes
from wizard.publish.plan import (
    BODY_LIMIT,
    ServiceFolder,
    commit_message,
    pull_request_title,
)
from wizard.publish.texts import pull_request_body
from wizard.service.manifest import read_manifest_file

UPSTREAM = "premAI-io/prem-registry"


def as_upstream(emulator, folder: Path, **changed: bytes) -> None:
    """The registry's dev branch holds ``folder`` as it is, with ``changed`` files as given."""
    files = {f"{folder.name}/{p.name}": p.read_bytes() for p in folder.iterdir()}
    files.update({f"{folder.name}/{name}": data for name, data in changed.items()})
    emulator.commit_files(UPSTREAM, "dev", files)


def set_memory(folder: Path, mib: int) -> None:
    text = (folder / "manifest.json").read_text()
    (folder / "manifest.json").write_text(text.replace('"memoryRequirements": 24576', f'"memoryRequirements": {mib}'))


def posted_trees(emulator) -> list[list[dict]]:
    return [r.body["tree"] for r in emulator.api_calls("POST") if r.path.endswith("/git/trees")]


async def test_folders_with_errors_stop_before_anything_is_written_on_github(publish, service_folder, github_emulator):
    (service_folder / "README.md").write_text("")

    with pytest.raises(InvalidInput) as caught:
        await publish(service_folder)

    assert "README.md is empty" in str(caught.value) and "nothing was sent" in str(caught.value)
    # the upstream's files were read (the error might have been there already), and nothing else was done
    assert {r.method for r in github_emulator.api_calls()} == {"GET"}
    assert not any("/forks" in r.path for r in github_emulator.requests) and not github_emulator.pulls


async def test_todo_lines_are_refused_by_name_unless_allowed(publish, tmp_path, github_emulator):
    folder = make_service(tmp_path, "tiny-todo", readme=GENERATED)

    with pytest.raises(InvalidInput) as caught:
        await publish(folder)

    problems = caught.value.problems
    assert len(problems) == 4 and all(":" in p and "a TODO placeholder is left" in p for p in problems)
    assert f"{folder}/README.md:7: a TODO placeholder is left: \"add a link to the model card" in problems[0]
    assert "--allow-todo" in caught.value.hint and not github_emulator.pulls
    assert {r.method for r in github_emulator.api_calls()} == {"GET"}  # nothing written on GitHub

    result = await publish(folder, allow_todo=True)
    assert result.created and len(github_emulator.pulls) == 1


def test_the_publish_command_names_the_todo_lines_and_takes_allow_todo(tmp_path, github_emulator, monkeypatch, capsys):
    folder = make_service(tmp_path, "tiny-todo", readme=GENERATED)
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    github = ["--api-url", github_emulator.url]
    assert main(["publish", str(folder), *github]) == 2
    err = capsys.readouterr().err
    assert "README.md:19: a TODO placeholder is left: 'name the smallest GPU" in err and "--allow-todo" in err
    assert main(["publish", str(folder), *github, "--allow-todo"]) == 0


async def test_an_error_already_upstream_is_a_warning_and_a_new_one_stops(publish, tmp_path, github_emulator):
    folder = make_service(tmp_path, "dolly-v2-12b", name="Dolly v2 12B")
    broken = json.loads((folder / "manifest.json").read_text())
    broken["description"] = ""  # as 11 real services are
    (folder / "manifest.json").write_text(json.dumps(broken, indent=4) + "\n")
    as_upstream(github_emulator, folder)
    set_memory(folder, 30720)
    stages: list[str] = []

    result = await publish(folder, progress=lambda stage, detail: stages.append(detail))

    assert result.created
    assert any("the description is empty" in s and "(already upstream)" in s for s in stages)
    (pull,) = github_emulator.pulls
    assert pull.title == "Update Dolly v2 12B: memory 24.0 GiB → 30.0 GiB"
    assert [e["path"] for e in posted_trees(github_emulator)[0]] == ["chat-dolly-v2-12b/manifest.json"]

    (folder / "README.md").write_text("")  # an error the change brings
    with pytest.raises(InvalidInput) as caught:
        await publish(folder, branch="second-try")
    empty = f"{folder}/README.md: error: README.md is empty; describe the service, how to use it and its license"
    assert caught.value.problems == [empty]


async def test_a_rerun_sends_only_the_changed_file_and_points_at_upstreams_for_the_rest(publish, tmp_path,
                                                                                         github_emulator):
    folder = make_service(tmp_path, "dolly-v2-12b", name="Dolly v2 12B")
    as_upstream(github_emulator, folder)
    set_memory(folder, 30720)
    first = await publish(folder)
    text = (folder / "manifest.json").read_text()
    (folder / "manifest.json").write_text(text.replace("30720", "32768"))

    again = await publish(folder)

    assert (again.created, again.changed) == (False, True)
    second = posted_trees(github_emulator)[-1]
    inline = [e["path"] for e in second if "content" in e]
    assert inline == ["chat-dolly-v2-12b/manifest.json"]  # nothing else uploaded
    assert {e["sha"] for e in second if "sha" in e} == {blob_sha((folder / n).read_bytes()) for n in ("README.md", "logo.svg")}
    tip = github_emulator.repo(again.fork).store.commits[again.commit_sha]
    assert tip.parents == (first.commit_sha,) and tip.message.startswith("Update Dolly v2 12B: memory 24.0 GiB → 32.0 GiB")


async def test_a_folder_the_upstream_holds_exactly_is_not_proposed(publish, tmp_path, github_emulator):
    folder = make_service(tmp_path, "dolly-v2-12b")
    as_upstream(github_emulator, folder)
    with pytest.raises(Exception, match="already holds exactly these files"):
        await publish(folder)
    assert not any(r.method != "GET" for r in github_emulator.api_calls())


def service(tmp_path, service_id: str, before: dict | None = None, **options) -> ServiceFolder:
    folder = make_service(tmp_path, service_id, **options)
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    return ServiceFolder(folder, read_manifest_file(folder / "manifest.json"), files, before=before,
                         sent=frozenset({"manifest.json"}) if before else None)


def test_bumps_and_edits_say_what_changed_old_to_new(tmp_path):
    new = json.loads(make_service(tmp_path / "a", "bark", interface="text-to-audio", name="Bark",
                                  image_tag="1.0.2").joinpath("manifest.json").read_text())
    old = json.loads(json.dumps(new).replace("1.0.2", "1.0.1").replace("40689160223", "5153960755"))
    bump = service(tmp_path / "b", "bark", old, interface="text-to-audio", name="Bark", image_tag="1.0.2")
    assert pull_request_title([bump]) == "Bump Bark: gpu image 1.0.1 → 1.0.2, size 4.8 GiB → 37.9 GiB"
    assert commit_message([bump], update=False).splitlines()[0] == pull_request_title([bump])
    edit = service(tmp_path / "c", "bark", {**old, "name": "Bark Old"}, interface="text-to-audio", name="Bark",
                   image_tag="1.0.2")
    assert pull_request_title([edit]).startswith("Update Bark: name 'Bark Old' → 'Bark', gpu image 1.0.1 → 1.0.2")
    body = pull_request_body([bump])
    assert "This pull request updates `text-to-audio-bark/` (Bark): gpu image 1.0.1 → 1.0.2" in body
    assert "  - size 4.8 GiB → 37.9 GiB" in body and "Files sent: manifest.json (README.md, logo.svg as upstream)" in body
    assert pull_request_title([bump, edit, service(tmp_path / "d", "xy-model")]) == \
        "Add 1 service, bump 1 service and update 1 service"


def test_long_values_are_said_to_change_and_empty_objects_that_fill_are_one_change():
    changes = manifest_changes({"description": "a" * 80, "modelInfo": {}}, {"description": "b" * 80,
                                                                            "modelInfo": {"memoryRequirements": 2048}})
    assert [str(c) for c in changes] == ["description changed", "memory 2.0 GiB added"]


def test_the_body_is_capped_below_githubs_limit_with_the_rest_collapsed(tmp_path):
    one = service(tmp_path, "tiny-llama-test")
    many = [ServiceFolder(one.path.with_name(f"chat-model-{n:04}"), one.manifest, one.files) for n in range(1000)]
    body = pull_request_body(many)
    assert len(body) <= BODY_LIMIT < 65_536
    assert "<details><summary>" in body and "more services" in body and body.endswith("to tick.\n")
    assert "`chat-model-0000`" in body and "- [ ] " in body
    small = pull_request_body(many[:30], limit=3000)
    assert len(small) <= 3000 and "- and " in small
    assert "<details>" not in pull_request_body(many[:3])
