"""Step 1's "Start from a Hugging Face model", as a person uses it, against the loopback Hub: the answers filled
in and marked ◆ with their source, a changed answer unmarked, Review holding the rest as an open question until
accepted, and the folder the same as `new --from-hf` writes."""

from __future__ import annotations

import asyncio
import json

from tests.hub.conftest import hub  # noqa: F401 - the loopback Hub, as a fixture
from tests.hub.test_from_hf import new
from tests.tui.conftest import DOLLY_GPU, UNPACKED
from tests.tui.flows import burst, fill_images, next_step, press, settle, type_into


async def fill_from(pilot, repo_id: str) -> None:
    """Type the model into step 1's row, press Fill in, and wait for the answers or the reason there are none."""
    await type_into(pilot, "#input-hf", repo_id)
    await press(pilot, "#hf-fill")
    for _ in range(200):
        await pilot.pause(0.05)
        if pilot.app.state.draft.model is not None or "Nothing you typed" in str(
                pilot.app.screen.query_one("#hf-note").render()):
            break
    await settle(pilot)


async def to_resources_from_the_model(pilot) -> None:
    """Dolly filled in on step 1 (under an id of its own: the index has dolly-v2-12b), on to Resources."""
    await settle(pilot)
    await fill_from(pilot, "databricks/dolly-v2-12b")
    await type_into(pilot, "#input-id", "dolly-v2-12b-hf")
    await next_step(pilot)
    await next_step(pilot)
    await fill_images(pilot)
    await next_step(pilot)


def mark(app, key: str) -> str:
    widget = app.screen.query_one(f"#mark-{key}")
    return str(widget.render()) if widget.display else ""


async def test_a_model_fills_step_one_marks_each_answer_and_writes_what_new_writes(make_app, hub, tmp_path, capsys):  # noqa: F811
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        assert app.focused.id == "input-name"  # typing every answer stays the first thing offered
        await fill_from(pilot, "databricks/dolly-v2-12b")
        assert app.screen.query_one("#input-name").value == "Dolly v2 12B"
        assert mark(app, "name") == "◆ from the model's name (databricks/dolly-v2-12b)"
        assert mark(app, "description") == "◆ from the model card"
        await type_into(pilot, "#input-id", "dolly-v2-12b-hf")
        await type_into(pilot, "#input-description", "Dolly v2 12B by Databricks, an instruction-following model.")
        assert mark(app, "description") == ""  # changed: the contributor's now
        await next_step(pilot)
        assert app.screen.NAME == "interfaces" and mark(app, "interfaces").startswith("◆ from the model's pipeline_tag")
        await next_step(pilot)
        await fill_images(pilot)
        await next_step(pilot)
        assert app.screen.query_one("#input-memory").value == "27141" and mark(app, "memory").startswith("◆ estimated")
        assert app.screen.query_one("#estimate-params").value == "11.858"
        assert "fp16/bf16 27141 MiB · int8 13571 MiB" in str(app.screen.query_one("#estimate-note").render())
        await type_into(pilot, "#input-tokens_per_second", "18")
        for _ in range(3):  # running, docs, review
            await next_step(pilot)
        assert app.screen.NAME == "review"
        questions = str(app.screen.query_one("#review-questions").render())
        assert "◆ Name, from the model's name" in questions and "Description" not in questions
        await press(pilot, "#accept-filled")
        assert app.state.draft.filled_in == {}
        await press(pilot, "#allow-todo")
        await settle(pilot)
        assert app.screen.NAME == "publish"
        await press(pilot, "#write")
        await settle(pilot)
    written = tmp_path / "out" / "chat-dolly-v2-12b-hf"
    manifest = json.loads((written / "manifest.json").read_text())
    assert await asyncio.to_thread(new, tmp_path / "cli", "databricks/dolly-v2-12b", "--gpu-image", DOLLY_GPU, "--gpu-size", str(UNPACKED),
               "--id", "dolly-v2-12b-hf", "--tokens-per-second", "18", "--description",
               "Dolly v2 12B by Databricks, an instruction-following model.",
               "--external-port", str(manifest["defaultExternalPort"])) == 0
    capsys.readouterr()
    cli = tmp_path / "cli" / "out" / "chat-dolly-v2-12b-hf"
    for name in ("manifest.json", "README.md", "logo.svg"):
        assert (written / name).read_bytes() == (cli / name).read_bytes(), name


