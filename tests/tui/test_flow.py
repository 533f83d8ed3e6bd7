"""Pilot drives the whole wizard: messages and state, never sleeps."""

from __future__ import annotations

import threading

from tests.tui.conftest import DOLLY_GPU
from tests.tui.flows import (
    DESCRIPTION,
    NAME,
    fill_identity,
    next_step,
    press,
    settle,
    to_step,
    type_into,
)
from wizard.draft import Draft, load_draft, save_draft
from wizard.registry.checks import is_todo, validate_paths
from wizard.service.answers import check_answer
from wizard.service.plan import PICKED, SUGGESTED, plan_service
from wizard.tui.messages import AnswerChanged


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_empty_draft_to_a_written_folder_and_a_pull_request(make_app, network, tmp_path):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "publish")
        assert app.screen.NAME == "publish"
        await press(pilot, "#write")
        await settle(pilot)
        folder = tmp_path / "out" / "chat-dolly-v2-12b-tui"
        assert sorted(p.name for p in folder.iterdir()) == ["README.md", "logo.svg", "manifest.json"]
        await press(pilot, "#publish")
        await settle(pilot)
        assert "pull/7" in str(app.screen.query_one("#publish-note").render())
    plan = app.state.plan()
    assert plan.sources["external_port"] == PICKED and "external_port" not in app.draft.answers  # shown, not typed
    expected = plan_service({
        "name": NAME, "id": "dolly-v2-12b-tui", "description": DESCRIPTION, "interfaces": ["chat"],
        "gpu_image": DOLLY_GPU, "gpu_size": 40689160223, "memory": 24576, "tokens_per_second": 18,
        "port": 8000, "external_port": plan.answers["external_port"], "beta": True,
    })
    assert (folder / "manifest.json").read_bytes() == expected.files["manifest.json"]
    assert [f for f in validate_paths([folder]) if not is_todo(f)] == []  # the README's TODO lines are warnings
    assert network.looked_up == [DOLLY_GPU] and [[f.resolve() for f in p] for p in network.published] == [[folder]]
    assert load_draft() is None  # written: the draft is done with


async def test_every_field_shows_the_core_message_as_typed(make_app):
    bad = {
        "identity": {"name": "D", "id": "Bad_Id", "description": "short"},
        "images": {"gpu_image": "ghcr.io/Org/x:1", "gpu_size": "lots", "cpu_image": "a b", "cpu_size": "0"},
        "resources": {"memory": "24 XB", "tokens_per_second": "fast", "port": "0", "external_port": "70000"},
        "running": {"volume_path": "data", "command": " serve"},
    }
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for step, fields in bad.items():
            app.go(step)
            await settle(pilot)
            # tokens per second is asked of text generators, the volume path of coders and vector stores
            app.post_message(AnswerChanged("interfaces", ["coder"]))
            await settle(pilot)
            for key, value in fields.items():
                await type_into(pilot, f"#input-{key}", value)
                shown = str(app.screen.query_one(f"#field-{key} .field-message").render())
                assert shown == f"✘ {check_answer(key, value)}", key


