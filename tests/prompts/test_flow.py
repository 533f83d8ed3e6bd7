"""The whole plain run, driven through the fake questionary: what is asked, what is written, what is kept."""

from __future__ import annotations

import json
from pathlib import Path

from tests.prompts import script
from tests.prompts.conftest import CTRL_C, DEFAULT, FakeQuestionary
from wizard.draft import Draft, draft_path, load_draft, save_draft
from wizard.prompts import run_plain
from wizard.registry.checks import validate_paths
from wizard.registry.index import free_external_port, id_collision, port_collision
from wizard.service.answers import check_answer
from wizard.service.plan import plan_service


def run(settings, index, ask, printed, **kwargs):
    kwargs.setdefault("look_up_size", script.FakeSizes())
    return run_plain(settings, ask=ask, index=index, out=printed.append, **kwargs)


def test_an_empty_draft_ends_in_a_written_folder_and_a_pull_request(settings, index, printed):
    class Published:
        pr_url = "https://github.com/premAI-io/prem-registry/pull/42"

    sent = []

    async def publish(folders, progress):
        sent.append(folders)
        progress("fork", "you/prem-registry")
        return Published()

    ask = FakeQuestionary(*script.EVERY_STEP[:-1], ("Open a pull request now?", True))
    assert run(settings, index, ask, printed, publish=publish) == 0

    assert ask.done() and not ask.refused
    folder = Path(settings.out) / "chat-dolly-v2-12b-plain"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "logo.svg", "manifest.json"]
    expected = script.expected_plan(index, free_external_port(index, seed=script.SERVICE_ID))
    assert (folder / "manifest.json").read_bytes() == expected.files["manifest.json"]
    assert (folder / "README.md").read_bytes() == expected.files["README.md"]
    assert not [f for f in validate_paths([folder]) if f.severity == "error"]
    assert load_draft() is None, "the draft is discarded once the folder is written"
    assert sent == [[folder]]
    assert "  [fork] you/prem-registry" in printed
    assert printed[-1] == "Pull request: https://github.com/premAI-io/prem-registry/pull/42"
    assert [line for line in printed if line.startswith("\nStep ")] == [
        f"\nStep {n} of 8: {title}"
        for n, title in enumerate(("Identity", "Interfaces", "Images", "Resources", "Running", "Docs", "Review",
                                   "Write"), 1)
    ]


def test_the_review_shows_the_manifest_exactly_as_written(settings, index, printed):
    ask = FakeQuestionary(*script.EVERY_STEP)
    assert run(settings, index, ask, printed) == 0
    written = (Path(settings.out) / "chat-dolly-v2-12b-plain" / "manifest.json").read_text()
    assert "chat-dolly-v2-12b-plain/manifest.json, exactly as it will be written:" in printed
    assert written.rstrip() in printed
    # the generated README's TODO lines are the only findings, warnings that do not stop the writing
    shown = [line for line in printed if line.startswith("  chat-dolly-v2-12b-plain/")]
    assert len(shown) == 4 and all(": warning: a TODO placeholder is left: " in line for line in shown), shown
    assert printed[-1].startswith("Next: edit the README's TODO lines, then run `prem-new-service publish ")


def test_invalid_answers_are_asked_again_with_the_core_messages(settings, index, printed):
    taken_port = 8228  # llama-2-7b-chat's
    ask = FakeQuestionary(
        ("Name", "x"), ("Name", script.NAME),
        ("Id", "Dolly"), ("Id", "llama-2-7b-chat"), ("Id", DEFAULT),
        ("Description", "too short"), ("Description", script.DESCRIPTION), ("Beta", DEFAULT),
        ("Interfaces", []), ("Interfaces", ["chat"]),
        ("GPU image", "Ghcr.io/Premai-io/Chat:1"), ("GPU image", ""), ("CPU image", ""),
        ("CPU image", script.GPU_IMAGE),
        ("Memory: how much", "know"), ("Memory", "lots"), ("Memory", "24 GiB"),
        ("Tokens per second", "fast"), ("Tokens per second", "18"),
        ("Port", "80000"), ("Port", DEFAULT),
        ("External port", str(taken_port)), ("External port", "8999"),
        *script.AFTER_RESOURCES,
    )  # fmt: skip
    assert run(settings, index, ask, printed) == 0
    assert ask.done()
    assert ask.refused == [
        ("Name", check_answer("name", "x")),
        ("Id", check_answer("id", "Dolly")),
        ("Id", id_collision(index, "llama-2-7b-chat")),
        ("Description", check_answer("description", "too short")),
        ("Interfaces (what the service speaks; the first one names the folder; pick one or more)",
         check_answer("interfaces", [])),
        ("GPU image", check_answer("gpu_image", "Ghcr.io/Premai-io/Chat:1")),
        ("CPU image", "Images: missing (at least one Docker image)"),
        ("Memory", check_answer("memory", "lots")),
        ("Tokens per second", check_answer("tokens_per_second", "fast")),
        ("Port", check_answer("port", "80000")),
        ("External port", port_collision(index, taken_port)),
    ]
    assert all(message for _, message in ask.refused)
    manifest = json.loads((Path(settings.out) / "chat-dolly-v2-12b-plain" / "manifest.json").read_text())
    assert set(manifest["dockerImages"]) == {"cpu"} and manifest["defaultExternalPort"] == 8999


