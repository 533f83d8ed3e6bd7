"""The last step's Test action, as a person uses it: write, Test, read the lines, Use these figures. The image runs
in the Docker engine emulator (the real Engine API client, over its unix socket); the container is removed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.servers.docker_engine import FakeDockerEngine
from tests.tui.conftest import DOLLY_GPU
from tests.tui.flows import press, settle, to_step


@pytest.fixture
def engine(tmp_path, monkeypatch):
    fake = FakeDockerEngine(tmp_path / "docker.sock", {DOLLY_GPU: 1},
                            {DOLLY_GPU: {"interface": "chat", "rate": 60.0, "tokens": 15, "memory": 20000 * 2**20}})
    monkeypatch.setenv("DOCKER_HOST", f"unix://{fake.socket_path}")
    yield fake
    fake.stop()


async def until_tested(pilot) -> None:
    for _ in range(200):
        await pilot.pause(0.05)
        if pilot.app.state.trial is not None:
            break
    await settle(pilot)


async def test_testing_the_written_folder_measures_it_and_records_the_figures(make_app, engine, tmp_path):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "publish")
        await press(pilot, "#write")
        assert not app.screen.query_one("#test-box").has_class("hidden")
        await press(pilot, "#test")
        await until_tested(pilot)
        shown = str(app.screen.query_one("#test-lines").render())
        assert "5 of 5 calls passed" in shown and "suggested 25088 MiB" in shown  # (20000 MiB + 1) x 1.25
        assert not app.screen.query_one("#use-figures").has_class("hidden")
        measured = app.state.trial.answers
        assert 54 <= measured["tokens_per_second"] <= 66 and measured["memory"] == 25088
        await press(pilot, "#use-figures")
        await settle(pilot)
    manifest = json.loads((tmp_path / "out" / "chat-dolly-v2-12b-tui" / "manifest.json").read_text())
    assert manifest["modelInfo"] == {"memoryRequirements": 25088, "tokensPerSecond": measured["tokens_per_second"]}
    assert engine.containers == {} and len(engine.removed) == 1
    assert engine.created[0]["Image"] == DOLLY_GPU


async def test_without_an_engine_the_action_says_what_to_run_instead(make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no.sock'}")
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "publish")
        await press(pilot, "#write")
        await press(pilot, "#test")
        await until_tested(pilot)
        shown = str(app.screen.query_one("#test-lines").render())
        assert "needs a local Docker engine" in shown
        assert "Next: prem-new-service try out/chat-dolly-v2-12b-tui" in shown
        assert app.screen.query_one("#use-figures").has_class("hidden")


async def test_editing_the_real_dolly_enter_saves_and_the_test_records_into_the_folder(network, tmp_path,
                                                                                      monkeypatch):
    import shutil

    from tests.tui.conftest import INDEX
    from tests.tui.test_edit import editing_app
    from wizard.tui.messages import StepRequested

    folder = Path(shutil.copytree(INDEX.parent / "examples" / "chat-dolly-v2-12b", tmp_path / "chat-dolly-v2-12b"))
    image = "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3"
    fake = FakeDockerEngine(tmp_path / "docker.sock", {image: 1}, {image: {"interface": "chat", "rate": 40.0,
                                                                          "tokens": 12, "memory": 22000 * 2**20}})
    monkeypatch.setenv("DOCKER_HOST", f"unix://{fake.socket_path}")
    before = (folder / "manifest.json").read_text(encoding="utf-8")
    app = editing_app(folder, network)
    try:
        async with app.run_test(size=(110, 34)) as pilot:
            await settle(pilot)
            app.post_message(StepRequested("publish"))
            await settle(pilot)
            assert app.focused.id == "write"  # not the hidden folder field an edit does not use
            await pilot.press("enter")
            await settle(pilot)
            await press(pilot, "#test")
            await until_tested(pilot)
            assert app.focused.id == "use-figures"  # Enter takes the figures
            await pilot.press("enter")
            await settle(pilot)
    finally:
        fake.stop()
    after = (folder / "manifest.json").read_text(encoding="utf-8")
    changed = [(old.strip(), new.strip()) for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
               if old != new]
    assert [old for old, _ in changed] == ['"memoryRequirements": 24484,', '"tokensPerSecond": 19']
    assert json.loads(after)["modelInfo"]["memoryRequirements"] == 27648  # 22001 MiB x 1.25, up to 512
    assert fake.containers == {} and len(fake.removed) == 1


async def test_leaving_the_app_while_a_test_runs_removes_its_container(make_app, tmp_path, monkeypatch):
    import asyncio

    fake = FakeDockerEngine(tmp_path / "docker.sock", {DOLLY_GPU: 1},
                            {DOLLY_GPU: {"interface": "chat", "fault": "health-down"}})
    monkeypatch.setenv("DOCKER_HOST", f"unix://{fake.socket_path}")
    try:
        app = make_app(offer_resume=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await to_step(pilot, "publish")
            await press(pilot, "#write")
            app.screen.query_one("#test").focus()
            await pilot.press("enter")  # not press(): it waits for the workers, and this one never ends by itself
            for _ in range(200):
                await pilot.pause(0.05)
                if fake.containers and any(c.get("state", {}).get("Running") for c in fake.containers.values()):
                    break
            assert fake.containers, "the test's container was started"
            app.exit()
        for _ in range(100):  # the worker's clean-up is the engine's last call
            if not fake.containers:
                break
            await asyncio.sleep(0.05)
        assert fake.containers == {} and len(fake.removed) == 1
    finally:
        fake.stop()
