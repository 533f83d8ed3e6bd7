"""The field table is consistent: every entry says what a front end needs, and the real registry holds no key it
does not know. Its messages speak to a contributor, never in flags or pydantic's words."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest

from tests.core.conftest import EXAMPLES, INDEX, SNAPSHOT
from wizard.cli import build_parser
from wizard.errors import InvalidInput
from wizard.service import rules
from wizard.service.fields import (
    ALWAYS,
    ASKED,
    BY_KEY,
    BY_PATH,
    FIELDS,
    SPEC_KEYS,
    STEPS,
    fields_of,
)
from wizard.service.manifest import read_manifest

KINDS = {"text", "long_text", "flag", "interfaces", "lines", "image", "size"}
STEP_ORDER = ("identity", "interfaces", "images", "resources", "running")
CONTAINERS = {"modelInfo", "dockerImages", *(f"dockerImages.{d}" for d in rules.DEVICES)}
DEV = SNAPSHOT / "dev"
FORBIDDEN_WORDS = ("pydantic", "Value error", "string_type", "input_value")


def real_manifests() -> list[tuple[str, dict[str, Any]]]:
    """Every manifest of the snapshot: the index's entries, the 47 dev folders and the 5 examples."""
    found = [(f"manifests.json[{e['id']}]", e) for e in json.loads(INDEX.read_text(encoding="utf-8"))]
    for folder in sorted(p for p in DEV.iterdir() if p.is_dir()) + sorted(EXAMPLES.iterdir()):
        found.append((f"{folder.parent.name}/{folder.name}", json.loads((folder / "manifest.json").read_text("utf-8"))))
    return found


def key_paths(manifest: dict[str, Any]) -> list[str]:
    paths = []
    for key, value in manifest.items():
        paths.append(key)
        if key in ("modelInfo", "dockerImages") and isinstance(value, dict):
            for inner, inner_value in value.items():
                paths.append(f"{key}.{inner}")
                if key == "dockerImages" and isinstance(inner_value, dict):
                    paths += [f"{key}.{inner}.{leaf}" for leaf in inner_value]
    return paths


# --- each entry ---------------------------------------------------------------------------------


def test_keys_paths_and_labels_are_unique():
    assert len(BY_KEY) == len(BY_PATH) == len(FIELDS)
    assert len({f.label for f in FIELDS}) == len(FIELDS)
    for field in FIELDS:
        assert re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*", field.key), field.key
        assert re.fullmatch(r"[A-Za-z_]+(?:\.[A-Za-z_]+)*", field.path), field.path


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.key)
def test_label_and_help_read_well(field):
    assert field.label and field.label[0].isupper() and field.label[-1] not in ".:;", field.label
    assert field.help and field.help[-1] not in ".:;" and field.help == field.help.strip()
    assert "--" not in field.help, "help is shown in every front end; a flag belongs to the CLI"
    if field.when is not ALWAYS:
        assert field.when.says, "a dropped answer's note quotes `when.says`"
    if field.required not in (None, ALWAYS):
        assert field.required.says, "a missing field's message quotes `required.says`"
    assert not (field.derived and field.default is not None), "a derived value and a default would compete"
    if field.default is not None:
        assert field.check(field.default) == field.default


@pytest.mark.parametrize("field", ASKED, ids=lambda f: f.key)
def test_an_asked_field_has_a_step_kind_flag_and_an_example_that_reads(field):
    assert field.step in STEP_ORDER and field.kind in KINDS
    assert re.fullmatch(r"--[a-z][a-z0-9]*(?:-[a-z0-9]+)*", field.flag), field.flag
    assert (field.kind == "flag") == (field.schema == {"type": "boolean"})
    if field.kind != "flag":
        assert field.example, "every asked field shows an example"
        field.read(field.example)  # the example follows the field's own rule
    if field.required is ALWAYS:
        assert field.daemon, "a field every service needs says what the daemon does with it"


def test_flags_and_spec_keys_never_collide():
    flags = [f.flag for f in ASKED]
    assert len(set(flags)) == len(flags)
    aliases = [a for f in ASKED for a in f.aliases]
    assert not set(aliases) & set(BY_KEY) and len(set(aliases)) == len(aliases)
    assert SPEC_KEYS == {**{f.key: f.key for f in ASKED}, **{a: f.key for f in ASKED for a in f.aliases}}


def test_new_offers_every_asked_flag():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices
    offered = set(commands["new"]._option_string_actions)
    assert [f.flag for f in ASKED if f.flag not in offered] == []


def test_steps_ask_in_the_table_order():
    assert tuple(STEPS) == STEP_ORDER
    assert [key for step in STEPS for key in STEPS[step]] == [f.key for f in ASKED]
    for step in STEPS:
        assert all(f.step == step for f in fields_of(step))
    assert {f.key for f in FIELDS if f.step is None} == {f.key for f in FIELDS} - {f.key for f in ASKED}


