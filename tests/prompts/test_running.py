"""The running step (volume, environment, command, flags) and the answers a front end leaves to the plan."""

from __future__ import annotations

import json
from pathlib import Path

from tests.prompts import script
from tests.prompts.conftest import DEFAULT, FakeQuestionary
from wizard.prompts import run_plain
from wizard.registry.index import free_external_port
from wizard.service.answers import check_answer
from wizard.service.fields import BY_KEY

QDRANT_ENV = ["QDRANT__SERVICE__GRPC_PORT=6334", "QDRANT__LOG_LEVEL=INFO"]


def run(settings, index, ask, printed):
    code = run_plain(settings, ask=ask, index=index, out=printed.append, look_up_size=script.FakeSizes())
    assert ask.done(), f"questions left unasked: {list(ask.steps)}"
    return code


def written(settings, folder) -> dict:
    return json.loads((Path(settings.out) / folder / "manifest.json").read_text())


def test_a_vector_store_with_a_volume_path_and_two_env_lines_is_written(settings, index, printed):
    running = [("Set how the service runs?", True),
               ("Volume path", "qdrant/storage"), ("Volume path", "/qdrant/storage"),
               ("Environment variables", "QDRANT LOG=1"), ("Environment variables", "\n".join(QDRANT_ENV)),
               ("Command", ""), ("Commands after start", ""), ("Skip health check", DEFAULT), ("Coming soon", DEFAULT)]
    resources = [("Memory", ""), ("Port", "6333"), ("External port", DEFAULT)]
    ask = FakeQuestionary(*script.IDENTITY, ("Interfaces", ["vector-store"]), *script.IMAGES, *resources, *running,
                          *script.DOCS, *script.REVIEW, *script.WRITE)
    assert run(settings, index, ask, printed) == 0

    assert ask.refused == [("Volume path", check_answer("volume_path", "qdrant/storage")),
                           ("Environment variables", check_answer("env_variables", "QDRANT LOG=1"))]
    assert "Memory: how much" not in " ".join(ask.messages()), "a vector store has no model to estimate"
    assert "Tokens per second" not in ask.messages()
    env = ask.last("Environment variables")
    assert env.kwargs["multiline"] is True and BY_KEY["env_variables"].help in env.kwargs["instruction"]
    manifest = written(settings, "vector-store-dolly-v2-12b-plain")
    assert manifest["volumePath"] == "/qdrant/storage"
    assert manifest["envVariables"] == QDRANT_ENV
    assert manifest["defaultPort"] == 6333
    assert "memoryRequirements" not in manifest.get("modelInfo", {})
    assert not {"command", "execCommands", "skipHealthCheck", "comingSoon"} & set(manifest), "left empty, left out"


def test_the_running_step_asks_only_what_applies_and_keeps_what_was_set(settings, index, printed):
    running = [("Set how the service runs?", True), ("Environment variables", ""),
               ("Command", "serve --model dolly --device cuda"), ("Commands after start", "echo one\necho two"),
               ("Prompt template", "### Instruction:\n{prompt}\n### Response:"),
               ("Skip health check", True), ("Coming soon", DEFAULT)]
    ask = FakeQuestionary(*script.IDENTITY, *script.INTERFACES, *script.IMAGES, *script.RESOURCES, *running,
                          *script.DOCS, ("What next?", "running"),
                          ("Set how the service runs?", DEFAULT), ("Environment variables", DEFAULT),
                          ("Command", DEFAULT), ("Commands after start", DEFAULT), ("Prompt template", DEFAULT),
                          ("Skip health check", DEFAULT), ("Coming soon", DEFAULT), *script.REVIEW, *script.WRITE)
    assert run(settings, index, ask, printed) == 0
    assert "Volume path" not in ask.messages(), "asked only for vector stores and coders"
    assert ask.last("Set how the service runs?").kwargs["default"] is True, "offered again once answered"
    assert ask.last("Commands after start").kwargs["default"] == "echo one\necho two"
    manifest = written(settings, "chat-dolly-v2-12b-plain")
    assert manifest["command"] == "serve --model dolly --device cuda"
    assert manifest["execCommands"] == ["echo one", "echo two"]
    assert manifest["skipHealthCheck"] is True
    assert manifest["promptTemplate"] == "### Instruction:\n{prompt}\n### Response:"
    assert ask.last("Prompt template").kwargs["multiline"] is True
    assert "comingSoon" not in manifest and "envVariables" not in manifest


def test_an_empty_external_port_and_id_are_filled_in_by_the_plan(settings, index, printed):
    identity = [("Name", script.NAME), ("Id", ""), *script.IDENTITY[2:]]
    resources = [*script.RESOURCES[:-1], ("External port", "")]
    ask = FakeQuestionary(*identity, *script.INTERFACES, *script.IMAGES, *resources, *script.AFTER_RESOURCES)
    assert run(settings, index, ask, printed) == 0
    assert ask.refused == [], "empty means: pick one"
    picked = free_external_port(index, seed=script.SERVICE_ID)
    assert f"  suggested external port {picked}: free upstream" in printed
    question = ask.last("External port")
    assert question.kwargs["placeholder"][0][1] == BY_KEY["external_port"].placeholder
    assert BY_KEY["external_port"].help in question.kwargs["instruction"]
    manifest = written(settings, "chat-dolly-v2-12b-plain")
    assert (manifest["id"], manifest["defaultExternalPort"]) == (script.SERVICE_ID, picked)