def test_a_saved_draft_resumes_at_its_step_without_asking(settings, index, printed):
    answers = {"name": script.NAME, "id": script.SERVICE_ID, "description": script.DESCRIPTION, "beta": True,
               "interfaces": ["chat"]}
    save_draft(Draft(answers=answers, step="images", visited=["identity", "interfaces"]))
    ask = FakeQuestionary(*script.IMAGES, *script.RESOURCES, *script.AFTER_RESOURCES)
    assert run(settings, index, ask, printed, resume=True) == 0
    assert ask.done() and ask.messages()[0] == "GPU image"
    assert f"Resuming '{script.NAME}' at step 3: Images." in printed
    assert (Path(settings.out) / "chat-dolly-v2-12b-plain" / "manifest.json").is_file()


def test_a_resumed_draft_s_answer_filled_in_from_a_model_is_marked_on_the_review(settings, index, printed):
    answers = {"name": script.NAME, "id": script.SERVICE_ID, "description": script.DESCRIPTION, "beta": True,
               "interfaces": ["chat"]}
    save_draft(Draft(answers=answers, step="images", visited=["identity", "interfaces"],
                     filled_in={"description": "from the model card"}))
    ask = FakeQuestionary(*script.IMAGES, *script.RESOURCES, *script.AFTER_RESOURCES)
    assert run(settings, index, ask, printed, resume=True) == 0
    assert "  ◆ Description, from the model card: written as it is unless you change its step" in printed


def test_a_saved_draft_is_offered_and_may_be_declined(settings, index, printed):
    save_draft(Draft(answers={"name": "Old service"}, step="interfaces", visited=["identity"]))
    ask = FakeQuestionary(("Resume your draft of 'Old service'", False), *script.EVERY_STEP)
    assert run(settings, index, ask, printed) == 0
    assert ask.done()
    assert ask.asked[1].kwargs["default"] == "", "a declined draft leaves nothing behind in the questions"


def test_ctrl_c_keeps_the_draft_and_says_how_to_resume(settings, index, printed):
    ask = FakeQuestionary(*script.IDENTITY, *script.INTERFACES, ("GPU image", script.GPU_IMAGE), ("CPU image", CTRL_C))
    assert run(settings, index, ask, printed) == 130
    draft = load_draft()
    assert draft.step == "images" and draft.visited == ["identity", "interfaces"]
    assert draft.answers["interfaces"] == ["chat"]
    assert draft.answers["gpu_image"] == script.GPU_IMAGE, "answers of the step under way are kept too"
    assert draft.sizes == {script.GPU_IMAGE: script.GPU_SIZE}, "and what was looked up for them"
    assert "gpu_size" not in draft.answers, "a size looked up is not an answer"
    assert f"Stopped; nothing was written. Your answers are saved in {draft_path()}." in printed
    assert printed[-1] == "Run `prem-new-service --plain --resume` to continue where you left off."
    assert not Path(settings.out).exists()

    again = FakeQuestionary(("GPU image", DEFAULT), ("CPU image", ""), *script.RESOURCES, *script.AFTER_RESOURCES)
    assert run(settings, index, again, printed, resume=True) == 0
    assert again.asked[0].kwargs["default"] == script.GPU_IMAGE
    assert "  keeping the size 37.9 GiB" in printed


