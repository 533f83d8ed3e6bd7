"""Field rules, registry-style JSON in and out, and round trips of every real manifest."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.core.conftest import EXAMPLES
from wizard.errors import InvalidInput, ManifestSyntaxError
from wizard.service.answers import IMAGES, answer_problems, check_answer, step_problems
from wizard.service.fields import BY_KEY
from wizard.service.manifest import (
    SEED_ORDER,
    parse_json,
    read_manifest,
    read_manifest_file,
    registry_dict,
    registry_json,
    validate_manifest,
)
from wizard.service.numbers import parse_memory_mib
from wizard.service.plan import plan_service
from wizard.service.rules import check_id, suggest_id
from wizard.service.schema import manifest_json_schema


def manifest_from_answers(answers):
    """The manifest the plan makes of these answers; InvalidInput with every problem when there is none."""
    plan = plan_service(answers)
    if plan.manifest is None:
        raise InvalidInput(plan.problem_lines() + [f"missing: {key}" for key in plan.missing])
    return plan.manifest


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("id", "", "the id is empty"),
        ("id", "Dolly-v2", "the id must be lowercase: write 'dolly-v2'"),
        ("id", "-dolly", "cannot start or end with a hyphen: try 'dolly'"),
        ("id", "dolly-", "cannot start or end with a hyphen: try 'dolly'"),
        ("id", "dolly--v2", "two hyphens in a row: try 'dolly-v2'"),
        ("id", "dolly_v2", "'_' is not allowed: try 'dolly-v2'"),
        ("id", "dolly v2!", "' ', '!' are not allowed: try 'dolly-v2'"),
        ("id", "a" * 65, "has 65 characters; keep it to 64"),
        ("name", "", "the name is empty"),
        ("name", "D", "too short (1 of at least 2 characters)"),
        ("name", "x" * 61, "too long (61 characters)"),
        ("description", "   ", "the description is empty"),
        ("description", "Too short.", "too short (10 of at least 20 characters)"),
        ("description", "x" * 1001, "too long (1001 characters)"),
        ("interfaces", [], "name at least one interface"),
        ("interfaces", ["store"], "'store' is an old name; write 'vector-store' instead"),
        ("interfaces", ["copilot"], "'copilot' is an old name; write 'coder' instead"),
        ("interfaces", ["diffusion"], "'diffusion' is an old name; write 'diffuser' instead"),
        ("interfaces", ["Chat"], "interfaces are lowercase: write 'chat'"),
        ("interfaces", ["llm"], "'llm' is not a Prem interface; choose from chat, embeddings"),
        ("interfaces", ["chat", "chat"], "listed twice"),
        ("gpu_image", "", "the image reference is empty"),
        ("gpu_image", "ghcr.io/PremAI-io/chat:1", "'PremAI-io/chat' must be lowercase"),
        ("gpu_image", "ghcr.io/premai-io/chat :1", "cannot hold spaces"),
        ("gpu_image", "ghcr.io/premai-io/chat:", "is not an image reference"),
        ("gpu_size", "lots", "could not read 'lots' as size"),
        ("gpu_size", 0, "must be more than 0 bytes"),
        ("memory", "24 XB", "could not read '24 XB' as memory"),
        ("memory", 0, "must be more than 0"),
        ("memory", "99999 TiB", "more than 16 TiB"),
        ("memory", True, "must be a number"),
        ("tokens_per_second", "fast", "'fast' is not a number"),
        ("tokens_per_second", 0, "must be more than 0"),
        ("port", 0, "0 is not a port; ports go from 1 to 65535"),
        ("port", 65536, "65536 is not a port"),
        ("port", "http", "'http' is not a port"),
        ("external_port", True, "a port is a whole number"),
    ],
)
def test_each_rule_has_a_message_for_people(key, value, message):
    assert message in (check_answer(key, value) or "")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", "dolly-v2-12b"),
        ("id", "a"),
        ("id", "a" * 64),
        ("name", "Dolly v2 12B"),
        ("interfaces", ["chat", "coder"]),
        ("gpu_image", "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2"),
        ("gpu_image", "tabbyml/tabby"),
        ("gpu_image", "localhost:5000/team/model@sha256:" + "a" * 64),
        ("gpu_image", "127.0.0.1:5000/x/y:latest"),
        ("gpu_size", 40689160223),
        ("gpu_size", "37.9 GiB"),
        ("memory", 24576),
        ("tokens_per_second", 18),
        ("tokens_per_second", 7.5),
        ("tokens_per_second", "Variable"),
        ("port", 8000),
        ("port", "8000"),
        ("external_port", 65535),
    ],
)
def test_good_answers_pass(key, value):
    assert check_answer(key, value) is None


@pytest.mark.parametrize(
    ("text", "mib"),
    [(24576, 24576), ("24576", 24576), ("24576 MiB", 24576), ("24 GiB", 24576), ("24g", 24576), ("24G", 24576),
     ("14.5GB", 13829), ("15.01 GB", 14315), ("512 MB", 489), ("1 TiB", 1024 * 1024), (0.5, 1), ("2048m", 2048)],
)
def test_memory_units(text, mib):
    assert parse_memory_mib(text) == mib


@given(st.integers(min_value=1, max_value=16 * 1024))
def test_memory_in_gib_is_exact_mib(gib):
    assert parse_memory_mib(f"{gib} GiB") == parse_memory_mib(f"{gib}g") == gib * 1024


@given(st.floats(min_value=0.001, max_value=10_000, allow_nan=False))
def test_memory_never_rounds_down(gb):
    assert parse_memory_mib(f"{gb}GB") * 1024 * 1024 >= gb * 1000**3 - 1e-3


@given(st.text(max_size=80))
def test_suggested_ids_always_pass_the_id_rule(name):
    slug = suggest_id(name)
    if slug:
        assert check_id(slug) == slug


def test_suggest_id_examples():
    assert suggest_id("Dolly v2 12B") == "dolly-v2-12b"
    assert suggest_id("  Stable Diffusion XL (with Refiner) ") == "stable-diffusion-xl-with-refiner"
    assert suggest_id("Café Crème") == "cafe-creme"
    assert suggest_id("!!!") == ""


def test_manifest_from_answers_has_the_seed_order(good_answers):
    manifest = manifest_from_answers(good_answers)
    text = registry_json(manifest)
    assert list(json.loads(text)) == list(SEED_ORDER[:11])
    assert text.endswith("}\n") and '    "id": "dolly-v2-12b-test",' in text


def test_non_ascii_is_kept_as_is(good_answers):
    good_answers["description"] = "Un modèle de conversation très poli, fait à Zürich 🇨🇭."
    assert "très poli, fait à Zürich 🇨🇭" in registry_json(manifest_from_answers(good_answers))


def test_at_least_one_image_or_binary(good_answers):
    del good_answers["gpu_image"], good_answers["gpu_size"]
    plan = plan_service(good_answers)
    assert (plan.missing, plan.problems, plan.manifest) == ([IMAGES], {}, None)
    assert step_problems("images", plan.problems, plan.missing) == ["Images: missing (at least one Docker image)"]
    with pytest.raises(InvalidInput, match="give at least one Docker image: dockerImages.gpu or dockerImages.cpu"):
        validate_manifest(plan.data)


def test_binary_service_needs_a_download():
    data = json.loads((EXAMPLES / "vector-store-qdrant-binary" / "manifest.json").read_text())
    data["binariesUrl"] = {"aarch64-apple-darwin": None}
    with pytest.raises(InvalidInput, match="binary service needs binariesUrl"):
        validate_manifest(data)


def test_every_problem_is_reported_at_once(good_answers):
    good_answers.update(id="Bad", port=0, interfaces=["store"], memory="x")
    with pytest.raises(InvalidInput) as caught:
        manifest_from_answers(good_answers)
    # the plan names fields by label, in the order they are asked; the CLI names them by flag
    labels = [p.split(":")[0] for p in caught.value.problems]
    assert labels == ["Id", "Interfaces", "Memory", "Port"]
    flags = [p.split(":")[0] for p in answer_problems(good_answers)]
    assert flags == ["--id", "--interface", "--memory", "--port"]


def test_index_round_trip_keeps_every_key_value_and_order(index_entries):
    """All 47 entries of the real index, invalid ones included: reading and writing changes nothing."""
    assert len(index_entries) == 47
    for entry in index_entries:
        manifest, _ = read_manifest(entry)
        assert json.dumps(registry_dict(manifest)) == json.dumps(entry), entry["id"]


def test_index_rule_findings_are_the_real_ones(index_entries):
    broken = {entry["id"]: [p for p, _ in read_manifest(entry)[1]] for entry in index_entries}
    broken = {k: v for k, v in broken.items() if v}
    assert broken["tabby-codellama-7B"] == ["id", "description"]
    assert all(v == ["description"] for k, v in broken.items() if k != "tabby-codellama-7B")
    assert all(not e["description"] for e in index_entries if e["id"] in broken)


@pytest.mark.parametrize("folder", sorted(p.name for p in EXAMPLES.iterdir()))
def test_example_folder_round_trip_is_byte_for_byte(folder):
    text = (EXAMPLES / folder / "manifest.json").read_text(encoding="utf-8")
    manifest, _ = read_manifest(json.loads(text))
    # the registry's files lack a final newline; we add one and change nothing else
    assert registry_json(manifest) == text.rstrip("\n") + "\n"


def test_unknown_keys_survive_and_are_named(index_entries):
    entry = next(e for e in index_entries if e["id"] == "falcon-180b-chat")
    manifest, _ = read_manifest(entry)
    # banner, petals and petals_id are table fields now (read and checked, never asked), so none is unknown;
    # what matters is that they survive as written
    assert manifest.unknown_key_paths() == []
    assert registry_dict(manifest)["petals_id"] == "falcon-180B-chat"
    assert [k for k in registry_dict(manifest) if k in ("petals", "petals_id", "banner")] == ["petals", "petals_id",
                                                                                             "banner"]
    unknown = {**entry, "petalsSwarm": "x"}
    assert read_manifest(unknown)[0].unknown_key_paths() == ["petalsSwarm"]


def test_unknown_nested_keys_are_named():
    data = json.loads((EXAMPLES / "chat-dolly-v2-12b" / "manifest.json").read_text())
    data["modelInfo"]["contextLength"] = 4096
    data["dockerImages"]["gpu"]["digest"] = "sha256:abc"
    manifest = validate_manifest(data)
    assert manifest.unknown_key_paths() == ["modelInfo.contextLength", "dockerImages.gpu.digest"]
    assert registry_dict(manifest)["dockerImages"]["gpu"] == data["dockerImages"]["gpu"]


def test_json_syntax_error_gives_file_line_column(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text('{\n    "id": "x",\n    "name": "y"\n    "beta": true\n}\n')
    with pytest.raises(ManifestSyntaxError) as caught:
        read_manifest_file(path)
    assert str(caught.value).startswith(f"{path}:4:5: Expecting ',' delimiter")


def test_parse_json_reports_position():
    with pytest.raises(ManifestSyntaxError, match=r"^<string>:1:2: "):
        parse_json("{]")


def test_schema_describes_the_manifest():
    schema = manifest_json_schema()
    assert {"id", "name", "interfaces", "defaultExternalPort"} <= set(schema["required"])
    assert "dockerImages" in schema["properties"] and "binariesUrl" in schema["properties"]


@pytest.mark.parametrize("argv", [["schema"], ["schema", "--compact"]])
def test_the_schema_command_prints_the_schema_made_from_the_table(argv, capsys):
    from wizard.cli import main

    assert main(argv) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == manifest_json_schema()
    assert (out.count("\n") == 1) == ("--compact" in argv)
    properties = manifest_json_schema()["properties"]
    assert properties["id"]["pattern"] == "^[a-z0-9]+(?:-[a-z0-9]+)*$"  # from the table's id entry
    assert properties["volumePath"]["description"].startswith(BY_KEY["volume_path"].help)
