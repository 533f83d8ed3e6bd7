"""The fields come from the table: asked where their `when` holds, derived values shown but never typed in."""

from __future__ import annotations

import json

from tests.tui.conftest import DOLLY_GPU
from tests.tui.flows import (
    fill_identity,
    fill_images,
    fill_resources,
    next_step,
    paste_into,
    press,
    settle,
    tick,
    to_step,
    type_into,
    type_lines,
)
from wizard.service.fields import fields_of
from wizard.service.plan import LOOKED_UP, TYPED

QDRANT = "qdrant/qdrant:v1.7.4"
ENV = ["QDRANT__SERVICE__GRPC_PORT=6334", "QDRANT__LOG_LEVEL=INFO"]


def shown(app, key: str) -> bool:
    return bool(app.screen.query_one(f"#field-{key}").display)


async def test_every_field_of_a_step_is_one_widget_of_its_kind(make_app):
    kinds = {"text": "Input", "image": "Input", "size": "Input", "flag": "Switch", "lines": "TextArea",
             "long_text": "TextArea", "interfaces": "SelectionList"}
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for step in ("identity", "interfaces", "images", "resources", "running"):
            app.go(step)
            await settle(pilot)
            for field in fields_of(step):
                widget = app.screen.query_one(f"#field-{field.key}")
                control = widget.query_one(kinds[field.kind])
                # the field's own subclass, which keeps a burst of keys in order (wizard.tui.keys)
                assert type(control).__name__ == "Field" + kinds[field.kind], field.key
                if field.kind != "interfaces":
                    labels = [str(s.render()) for s in widget.query(".field-label")]
                    assert labels == [field.label], field.key


async def test_a_vector_store_with_a_volume_and_environment_is_written(make_app, tmp_path):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await fill_identity(pilot)
        await next_step(pilot)
        await tick(pilot, "vector-store")
        await next_step(pilot)
        await paste_into(pilot, "#input-gpu_image", QDRANT)
        await settle(pilot)
        await next_step(pilot)
        assert not shown(app, "tokens_per_second")  # asked of chat and coder services only
        await next_step(pilot)  # memory is optional for a vector store
        assert app.screen.NAME == "running" and shown(app, "volume_path")
        await type_into(pilot, "#input-volume_path", "/qdrant/storage")
        await type_lines(pilot, "#input-env_variables", ENV)
        for _ in ("running", "docs", "review"):
            await next_step(pilot)
        assert app.screen.NAME == "publish"
        await press(pilot, "#write")
    manifest = json.loads((tmp_path / "out" / "vector-store-dolly-v2-12b-tui" / "manifest.json").read_text())
    assert manifest["interfaces"] == ["vector-store"]
    assert manifest["volumePath"] == "/qdrant/storage" and manifest["envVariables"] == ENV
    assert manifest["dockerImages"] == {"gpu": {"size": 40689160223, "image": QDRANT}}
    assert not {"tokensPerSecond", "command", "execCommands", "skipHealthCheck", "comingSoon"} & set(manifest)
    assert "memoryRequirements" not in manifest["modelInfo"]


