"""The wizard's first question, in --plain: a model's answers filled in, each said with where it came from
until it is answered, the same folder as `new --from-hf`; and an offline start that loses nothing."""

from __future__ import annotations

import json

from tests.hub.test_from_hf import INDEX, new
from tests.prompts.conftest import DEFAULT, FakeQuestionary
from wizard.prompts import run_plain
from wizard.registry.index import load_index
from wizard.settings import build_settings

GPU = "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3"


def plain(tmp_path, *steps, offline=False) -> tuple[int, list[str], FakeQuestionary]:
    import asyncio

    settings = build_settings({"out": str(tmp_path / "plain"), "offline": offline, "index_url": str(INDEX)})
    printed: list[str] = []
    ask = FakeQuestionary(*steps)
    index = asyncio.run(load_index(str(INDEX)))
    code = run_plain(settings, ask=ask, index=index, out=printed.append, look_up_size=None)
    assert ask.done(), f"questions left unasked: {list(ask.steps)}"
    return code, printed, ask


AFTER_IDENTITY = [("Interfaces", DEFAULT), ("GPU image", GPU), ("GPU image size", "40689261892"), ("CPU image", ""),
                  ("Memory: how much", "know"), ("Memory", DEFAULT), ("Tokens per second", ""), ("Port", DEFAULT),
                  ("External port", DEFAULT), ("Set how the service runs?", False), ("README.md", "generated"),
                  ("logo.svg", "generated"), ("What next?", "write"), ("Folder to write", DEFAULT),
                  ("Test the service now?", False), ("Open a pull request now?", False)]


def test_the_plain_wizard_fills_in_marks_and_writes_what_new_writes(hub, tmp_path, capsys):
    code, printed, ask = plain(tmp_path, ("Start from a Hugging Face model", "databricks/dolly-v2-12b"),
                               ("Name", DEFAULT), ("Id", "dolly-v2-12b-hf"), ("Description", DEFAULT),
                               ("Beta", DEFAULT), *AFTER_IDENTITY, offline=False)
    assert code == 0
    marks = [line for line in printed if line.endswith("; Enter keeps it")]
    assert [line.split(":")[0].strip() for line in marks] == ["Name", "Description", "Interfaces", "Memory"]
    assert "from the model card" in marks[1]
    assert [q.kwargs.get("default") for q in ask.asked if q.message == "Name"] == ["Dolly v2 12B"]
    assert new(tmp_path, "databricks/dolly-v2-12b", "--gpu-image", GPU, "--gpu-size", "40689261892",
               "--id", "dolly-v2-12b-hf", "--external-port", str(json.loads(
                   (tmp_path / "plain" / "chat-dolly-v2-12b-hf" / "manifest.json").read_text())["defaultExternalPort"])
               ) == 0
    capsys.readouterr()
    for name in ("manifest.json", "README.md", "logo.svg"):
        assert (tmp_path / "plain" / "chat-dolly-v2-12b-hf" / name).read_bytes() == \
            (tmp_path / "out" / "chat-dolly-v2-12b-hf" / name).read_bytes(), name


def test_offline_the_model_is_not_asked_for_and_typing_goes_on(hub, tmp_path):
    code, printed, _ = plain(tmp_path, ("Start from a Hugging Face model", "databricks/dolly-v2-12b"),
                             ("Name", "Typed Model"), ("Id", DEFAULT), ("Description", "A chat model typed by hand."),
                             ("Beta", DEFAULT), ("Interfaces", ["chat"]), *AFTER_IDENTITY[1:5],
                             ("Memory", "8 GiB"), *AFTER_IDENTITY[6:-1], offline=True)  # offline: no pull request
    assert code == 0 and hub.requests == []
    assert any("offline: databricks/dolly-v2-12b is not looked up" in line for line in printed)
    assert any("Nothing you typed is lost" in line for line in printed)
    assert not [line for line in printed if line.endswith("; Enter keeps it")]


def test_the_plain_estimate_starts_from_the_models_parameter_count_and_precision(hub, tmp_path, capsys):
    estimate = [("Memory: how much", "estimate"), ("Parameters, in billions", DEFAULT),
                ("Precision of the weights", "int8"), ("Memory", DEFAULT)]
    code, _, ask = plain(tmp_path, ("Start from a Hugging Face model", "databricks/dolly-v2-12b"),
                               ("Name", DEFAULT), ("Id", "dolly-v2-12b-hf"), ("Description", DEFAULT),
                               ("Beta", DEFAULT), *AFTER_IDENTITY[:4], *estimate, *AFTER_IDENTITY[6:])
    assert code == 0
    defaults = {q.message.split(" (")[0]: q.kwargs.get("default") for q in ask.asked}
    assert defaults["Parameters, in billions"] == "11.858" and defaults["Precision of the weights as served"] == "fp16/bf16"
    manifest = json.loads((tmp_path / "plain" / "chat-dolly-v2-12b-hf" / "manifest.json").read_text())
    assert manifest["modelInfo"]["memoryRequirements"] == 13571  # the card's count at int8: what `new` prints for it
