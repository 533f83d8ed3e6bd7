"""plan_service: answers in, a whole service folder out, in memory, with where every value came from."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from tests.core.conftest import EXAMPLES, GOOD_ANSWERS
from wizard.registry.checks import check_files, is_todo
from wizard.registry.index import RegistryIndex
from wizard.service.answers import IMAGES, answers_from_manifest
from wizard.service.plan import (
    DEFAULT,
    LOOKED_UP,
    PICKED,
    SUGGESTED,
    TYPED,
    PlanContext,
    plan_service,
)

TYPED_BY_A_PERSON = {
    "name": "Dolly v2 12B Test",
    "description": "Dolly-v2-12b, developed by Databricks, is an instruction-following model.",
    "interfaces": ["chat"],
    "gpu_image": "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2",
    "memory": "24 GiB",
    "tokens_per_second": "18",
}
GPU_SIZE = 40689160223


def upstream(*entries: dict) -> RegistryIndex:
    return RegistryIndex(tuple(entries), "test")


def example(folder: str) -> dict:
    return json.loads((EXAMPLES / folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def empty_cwd(tmp_path, monkeypatch):
    """The plan writes nothing: not here, and no temporary folder either."""
    monkeypatch.chdir(tmp_path)

    def no_temporary(*args, **kwargs):
        raise AssertionError("plan_service made a temporary file or folder")

    for name in ("mkdtemp", "mkstemp", "TemporaryDirectory", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, no_temporary)
    yield tmp_path
    assert list(tmp_path.iterdir()) == []


# --- where values come from ---------------------------------------------------------------------


def test_sources_say_where_each_value_came_from(empty_cwd):
    plan = plan_service(TYPED_BY_A_PERSON, PlanContext(sizes={"gpu": GPU_SIZE}))
    assert plan.ok, plan.problem_lines() + plan.missing
    assert plan.sources == {
        "id": SUGGESTED, "name": TYPED, "beta": DEFAULT, "description": TYPED, "interfaces": TYPED,
        "gpu_image": TYPED, "gpu_size": LOOKED_UP, "memory": TYPED, "tokens_per_second": TYPED, "port": DEFAULT,
        "external_port": PICKED,
    }
    assert plan.answers["id"] == "dolly-v2-12b-test" and plan.answers["gpu_size"] == GPU_SIZE
    assert plan.data["modelInfo"] == {"memoryRequirements": 24576, "tokensPerSecond": 18}  # stored forms
    assert 8100 <= plan.data["defaultExternalPort"] < 10000


def test_derived_values_never_overwrite_typed_ones():
    typed = {**TYPED_BY_A_PERSON, "id": "my-own-id", "gpu_size": "1 GiB", "external_port": 8447, "port": 9000,
             "beta": False}
    before = dict(typed)
    index = upstream({"id": "other", "interfaces": ["chat"], "defaultExternalPort": 8447})
    plan = plan_service(typed, PlanContext(index=index, sizes={"gpu": GPU_SIZE}))
    assert typed == before  # the person's answers are not written into
    assert {k: plan.answers[k] for k in ("id", "gpu_size", "external_port", "port", "beta")} == {
        "id": "my-own-id", "gpu_size": "1 GiB", "external_port": 8447, "port": 9000, "beta": False}
    assert all(plan.sources[k] == TYPED for k in ("id", "gpu_size", "external_port", "port", "beta"))
    assert plan.data["dockerImages"]["gpu"]["size"] == 1024**3
    # a taken port is reported, not replaced by a picked one
    assert "external_port" in plan.problems and plan.data["defaultExternalPort"] == 8447


def test_a_looked_up_size_is_only_for_an_image_typed():
    plan = plan_service(TYPED_BY_A_PERSON, PlanContext(sizes={"gpu": GPU_SIZE, "cpu": 1}))
    assert "cpu_size" not in plan.answers and "cpu" not in plan.data["dockerImages"]


def test_none_means_not_answered():
    plan = plan_service({**TYPED_BY_A_PERSON, "id": None, "port": None})
    assert plan.sources["id"] == SUGGESTED and plan.sources["port"] == DEFAULT


# --- dropped, missing ---------------------------------------------------------------------------


def test_switching_to_embeddings_drops_tokens_per_second_with_a_note():
    chat = plan_service(TYPED_BY_A_PERSON, PlanContext(sizes={"gpu": GPU_SIZE}))
    assert chat.dropped == [] and "tokensPerSecond" in chat.data["modelInfo"]
    embeddings = plan_service({**TYPED_BY_A_PERSON, "interfaces": ["embeddings"]}, PlanContext(sizes={"gpu": GPU_SIZE}))
    assert embeddings.dropped == ["Tokens per second is left out: it is asked only for chat and coder services"]
    assert "tokens_per_second" not in embeddings.answers and "tokens_per_second" not in embeddings.sources
    assert embeddings.data["modelInfo"] == {"memoryRequirements": 24576} and embeddings.ok


def test_an_edit_keeps_a_field_that_was_already_out_of_place():
    original = example("chat-dolly-v2-12b")
    original = {**original, "interfaces": ["embeddings"]}  # tokensPerSecond on an embeddings model, as written
    plan = plan_service(answers_from_manifest(original), PlanContext(original=original))
    assert plan.dropped == [] and plan.data == original


def test_missing_answers_in_the_order_asked():
    plan = plan_service({})
    assert plan.missing == ["name", "id", "description", "interfaces", "memory", "external_port", IMAGES]
    assert plan.manifest is None and plan.files == {} and plan.findings == []
    named = plan_service({"name": "Dolly"})  # the id is suggested from the name, the port picked for that id
    assert named.missing == ["description", "interfaces", "memory", IMAGES]
    plan = plan_service({"interfaces": ["vector-store"]})
    assert "memory" not in plan.missing  # a vector store need not say
    plan = plan_service({**TYPED_BY_A_PERSON, "cpu_image": "ghcr.io/x/y-cpu:1"}, PlanContext(sizes={"gpu": 1}))
    assert plan.missing == ["cpu_size"]
    pending = plan_service({**TYPED_BY_A_PERSON, "cpu_image": "ghcr.io/x/y-cpu:1"}, PlanContext(sizes_pending=True))
    assert pending.missing == [] and pending.manifest is None  # to be looked up, and checked meanwhile


def test_editing_a_binary_service_asks_for_no_port_nor_image():
    original = example("vector-store-qdrant-binary")
    del original["defaultPort"]
    plan = plan_service(answers_from_manifest(original), PlanContext(original=original))
    assert plan.missing == [] and plan.dropped == [] and plan.data == original


# --- upstream collisions ------------------------------------------------------------------------


def test_an_id_or_port_taken_upstream_is_a_problem():
    index = upstream({"id": "dolly-v2-12b-test", "name": "Dolly", "interfaces": ["chat"], "defaultExternalPort": 8339})
    plan = plan_service({**GOOD_ANSWERS}, PlanContext(index=index))
    assert set(plan.problems) == {"id", "external_port"} and plan.manifest is None
    assert "the id 'dolly-v2-12b-test' is taken by 'Dolly'" in plan.problems["id"][0]
    assert "8339" in plan.problems["external_port"][0]
    assert plan.problem_lines()[0].startswith("Id: the id 'dolly-v2-12b-test' is taken")


def test_the_edited_service_is_not_compared_with_itself():
    original = example("chat-dolly-v2-12b")
    index = upstream(original, {"id": "other", "interfaces": ["chat"], "defaultExternalPort": 9999})
    plan = plan_service(answers_from_manifest(original), PlanContext(index=index, original=original))
    assert plan.problems == {} and plan.ok
    moved = plan_service({**answers_from_manifest(original), "external_port": 9999},
                         PlanContext(index=index, original=original))
    assert list(moved.problems) == ["external_port"]  # another service's port is still a collision


def test_a_picked_port_is_free_upstream():
    taken = [{"id": f"s{n}", "interfaces": ["chat"], "defaultExternalPort": port}
             for n, port in enumerate(range(8100, 9000))]
    plan = plan_service(GOOD_ANSWERS | {"external_port": None}, PlanContext(index=upstream(*taken)))
    assert plan.sources["external_port"] == PICKED and plan.answers["external_port"] >= 9000
    assert "external_port" not in plan.problems


def test_an_edit_picks_no_port():
    original = example("chat-dolly-v2-12b")
    answers = {k: v for k, v in answers_from_manifest(original).items() if k != "external_port"}
    plan = plan_service(answers, PlanContext(original=original))
    assert "external_port" not in plan.answers and plan.missing == ["external_port"]


# --- files and findings, in memory --------------------------------------------------------------


def test_files_and_findings_are_made_in_memory(empty_cwd):
    plan = plan_service(GOOD_ANSWERS)
    assert plan.ok and plan.folder == "chat-dolly-v2-12b-test"
    assert sorted(plan.files) == ["README.md", "logo.svg", "manifest.json"]
    assert plan.files["manifest.json"] == plan.manifest_text.encode("utf-8")
    assert plan.findings == check_files(Path(plan.folder), plan.files).findings
    assert [f.severity for f in plan.findings] == ["warning"] * 4 and all(map(is_todo, plan.findings))  # README TODOs


def test_findings_are_validates_on_the_contributors_files(empty_cwd):
    plan = plan_service(GOOD_ANSWERS, PlanContext(readme="  \n", logo=b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    assert plan.files["README.md"] == b"  \n"
    messages = [(Path(f.path).name, f.severity, f.message.split(";")[0]) for f in plan.findings]
    assert ("README.md", "error", "README.md is empty") in messages
    assert any(name == "logo.svg" for name, _, _ in messages)
    assert all(f.path.startswith("chat-dolly-v2-12b-test/") for f in plan.findings)


def test_broken_answers_make_no_files(empty_cwd):
    plan = plan_service({**GOOD_ANSWERS, "port": "http", "memory": "lots"})
    assert plan.manifest is None and plan.files == {} and not plan.ok
    assert list(plan.problems) == ["memory", "port"]
    assert plan.data["defaultPort"] == "http"  # as typed, so the preview shows what the message is about


def test_a_broken_interface_drops_nothing():
    """Until the interfaces follow their rule, nobody can say which fields apply: nothing is dropped."""
    from wizard.service.plan import plan_service

    plan = plan_service({"name": "Dolly v2 12B", "interfaces": ["store"], "tokens_per_second": 18})
    assert plan.dropped == []
    assert "tokens_per_second" in plan.answers
    assert any("old name" in message for message in plan.problems["interfaces"])
