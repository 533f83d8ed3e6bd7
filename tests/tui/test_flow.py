"""Pilot drives the whole wizard: messages and state, never sleeps."""

from __future__ import annotations

from tests.tui.conftest import DOLLY_GPU
from tests.tui.flows import (
    DESCRIPTION,
    NAME,
    fill_identity,
    next_step,
    paste_into,
    press,
    settle,
    to_step,
    type_into,
)
from wizard.draft import Draft, load_draft, save_draft
from wizard.registry.checks import validate_paths
from wizard.service.answers import check_answer, manifest_from_answers
from wizard.service.manifest import registry_json


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
    expected = manifest_from_answers({
        "name": NAME, "id": "dolly-v2-12b-tui", "description": DESCRIPTION, "interfaces": ["chat"],
        "gpu_image": DOLLY_GPU, "gpu_size": 40689160223, "memory": 24576, "tokens_per_second": 18,
        "port": 8000, "external_port": app.draft.answers["external_port"], "beta": True,
    })
    assert (folder / "manifest.json").read_text() == registry_json(expected)
    assert validate_paths([folder]) == []
    assert network.looked_up == [DOLLY_GPU] and [[f.resolve() for f in p] for p in network.published] == [[folder]]
    assert load_draft() is None  # written: the draft is done with


async def test_every_field_shows_the_core_message_as_typed(make_app):
    bad = {
        "identity": {"name": "D", "id": "Bad_Id", "description": "short"},
        "images": {"gpu_image": "ghcr.io/Org/x:1", "gpu_size": "lots", "cpu_image": "a b", "cpu_size": "0"},
        "resources": {"memory": "24 XB", "tokens_per_second": "fast", "port": "0", "external_port": "70000"},
    }
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for step, fields in bad.items():
            app.go(step)
            await settle(pilot)
            if step == "resources":  # tokens per second shows for text-generating interfaces
                app.draft.answers["interfaces"] = ["chat"]
                app.screen.on_step_shown()
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
        assert app.draft.answers["id"] == "stable-diffusion-xl"
        await type_into(pilot, "#input-id", "sdxl")
        await type_into(pilot, "#input-name", "Stable Diffusion XL Turbo")
        assert app.draft.answers["id"] == "sdxl"


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


async def test_a_failed_lookup_keeps_every_answer_and_offers_retry(make_app, network):
    from wizard.errors import RegistryUnreachable

    network.size_error = RegistryUnreachable("cannot reach ghcr.io", hint="type the size, or use --offline")
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        await paste_into(pilot, "#input-gpu_image", DOLLY_GPU)
        await settle(pilot)
        note = str(app.screen.query_one("#lookup-gpu").render())
        assert "cannot reach ghcr.io" in note and "type the size" in note
        assert not app.screen.query_one("#retry-gpu").has_class("hidden")
        assert app.draft.answers["gpu_image"] == DOLLY_GPU and app.draft.answers["name"] == NAME
        network.size_error = None
        await press(pilot, "#retry-gpu")
        await settle(pilot)
        assert app.draft.answers["gpu_size"] == "40689160223"


async def test_a_new_reference_cancels_the_old_lookup(make_app, network):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        network.release.clear()
        app.screen.query_one("#input-gpu_image").value = "ghcr.io/premai-io/a:1"
        for _ in range(200):  # until the lookup of a:1 is waiting on the network
            if network.looked_up:
                break
            await pilot.pause(0.01)
        assert network.looked_up == ["ghcr.io/premai-io/a:1"] and app.lookup_running("gpu")
        first = next(w for w in app.workers if w.group == "size-gpu")
        app.screen.query_one("#input-gpu_image").value = "ghcr.io/premai-io/b:1"
        await pilot.pause()
        assert first.is_cancelled
        network.release.set()
        await settle(pilot)
        assert network.looked_up == ["ghcr.io/premai-io/a:1", "ghcr.io/premai-io/b:1"]
        assert app.draft.answers["gpu_size"] == "40689160223"


async def test_offline_sizes_are_typed(make_app, network):
    app = make_app(offer_resume=False, offline=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        await type_into(pilot, "#input-gpu_image", DOLLY_GPU)
        assert network.looked_up == []
        assert "offline" in str(app.screen.query_one("#lookup-gpu").render())


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
        assert app.draft.answers["id"] == "workshop-llama"
        assert app.screen.query_one("#input-id").value == "workshop-llama"


async def test_the_unpacked_size_from_a_local_engine_is_offered(make_app, network):
    network.unpacked_size = 101_000_000_000
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        await paste_into(pilot, "#input-gpu_image", DOLLY_GPU)
        await settle(pilot)
        assert app.draft.answers["gpu_size"] == "40689160223"  # the download size comes first
        button = app.screen.query_one("#unpacked-gpu")
        assert not button.has_class("hidden") and "94.1 GiB" in str(button.label)
        await press(pilot, "#unpacked-gpu")
        assert app.draft.answers["gpu_size"] == "101000000000"