async def test_offline_the_hub_is_not_asked_and_nothing_typed_is_lost(make_app, hub):  # noqa: F811
    app = make_app(offer_resume=False, offline=True)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#input-name", "Typed By Hand")
        await fill_from(pilot, "databricks/dolly-v2-12b")
        note = str(app.screen.query_one("#hf-note").render())
        assert "offline: databricks/dolly-v2-12b is not looked up" in note and "Nothing you typed is lost" in note
        assert app.screen.query_one("#input-name").value == "Typed By Hand" and app.state.draft.filled_in == {}
    assert hub.requests == []


def test_snapshot_step_one_filled_from_a_model(snap_compare, make_app, hub):  # noqa: F811
    async def run_before(pilot):
        await settle(pilot)
        await fill_from(pilot, "databricks/dolly-v2-12b")

    assert snap_compare(make_app(offer_resume=False), terminal_size=(100, 30), run_before=run_before)


def test_snapshot_review_holds_the_filled_in_answers_until_accepted(snap_compare, make_app, hub):  # noqa: F811
    async def run_before(pilot):
        await to_resources_from_the_model(pilot)
        for _ in range(3):  # running, docs, review
            await next_step(pilot)
        assert pilot.app.screen.NAME == "review"
        await settle(pilot)

    assert snap_compare(make_app(offer_resume=False), terminal_size=(100, 30), run_before=run_before)


async def test_one_burst_reaches_the_model_row_over_its_button_fills_in_and_moves_on(make_app, hub):  # noqa: F811
    """Shift+Tab twice from Name (over the Fill in button), the model, Enter; then the id and Ctrl+N, each as a
    terminal delivers a fast typist's keys: nothing ends on the button, and the step is judged on the whole id."""
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        burst(app, ["shift+tab", "shift+tab", *"databricks/dolly-v2-12b", "enter"])
        for _ in range(200):
            await pilot.pause(0.05)
            if app.state.draft.model is not None:
                break
        await settle(pilot)
        assert app.screen.query_one("#input-hf").value == "databricks/dolly-v2-12b"
        assert app.draft.answers["name"] == "Dolly v2 12B"
        app.screen.query_one("#input-id").focus()
        await pilot.pause()
        burst(app, [*"dolly-v2-12b-hf", "ctrl+n"])
        await pilot.pause(0.5)
        await settle(pilot)
        assert app.screen.NAME == "interfaces" and app.draft.answers["id"] == "dolly-v2-12b-hf"
        assert not [n for n in app._notifications if "has problems" in (n.title or "")]


async def test_another_precision_of_the_model_is_one_choice_and_a_press_and_unmarks_the_memory(make_app, hub):  # noqa: F811
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_resources_from_the_model(pilot)
        assert app.screen.NAME == "resources" and mark(app, "memory").startswith("◆ estimated")
        app.screen.query_one("#estimate-precision").value = "int8"
        await press(pilot, "#estimate")
        assert app.draft.answers["memory"] == "13571" and mark(app, "memory") == ""
        assert "memory" not in app.draft.filled_in


def test_snapshot_resources_offer_the_models_memory_at_each_precision(snap_compare, make_app, hub):  # noqa: F811
    async def run_before(pilot):
        await to_resources_from_the_model(pilot)
        assert pilot.app.screen.NAME == "resources"
        await settle(pilot)

    assert snap_compare(make_app(offer_resume=False), terminal_size=(100, 30), run_before=run_before)


async def test_a_resumed_draft_keeps_its_marks_until_an_answer_changes(make_app):
    from wizard.draft import Draft, save_draft

    save_draft(Draft(answers={"name": "Dolly v2 12B", "description": "Dolly, an instruction-following model.",
                              "interfaces": ["chat"], "memory": 27141}, step="identity",
                     filled_in={"name": "from the model's name (databricks/dolly-v2-12b)",
                                "description": "from the model card", "memory": "estimated from 11.9B parameters"}))
    app = make_app(resume=True)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        assert mark(app, "name") == "◆ from the model's name (databricks/dolly-v2-12b)"
        assert mark(app, "description") == "◆ from the model card"
        await type_into(pilot, "#input-name", "Dolly v2 12B Chat")
        assert mark(app, "name") == "" and "name" not in app.draft.filled_in
        assert mark(app, "description") == "◆ from the model card"
        await type_into(pilot, "#input-id", "dolly-v2-12b-chat")
        await next_step(pilot)
        await next_step(pilot)
        await fill_images(pilot)
        await next_step(pilot)
        assert app.screen.NAME == "resources" and mark(app, "memory") == "◆ estimated from 11.9B parameters"