def test_gpu_and_cpu_entries_share_their_rules():
    for what in ("image", "size"):
        gpu, cpu = BY_KEY[f"gpu_{what}"], BY_KEY[f"cpu_{what}"]
        for attribute in ("check", "parse", "schema", "step", "kind", "default", "derived", "when", "required",
                          "daemon"):
            assert getattr(gpu, attribute) == getattr(cpu, attribute), (what, attribute)
        assert gpu.label.replace("GPU", "CPU") == cpu.label
        assert gpu.help.replace("with a GPU", "without a GPU") == cpu.help
        for attribute in ("example", "placeholder"):  # the device shows in an image's name, not in its size
            assert getattr(gpu, attribute).replace("-gpu", "-cpu") == getattr(cpu, attribute)
        assert gpu.path.replace("gpu", "cpu") == cpu.path


def test_rules_refuse_what_json_cannot_hold():
    # Python's json reads NaN and Infinity; no rule takes them (the schema cannot say so: JSON has neither)
    for field in FIELDS:
        for value in (math.nan, math.inf, -math.inf):
            assert field.message(value), (field.key, value)


# --- the real registry ---------------------------------------------------------------------------


def test_the_snapshot_has_what_these_tests_count_on():
    folders = [p.name for p in DEV.iterdir() if p.is_dir()]
    assert len(folders) == 47 and " audio-to-text-whisper-large-v2-q5" in folders  # yes, with a leading space
    assert len(list(EXAMPLES.iterdir())) == 5


def test_every_key_of_the_real_registry_is_a_table_field_or_reported_unknown():
    unknown_by_source = {}
    seen = set()
    for source, manifest in real_manifests():
        reported = set(read_manifest(manifest)[0].unknown_key_paths())
        for path in key_paths(manifest):
            seen.add(path)
            assert path in BY_PATH or path in CONTAINERS or path in reported, (source, path)
        if reported:
            unknown_by_source[source] = sorted(reported)
    # today the table knows every key the registry uses (banner, petals, modelInfo.secondsPerImage... included)
    assert unknown_by_source == {}
    assert len(seen - CONTAINERS) == 34  # the distinct field paths the 47 services use, gpu and cpu counted apart


# --- messages -----------------------------------------------------------------------------------

BAD_VALUES = [None, True, False, 0, -1, 1.5, 8000.0, 2**70, "", "  ", " padded ", "x\x00y", "line\nbreak", "Bad Value!",
              "UPPER", "x" * 5000, [], [1], ["", " "], ["a\x1b"], {}, {"a": 1}, {"linux": None}, "ftp://x"]
OUR_FLAGS = {f.flag for f in FIELDS} | {"--force", "--out", "--from", "--dry-run", "--json", "--publish"}


def field_messages() -> list[tuple[str, str]]:
    found = []
    for field in FIELDS:
        for value in BAD_VALUES:
            for judge in {field.check, field.read}:
                try:
                    judge(value)
                except rules.RuleBroken as broken:
                    found.append((field.key, broken.message))
    return found


def model_messages() -> list[tuple[str, str]]:
    """What `validate` says of structural mistakes, where pydantic, not a rule, notices first."""
    base = json.loads((EXAMPLES / "chat-dolly-v2-12b" / "manifest.json").read_text())
    broken = [{**base, "interfaces": "chat"}, {**base, "modelInfo": []}, {**base, "dockerImages": None},
              {**base, "dockerImages": {"tpu": base["dockerImages"]["gpu"]}}, {**base, "dockerImages": {"gpu": []}},
              {**base, "dockerImages": {"gpu": {"image": "ghcr.io/x/y:1"}}}, {**base, "modelInfo": {}},
              {k: v for k, v in base.items() if k != "id"}, {k: v for k, v in base.items() if k != "defaultPort"}]
    found = []
    for doc in broken:
        try:
            found += read_manifest(doc)[1]
        except InvalidInput as error:  # a structure no manifest can be kept from
            found += [("structure", line) for line in error.problems]
    return found


def test_there_are_messages_to_judge():
    assert len({m for _, m in field_messages()}) > 150
    assert len(model_messages()) >= 9


@pytest.mark.parametrize("source", ["rules", "model"])
def test_messages_name_no_flag_and_no_library(source):
    messages = field_messages() if source == "rules" else model_messages()
    for key, message in messages:
        assert not any(word in message for word in FORBIDDEN_WORDS), (key, message)
        outside_quotes = re.sub(r"(?<![A-Za-z])'[^']*'", "''", message)  # 'serve --model X' is an example of a command
        assert "--" not in outside_quotes, (key, message)
        assert not any(re.search(rf"{flag}\b", message) for flag in OUR_FLAGS), (key, message)
        assert message.strip() == message and not message[0].isupper(), (key, message)