def test_ctrl_c_before_any_answer_saves_nothing(settings, index, printed):
    assert run(settings, index, FakeQuestionary(("Name", CTRL_C)), printed) == 130
    assert load_draft() is None
    assert printed[-1] == "Stopped; nothing was written."


def test_a_step_changed_at_the_review_comes_back_to_the_review(settings, index, printed):
    ask = FakeQuestionary(
        *script.IDENTITY, *script.INTERFACES, *script.IMAGES, *script.RESOURCES, *script.RUNNING, *script.DOCS,
        ("What next?", "identity"),
        ("Name", "Dolly v2 12B Renamed"), ("Id", DEFAULT), ("Description", DEFAULT), ("Beta", False),
        ("What next?", "write"), *script.WRITE,
    )  # fmt: skip
    assert run(settings, index, ask, printed) == 0
    assert ask.last("Id").kwargs["default"] == "dolly-v2-12b-renamed", "an id suggested from the name follows it"
    manifest = json.loads((Path(settings.out) / "chat-dolly-v2-12b-renamed" / "manifest.json").read_text())
    assert (manifest["name"], manifest["beta"]) == ("Dolly v2 12B Renamed", False)
    assert manifest["defaultExternalPort"] == free_external_port(index, seed=script.SERVICE_ID), "kept as answered"


def test_an_existing_folder_is_replaced_only_when_confirmed(settings, index, printed, tmp_path):
    existing = Path(settings.out) / "chat-dolly-v2-12b-plain"
    existing.mkdir(parents=True)
    (existing / "manifest.json").write_text("{}")
    ask = FakeQuestionary(
        *script.EVERY_STEP[:-3],
        ("Folder to write", DEFAULT), ("already exists. Replace it?", False),
        ("Folder to write", DEFAULT), ("already exists. Replace it?", True),
        ("Test the service now?", False), ("Open a pull request now?", False),
    )  # fmt: skip
    assert run(settings, index, ask, printed) == 0
    assert json.loads((existing / "manifest.json").read_text())["id"] == script.SERVICE_ID


def test_several_interfaces_ask_which_one_names_the_folder(settings, index, printed):
    ask = FakeQuestionary(
        *script.IDENTITY, ("Interfaces", ["chat", "embeddings"]), ("Which interface names the folder", "embeddings"),
        *script.IMAGES, *script.RESOURCES, *script.AFTER_RESOURCES,
    )  # fmt: skip
    assert run(settings, index, ask, printed) == 0
    manifest = json.loads((Path(settings.out) / "embeddings-dolly-v2-12b-plain" / "manifest.json").read_text())
    assert manifest["interfaces"] == ["embeddings", "chat"]


def test_tokens_per_second_is_asked_only_for_text_generation(settings, index, printed):
    resources = [step for step in script.RESOURCES if step[0] != "Tokens per second"]
    ask = FakeQuestionary(*script.IDENTITY, ("Interfaces", ["embeddings"]), *script.IMAGES, *resources,
                          *script.AFTER_RESOURCES)
    assert run(settings, index, ask, printed) == 0
    manifest = json.loads((Path(settings.out) / "embeddings-dolly-v2-12b-plain" / "manifest.json").read_text())
    assert "tokensPerSecond" not in manifest["modelInfo"]


def test_switching_chat_to_embeddings_drops_tokens_per_second_with_the_plans_note(settings, index, printed):
    ask = FakeQuestionary(
        *script.EVERY_STEP[:-4], ("What next?", "interfaces"), ("Interfaces", ["embeddings"]),
        ("What next?", "write"), *script.WRITE,
    )  # fmt: skip
    assert run(settings, index, ask, printed) == 0
    [note] = plan_service({**script.expected_answers(8999), "interfaces": ["embeddings"]}).dropped
    assert "Tokens per second" in note
    assert printed.count(f"  {note}") == 1
    said = printed.index(f"  {note}")
    assert printed[said - 1 : said + 2] == ["\nStep 2 of 8: Interfaces", f"  {note}", "\nStep 7 of 8: Review"], \
        "said as the change is made, before the review"
    manifest = json.loads((Path(settings.out) / "embeddings-dolly-v2-12b-plain" / "manifest.json").read_text())
    assert "tokensPerSecond" not in manifest["modelInfo"]
    assert manifest["modelInfo"]["memoryRequirements"] == 24576, "the rest is kept"
