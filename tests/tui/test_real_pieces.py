"""The app with its real services: sizes from the loopback container registry, the PR on the GitHub emulator."""

from __future__ import annotations

import dataclasses
import json

from tests.tui.conftest import INDEX
from tests.tui.flows import (
    fill_identity,
    fill_interfaces,
    fill_resources,
    next_step,
    paste_into,
    press,
    settle,
)
from wizard.tui.app import WizardApp
from wizard.tui.services import default_services


async def test_lookup_against_the_real_registry_and_publish_against_the_emulator(
    container_registry, unique_repository, github_emulator, github_settings, tmp_path, monkeypatch
):
    image = container_registry.push_image(unique_repository, "1.0.2", layers=[1_500_000, 250_000])
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    settings = dataclasses.replace(github_settings, index_url=str(INDEX), out=str(tmp_path / "out"))
    app = WizardApp(settings, services=default_services(settings), offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await fill_identity(pilot)
        await next_step(pilot)
        await fill_interfaces(pilot)
        await next_step(pilot)
        await paste_into(pilot, "#input-gpu_image", image.reference)
        await settle(pilot)
        assert app.state.plan().answers["gpu_size"] == image.unpacked_size and "gpu_size" not in app.draft.answers
        assert image.digest[:19] in str(app.screen.query_one("#lookup-gpu").render())
        await next_step(pilot)
        await fill_resources(pilot)
        for _ in ("resources", "running", "docs", "review"):
            await next_step(pilot)
        assert app.screen.NAME == "publish"
        await press(pilot, "#write")
        await press(pilot, "#publish")
        await settle(pilot)
        note = str(app.screen.query_one("#publish-note").render())
        assert f"{github_emulator.url}/premAI-io/prem-registry/pull/1" in note
        stages = str(app.screen.query_one("#stages").render())
        assert "fork" in stages and "pull request" in stages
    (pull,) = github_emulator.pulls
    folder = tmp_path / "out" / "chat-dolly-v2-12b-tui"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["dockerImages"]["gpu"] == {"size": image.unpacked_size, "image": image.reference}
    on_branch = github_emulator.files_at(pull.head_repo.full_name, pull.head_ref)
    assert on_branch["chat-dolly-v2-12b-tui/manifest.json"] == (folder / "manifest.json").read_bytes()
