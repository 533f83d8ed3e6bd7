"""The plain flow's Test offer after writing: the image run in the Docker engine emulator, the figures measured and,
when the person agrees, written into the folder; without an engine, what to run instead."""

from __future__ import annotations

import json
from pathlib import Path

from tests.prompts import script
from tests.prompts.conftest import FakeQuestionary
from tests.servers.docker_engine import FakeDockerEngine
from wizard.prompts import run_plain

FOLDER = "chat-dolly-v2-12b-plain"
BEFORE_TEST = script.EVERY_STEP[:-2]  # up to "Folder to write"


def run(settings, index, ask, printed) -> int:
    code = run_plain(settings, ask=ask, index=index, out=printed.append, look_up_size=script.FakeSizes())
    assert ask.done(), f"questions left unasked: {list(ask.steps)}"
    return code


def test_the_measured_figures_are_recorded_when_the_person_agrees(settings, index, printed, tmp_path, monkeypatch):
    engine = FakeDockerEngine(tmp_path / "docker.sock", {script.GPU_IMAGE: 1}, {
        script.GPU_IMAGE: {"interface": "chat", "rate": 80.0, "tokens": 16, "memory": 3000 * 2**20}})
    monkeypatch.setenv("DOCKER_HOST", f"unix://{engine.socket_path}")
    try:
        ask = FakeQuestionary(*BEFORE_TEST, ("Test the service now?", True),
                              ("Record the measurement in the manifest (Memory 4096 MiB, Tokens per second", True),
                              ("Open a pull request now?", False))
        assert run(settings, index, ask, printed) == 0
    finally:
        engine.stop()
    manifest = json.loads((Path(settings.out) / FOLDER / "manifest.json").read_text())
    assert manifest["modelInfo"]["memoryRequirements"] == 4096  # 3001 MiB x 1.25 = 3751, up to 512
    assert 72 <= manifest["modelInfo"]["tokensPerSecond"] <= 88
    assert any(line.strip() == "5 of 5 calls passed" for line in printed)
    assert engine.containers == {} and len(engine.removed) == 1


def test_without_an_engine_it_says_what_to_run_and_keeps_the_folder(settings, index, printed, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'none.sock'}")
    ask = FakeQuestionary(*BEFORE_TEST, ("Test the service now?", True), ("Open a pull request now?", False))
    assert run(settings, index, ask, printed) == 0
    assert any("needs a local Docker engine" in line for line in printed)
    assert any(line.startswith("  next: `prem-new-service check --run ") for line in printed)
    assert json.loads((Path(settings.out) / FOLDER / "manifest.json").read_text())["modelInfo"]["tokensPerSecond"] == 18