async def test_next_is_refused_on_a_step_with_errors_naming_them(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#input-name", "D")
        await next_step(pilot)
        assert app.screen.NAME == "identity"
        (note,) = notifications(app)
        assert "Name: the name is too short" in note and "Description: missing" in note
        assert "--" not in note and "pydantic" not in note.lower()  # no flag or library words
        assert str(app.screen.query_one("#steps").get_option("identity").prompt).startswith("▶")
        await fill_identity(pilot)
        await next_step(pilot)
        assert app.screen.NAME == "interfaces"
        assert str(app.screen.query_one("#steps").get_option("identity").prompt).startswith("✔")


async def test_id_follows_the_name_until_edited(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#input-name", "Stable Diffusion XL")
        plan = app.state.plan()
        assert plan.answers["id"] == "stable-diffusion-xl" and plan.sources["id"] == SUGGESTED
        assert "id" not in app.draft.answers  # suggested, not typed for you
        assert app.screen.query_one("#input-id").placeholder.startswith("stable-diffusion-xl ")
        await type_into(pilot, "#input-id", "sdxl")
        await type_into(pilot, "#input-name", "Stable Diffusion XL Turbo")
        assert app.state.plan().answers["id"] == "sdxl"
        await type_into(pilot, "#input-id", "")  # cleared: it follows the name again
        assert app.state.plan().answers["id"] == "stable-diffusion-xl-turbo"


async def test_id_taken_upstream_is_named(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#input-name", "Bark")
        await type_into(pilot, "#input-description", DESCRIPTION)
        await next_step(pilot)
        assert app.screen.NAME == "identity"
        assert "the id 'bark' is taken by 'Bark' (text-to-audio-bark)" in notifications(app)[-1]


async def test_editing_from_review_comes_back_to_review(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "review")
        await press(pilot, "#edit-identity")
        await settle(pilot)
        assert app.screen.NAME == "identity"
        await type_into(pilot, "#input-name", "Dolly Renamed")
        await next_step(pilot)
        assert app.screen.NAME == "review"
        assert '"name": "Dolly Renamed"' in app.screen.shown_manifest


async def test_a_saved_draft_is_offered_and_resumed(make_app):
    save_draft(Draft(answers={"name": "Saved Model", "id": "saved-model", "interfaces": ["embeddings"]},
                     step="interfaces", visited=["identity"]))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.id == "resume-dialog"
        await press(pilot, "#resume")
        await settle(pilot)
        assert app.screen.NAME == "interfaces"
        assert app.screen.query_one("#interfaces").selected == ["embeddings"]
        app.go("identity")
        await settle(pilot)
        assert app.screen.query_one("#input-name").value == "Saved Model"


async def test_resume_flag_skips_the_question(make_app):
    save_draft(Draft(answers={"name": "Saved Model", "memory": "8g"}, step="resources", visited=["identity"]))
    app = make_app(resume=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.NAME == "resources" and app.screen.query_one("#input-memory").value == "8g"


async def test_quitting_with_unsaved_input_asks_and_saves(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await type_into(pilot, "#input-name", "Half Typed")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.screen.id == "quit-dialog"
        await press(pilot, "#save")
        await settle(pilot)
    assert load_draft().answers["name"] == "Half Typed"


async def test_a_failed_publish_keeps_everything_and_offers_retry(make_app, network, tmp_path):
    from wizard.errors import BadToken

    network.publish_error = BadToken("GitHub says the token is invalid or expired", hint="make a new one")
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "publish")
        await press(pilot, "#write")
        await settle(pilot)
        await press(pilot, "#publish")
        await settle(pilot)
        note = str(app.screen.query_one("#publish-note").render())
        assert "token is invalid or expired" in note and network.token not in note
        assert str(app.screen.query_one("#publish").label) == "Retry"
        network.publish_error = None
        await press(pilot, "#publish")
        await settle(pilot)
        assert "pull/7" in str(app.screen.query_one("#publish-note").render())


async def test_no_token_asks_for_one_masked(make_app, network):
    network.token = None
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "publish")
        await press(pilot, "#write")
        await settle(pilot)
        await press(pilot, "#publish")
        await settle(pilot)
        token_input = app.screen.query_one("#token")
        assert not token_input.has_class("hidden") and token_input.password
        assert network.token_threads and threading.main_thread().ident not in network.token_threads
        await type_into(pilot, "#token", "ghp_typed")
        await press(pilot, "#publish")
        await settle(pilot)
        assert network.published


async def test_help_and_preview_are_one_key_away(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await type_into(pilot, "#input-name", "Preview Me")
        assert '"name": "Preview Me"' in app.screen.query_one("#preview").shown_manifest
        await pilot.press("f1")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.NAME == "identity"


async def test_the_whole_flow_fits_80_by_24(make_app, tmp_path):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_step(pilot, "publish")
        await press(pilot, "#write")
        await settle(pilot)
    assert (tmp_path / "out" / "chat-dolly-v2-12b-tui" / "manifest.json").exists()


async def test_estimate_fills_memory(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.go("resources")
        await settle(pilot)
        await type_into(pilot, "#estimate-params", "7")
        await press(pilot, "#estimate")
        await settle(pilot)
        assert app.draft.answers["memory"] == "16022"


async def test_id_keeps_following_a_name_typed_faster_than_the_screen_updates(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        name = app.screen.query_one("#input-name")
        for end in range(1, len("Workshop Llama") + 1):  # no pause between keystrokes
            name.value = "Workshop Llama"[:end]
        await settle(pilot)
        assert app.state.plan().answers["id"] == "workshop-llama"
        assert app.screen.query_one("#input-id").placeholder.startswith("workshop-llama ")