async def test_switching_chat_to_embeddings_leaves_tokens_per_second_out_with_a_note(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await to_step(pilot, "resources")
        await fill_resources(pilot)
        await pilot.press("f2")
        await settle(pilot)
        preview = app.screen.query_one("#preview")
        assert '"tokensPerSecond": 18' in preview.shown_manifest and not preview.shown_notes
        app.go("interfaces")
        await settle(pilot)
        await tick(pilot, "chat")
        await tick(pilot, "embeddings")
        preview = app.screen.query_one("#preview")
        assert "tokensPerSecond" not in preview.shown_manifest
        (note,) = preview.shown_notes
        assert note.startswith("Tokens per second is left out") and "chat and coder" in note
        assert app.draft.answers["tokens_per_second"] == "18"  # kept as typed: switching back brings it back
        app.go("resources")
        await settle(pilot)
        assert not shown(app, "tokens_per_second")
        await to_review(pilot)
        assert "tokensPerSecond" not in app.screen.shown_manifest
        assert "Tokens per second is left out" in str(app.screen.query_one("#review-notes").render())


async def to_review(pilot) -> None:
    pilot.app.go("review")
    await settle(pilot)


async def test_a_looked_up_size_is_shown_but_never_an_answer(make_app, network):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        await fill_images(pilot)
        plan = app.state.plan()
        assert plan.answers["gpu_size"] == 40689160223 and plan.sources["gpu_size"] == LOOKED_UP
        assert "gpu_size" not in app.draft.answers and app.draft.sizes == {DOLLY_GPU: 40689160223}
        size_input = app.screen.query_one("#input-gpu_size")
        assert size_input.value == "" and size_input.placeholder.startswith("40689160223 ")
        network.release.clear()  # the next lookup waits: the old size must go at once, with no undo
        await paste_into(pilot, "#input-gpu_image", DOLLY_GPU.replace("1.0.2", "1.0.3"))
        assert "gpu_size" not in app.state.plan().answers
        assert not size_input.placeholder.startswith("40689160223")
        network.release.set()
        await settle(pilot)
        await type_into(pilot, "#input-gpu_size", "12 GiB")  # typed: it beats the lookup
        plan = app.state.plan()
        assert plan.data["dockerImages"]["gpu"]["size"] == 12 * 1024**3 and plan.sources["gpu_size"] == TYPED
        await type_into(pilot, "#input-gpu_size", "")
        assert app.state.plan().sources["gpu_size"] == LOOKED_UP


async def test_a_resumed_reference_keeps_its_looked_up_size_without_a_new_lookup(make_app, network):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        await fill_images(pilot)
        await next_step(pilot)  # saved
    again = make_app(resume=True)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.state.plan().answers["gpu_size"] == 40689160223 and "gpu_size" not in again.draft.answers
    assert network.looked_up == [DOLLY_GPU]


async def test_running_asks_the_volume_path_only_of_vector_stores_and_coders(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "running")
        assert not shown(app, "volume_path") and shown(app, "env_variables") and shown(app, "command")
        app.go("interfaces")
        await settle(pilot)
        await tick(pilot, "coder")
        app.go("running")
        await settle(pilot)
        assert shown(app, "volume_path")
        await type_lines(pilot, "#input-env_variables", ["no equals sign"])
        message = str(app.screen.query_one("#field-env_variables .field-message").render())
        assert message.startswith("✘ environment line 1") and "KEY=VALUE" in message
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.NAME == "running"
        app.screen.query_one("#input-skip_health_check").focus()
        await pilot.press("space")  # Space switches; Enter moves on
        await settle(pilot)
        assert app.draft.answers["skip_health_check"] is True
        await pilot.press("space")
        await settle(pilot)
        assert "skip_health_check" not in app.draft.answers  # off is the daemon's default: left out


async def test_a_chat_service_gets_a_prompt_template_over_several_lines(make_app, tmp_path):
    template = ["<s>[INST] <<SYS>>", "You are a helpful assistant.", "<</SYS>>", "{prompt} [/INST]"]
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "resources")
        await fill_resources(pilot)
        await next_step(pilot)
        assert app.screen.NAME == "running" and shown(app, "prompt_template")
        await type_lines(pilot, "#input-prompt_template", template)
        assert app.state.plan().data["promptTemplate"] == "\n".join(template)
        app.go("interfaces")
        await settle(pilot)
        await tick(pilot, "chat")
        await tick(pilot, "embeddings")
        app.go("running")
        await settle(pilot)
        assert not shown(app, "prompt_template")  # asked of chat services only
        plan = app.state.plan()
        assert "promptTemplate" not in plan.data
        assert "Prompt template is left out: it is asked only for chat services" in plan.dropped
