"""Every parser of a file from outside returns a value or one of the project's named errors, whatever the file
holds: arbitrary bytes, deep nesting, huge and non-finite numbers, keys written twice, control characters."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.draft import inspect_draft
from wizard.errors import WizardError
from wizard.registry.checks import check_files
from wizard.registry.index import (
    RegistryIndex,
    folders_in_use,
    parse_index,
    ports_in_use,
)
from wizard.service.json_input import parse_json
from wizard.service.specs import parse_spec_text
from wizard.settings import build_settings

JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)
KEYS = ["id", "name", "interfaces", "dockerImages", "defaultPort", "defaultExternalPort", "modelInfo", "gpu", "size",
        "image", "memoryRequirements", "services", "answers", "version", "step", "offline", "upstream", "api_url",
        "insecure_registries", "envVariables", "promptTemplate"]
NEAR = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**400), max_value=10**400), st.floats(),
              st.text(max_size=12), st.sampled_from(["chat", "\x1b[2J", "ghcr.io/a/b:1", "8 GiB", "²"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
    max_leaves=25)
SPECIAL = st.sampled_from(["[" * 100_000, "{\"a\":" * 50_000, "9" * 5000, "1e400", "NaN", "-Infinity",
                           '{"id": 1, "id": 2}', "\ufeff{}", "\x00", "a = " + "[" * 5000, "a: &x [*x]",
                           "services:\n  - name: x\n    name: y\n", "[[services]]\n" * 3])


def _text(value) -> str:
    try:
        return json.dumps(value, allow_nan=True)
    except ValueError:  # an integer Python will not write
        return "0"


TEXTS = st.one_of(st.text(max_size=300), SPECIAL, JSON_VALUES.map(_text), NEAR.map(_text),
                  st.binary(max_size=200).map(lambda b: b.decode("utf-8", "replace")))


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, kind=st.sampled_from(["json", "toml", "yaml"]))
def test_a_spec_file_parses_or_is_a_named_error(text, kind):
    try:
        parse_spec_text(text, kind, "spec")
    except WizardError:
        pass


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, duplicates=st.booleans())
def test_json_from_outside_parses_or_is_a_named_error(text, duplicates):
    try:
        parse_json(text, "file.json", duplicates=duplicates)
    except WizardError:
        pass


@settings(max_examples=300, deadline=None)
@given(data=st.one_of(TEXTS.map(str.encode), st.binary(max_size=300)))
def test_an_index_parses_or_is_a_named_error_and_what_it_gives_can_be_used(data):
    try:
        entries = parse_index(data, "index.json")
    except WizardError:
        return
    index = RegistryIndex(tuple(entries), "index.json", 0.0)
    folders_in_use(index), ports_in_use(index)  # the checks that read every entry


@settings(max_examples=300, deadline=None)
@given(manifest=st.one_of(TEXTS.map(str.encode), st.binary(max_size=300)),
       readme=st.one_of(st.none(), st.binary(max_size=100), st.text(max_size=100).map(str.encode)),
       logo=st.one_of(st.none(), st.binary(max_size=100), st.sampled_from([
           b"<svg xmlns='http://www.w3.org/2000/svg' onload='x'/>", b"<svg><script/></svg>", b"<!DOCTYPE svg>"])))
def test_a_folder_of_anything_is_judged_without_a_crash(tmp_path_factory, manifest, readme, logo):
    from pathlib import Path

    report = check_files(Path("chat-x"), {"manifest.json": manifest, "README.md": readme, "logo.svg": logo})
    for finding in report.findings:
        assert "\x1b" not in str(finding)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_a_config_file_of_anything_is_read_or_named(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        build_settings({}, environ={}, path=path)
    except WizardError as error:
        assert error.exit_code == 2


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, payload=NEAR)
def test_a_draft_of_anything_is_read_or_said_unreadable(tmp_path_factory, text, payload):
    folder = tmp_path_factory.mktemp("draft")
    for content in (text, _text({"version": 1, **payload} if isinstance(payload, dict) else payload)):
        path = folder / "draft.json"
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
        draft, why = inspect_draft(path)
        assert (draft is None) == (why is not None) or (draft is None and why is None and not path.exists())
