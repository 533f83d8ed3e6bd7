"""`prem-new-service schema` and `validate` agree on which manifests they accept, for every rule the schema says.

Manifests are built from the field table (a field present where its `when` holds, required ones always), then one
thing is broken: a value of another type, a number out of range, text that misses its pattern, a key left out, or a
condition turned around (chat vs vector store, docker vs binary, coming soon). Three judges read each: the JSON
Schema, the manifest model, and `validate`'s checks of the folder's files held in memory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, validators

from tests.core.conftest import EXAMPLES
from wizard.errors import InvalidInput
from wizard.registry.checks import check_files
from wizard.service.fields import BY_KEY, FIELDS, Field
from wizard.service.manifest import validate_manifest, value_at
from wizard.service.rules import (
    DEVICES,
    ENV_NAME,
    ID_MAX,
    ID_PATTERN,
    INTERFACES,
    MEMORY_MAX_MIB,
    SIZE_MAX,
    TOKENS_MAX,
)
from wizard.service.schema import manifest_json_schema

# JSON Schema calls 8000.0 an integer (a number whose fraction is zero). The Prem Daemon reads manifest.json with
# Python, where 8000.0 is a float, not a port nor a size, and the manifest's rules refuse it. This validator's
# "integer" is Python's: an int that is not a bool. Everything else is Draft 2020-12 as published.
PYTHON_INTEGER = Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool))
DaemonValidator = validators.extend(Draft202012Validator, type_checker=PYTHON_INTEGER)
SCHEMA = manifest_json_schema()
SCHEMA_VALIDATOR = DaemonValidator(SCHEMA)
# built apart: the first three decide which other fields are asked and required; images go under dockerImages
APART = {"interfaces", "service_type", "coming_soon", *(f"{d}_{what}" for d in DEVICES for what in ("image", "size"))}


# --- the three judges ---------------------------------------------------------------------------


def schema_errors(doc: dict[str, Any]) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path)) or 'manifest'}: {e.message}"[:200]
            for e in SCHEMA_VALIDATOR.iter_errors(doc)]


def model_problems(doc: dict[str, Any]) -> list[str]:
    try:
        validate_manifest(doc)
    except InvalidInput as error:
        return list(error.problems)
    return []


def validate_errors(doc: dict[str, Any]) -> list[str]:
    """`validate`'s errors on manifest.json, read from memory; the folder's name (an error of the folder, which
    the schema cannot see) and the other files are not the manifest's business."""
    files = {"manifest.json": json.dumps(doc, indent=4, ensure_ascii=False).encode("utf-8")}
    report = check_files(Path("service"), files)
    return [f.message for f in report.findings if f.severity == "error" and f.path.endswith("manifest.json")]


def verdicts(doc: dict[str, Any]) -> tuple[bool, bool, bool, str]:
    schema, model, found = schema_errors(doc), model_problems(doc), validate_errors(doc)
    why = f"\nschema: {schema}\nmodel: {model}\nvalidate: {found}\nmanifest: {json.dumps(doc)[:1500]}"
    return not schema, not model, not found, why


# --- valid values, from the table ---------------------------------------------------------------


def text(low: int, high: int) -> st.SearchStrategy[str]:
    """Text a line_of_text rule takes: no control character, no blank edges."""
    alphabet = st.characters(blacklist_categories=("Cc", "Cs"))
    return st.text(alphabet, min_size=low, max_size=min(high, low + 40)).filter(lambda s: s == s.strip() and s)


def no_control(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return strategy.filter(lambda s: not any("\x00" <= c <= "\x1f" or "\x7f" <= c <= "\x9f" for c in s))


URL = no_control(st.from_regex(r"https?://[^\s/]{1,20}(?:/\S{0,20})?", fullmatch=True))
POSITIVE = st.one_of(st.integers(1, 10**12),
                     st.floats(min_value=0, exclude_min=True, max_value=1e12, allow_nan=False, allow_infinity=False))
VALID: dict[str, st.SearchStrategy[Any]] = {
    "id": st.from_regex(f"{ID_PATTERN}", fullmatch=True).filter(lambda s: len(s) <= ID_MAX),
    "name": text(2, 60),
    "description": text(20, 1000),
    "gpu_image": st.tuples(  # host, path, tag, digest: REFERENCE_PATTERN's parts (from_regex on it all is slow)
        st.sampled_from(["", "ghcr.io/", "localhost:5000/", "127.0.0.1:5000/", "[::1]:5000/", "docker.io/"]),
        st.lists(st.from_regex(r"[a-z0-9]{1,6}(?:(?:[._]|__|-+)[a-z0-9]{1,6})?", fullmatch=True), min_size=1,
                 max_size=3).map("/".join),
        st.one_of(st.just(""), st.from_regex(r":[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}", fullmatch=True)),
        st.sampled_from(["", "@sha256:" + "a" * 64]),
    ).map("".join),
    "gpu_size": st.integers(1, SIZE_MAX),
    "memory": st.integers(1, MEMORY_MAX_MIB),
    "tokens_per_second": st.one_of(st.integers(1, TOKENS_MAX), st.just("Variable"),
                                   st.floats(min_value=0, exclude_min=True, max_value=TOKENS_MAX, allow_nan=False)),
    **dict.fromkeys(["port", "external_port"], st.integers(1, 65535)),
    "volume_path": text(1, 40).map(lambda s: "/" + s),
    "env_variables": st.lists(st.tuples(st.from_regex(ENV_NAME, fullmatch=True), no_control(st.text(max_size=10)))
                              .map("=".join), max_size=3),
    "command": text(1, 4000),
    "exec_commands": st.lists(no_control(st.text(min_size=1, max_size=20)).filter(str.strip), max_size=3),
    **dict.fromkeys(["documentation", "icon", "petals_id", "weights_name"], st.text(max_size=30)),
    "banner": st.one_of(st.none(), st.text(max_size=30)),
    **dict.fromkeys(["seconds_per_image", "weights_size", "max_ctx_tokens"], POSITIVE),
    "version": text(1, 64),
    "weights_directory_url": URL,
    "weights_files": st.lists(no_control(st.text(min_size=1, max_size=20)), max_size=3),
    "binaries_url": st.dictionaries(st.text(max_size=20), st.one_of(st.none(), URL), max_size=3)
                      .flatmap(lambda d: URL.map(lambda url: {**d, "x86_64-unknown-linux-gnu": url})),
    "serve_command": text(1, 4000),
}
FLAGS = {f.key for f in FIELDS if f.schema == {"type": "boolean"}}


def valid_value(field: Field) -> st.SearchStrategy[Any]:
    """A value the field's rule takes: its own strategy here, else (a field added later) its example, read."""
    key = field.key.replace("cpu_", "gpu_")
    return st.booleans() if key in FLAGS else VALID[key] if key in VALID else st.just(field.read(field.example))


def put(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = doc
    for part in parents:
        node[part] = node[part] if isinstance(node.get(part), dict) else {}
        node = node[part]
    node[last] = value


def remove(doc: dict[str, Any], path: str) -> None:
    parent, _, last = path.rpartition(".")
    node = value_at(doc, parent) if parent else doc
    if isinstance(node, dict):
        node.pop(last, None)


@st.composite
def manifests(draw) -> dict[str, Any]:
    interfaces = draw(st.lists(st.sampled_from(list(INTERFACES)), min_size=1, max_size=3, unique=True))
    service_type = draw(st.sampled_from([None, "docker", "binary"]))  # None: left out, which means docker
    coming_soon = draw(st.sampled_from([None, False, True]))
    doc: dict[str, Any] = {}
    for field in FIELDS:
        if field.key in APART:
            continue
        needed = field.required is not None and field.required.holds(interfaces, service_type, coming_soon)
        if needed or (field.when.holds(interfaces, service_type, coming_soon) and draw(st.booleans())):
            put(doc, field.path, draw(valid_value(field)))
    doc["interfaces"] = interfaces
    doc.setdefault("modelInfo", {})  # every manifest has one: the Prem Daemon reads it of every service
    doc |= {key: value for key, value in (("serviceType", service_type), ("comingSoon", coming_soon))
            if value is not None}
    devices = draw(st.lists(st.sampled_from(DEVICES), min_size=service_type != "binary", unique=True))
    for device in devices:
        doc.setdefault("dockerImages", {})[device] = {"size": draw(valid_value(BY_KEY[f"{device}_size"])),
                                                      "image": draw(valid_value(BY_KEY[f"{device}_image"]))}
    unknown = ["bannerUrl", *(f"{container}.x" for container in ("modelInfo", *(f"dockerImages.{d}" for d in devices))
                              if value_at(doc, container))]
    if draw(st.booleans()):  # unknown keys are kept and warned about, never refused
        put(doc, draw(st.sampled_from(unknown)), "x")
    return doc


# --- breaking one thing -------------------------------------------------------------------------

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=10)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)
NUMBERS = st.sampled_from([0, -1, 1, 65535, 65536, 8000.0, 0.5, 2**63 - 1, 2**63, MEMORY_MAX_MIB,
                           MEMORY_MAX_MIB + 1, TOKENS_MAX, TOKENS_MAX + 1, 1e300, True, False, "8000", "Variable"])
TEXT_BREAKS = st.sampled_from([
    lambda s: s + "\n", lambda s: "\n" + s, lambda s: " " + s, lambda s: s + " ", lambda s: s + "\x00",
    lambda s: s[:1] + "\x1b[2J" + s[1:], lambda s: s + "\x85", lambda s: s.upper(), lambda s: s + "!",
    lambda s: s.replace("-", "--"), lambda s: "-" + s, lambda s: "", lambda s: "  ", lambda s: s * 70,
    lambda s: s + "\u00a0", lambda s: s + "\u2028x", lambda s: s[:-1], lambda s: s[:1],
])


@st.composite
def broken_manifests(draw) -> dict[str, Any]:
    doc = draw(manifests())
    field = draw(st.sampled_from(FIELDS))
    path, images = field.path, doc.get("dockerImages") or {}
    if path.startswith("dockerImages.") and images:  # an image the manifest has
        path = f"dockerImages.{draw(st.sampled_from(sorted(images)))}.{field.manifest_key}"
    how = draw(st.sampled_from(["type", "number", "text", "list item", "missing", "condition"]))
    event(f"break {how}")
    current = value_at(doc, path)
    if how == "type":
        put(doc, path, draw(ANY_JSON))
    elif how == "number":
        put(doc, path, draw(NUMBERS))
    elif how == "text":
        put(doc, path, draw(TEXT_BREAKS)(current if isinstance(current, str) and current else "abc-1"))
    elif how == "list item":
        item = draw(st.one_of(ANY_JSON, TEXT_BREAKS.map(lambda b: b("A_B=c"))))
        put(doc, path, [*(current if isinstance(current, list) else []), item])
    elif how == "missing":
        remove(doc, path)
    else:
        change(doc, *draw(st.sampled_from(CONDITIONS)))
    return doc


GONE = object()  # the key left out
# what makes a field required (or refused), turned around: (path, value)
CONDITIONS = [
    ("interfaces", ["chat"]), ("interfaces", ["vector-store"]), ("interfaces", ["coder"]), ("interfaces", "chat"),
    ("serviceType", "binary"), ("serviceType", "docker"), ("serviceType", GONE), ("serviceType", "podman"),
    ("comingSoon", True), ("comingSoon", False), ("dockerImages", GONE), ("dockerImages", {}), ("dockerImages", None),
    ("dockerImages.tpu", {"size": 1, "image": "ghcr.io/x/y:1"}), ("dockerImages.gpu", "x"), ("dockerImages.cpu", {}),
    ("modelInfo.memoryRequirements", GONE), ("modelInfo", GONE), ("modelInfo", []), ("modelInfo", None),
]


def change(doc: dict[str, Any], path: str, value: Any) -> None:
    remove(doc, path) if value is GONE else put(doc, path, value)


# --- the tests ----------------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    json.dumps(SCHEMA)  # plain JSON, as `prem-new-service schema` prints it


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(manifests())
def test_manifests_built_from_the_table_pass_all_three(doc):
    schema, model, found, why = verdicts(doc)
    assert schema and model and found, why


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(broken_manifests())
def test_schema_model_and_validate_agree_on_broken_manifests(doc):
    schema, model, found, why = verdicts(doc)
    event("accepted" if schema else "refused")
    assert schema == model == found, why


# the conditional rules, one by one: each refused or accepted by all three alike

CHAT = json.loads((EXAMPLES / "chat-dolly-v2-12b" / "manifest.json").read_text(encoding="utf-8"))
BINARY = json.loads((EXAMPLES / "vector-store-qdrant-binary" / "manifest.json").read_text(encoding="utf-8"))


def changed(base: dict[str, Any], *changes: str | tuple[str, Any]) -> dict[str, Any]:
    """A copy of ``base`` with each change: a path (left out) or a (path, value)."""
    doc = json.loads(json.dumps(base))
    for one in changes:
        change(doc, *((one, GONE) if isinstance(one, str) else one))
    return doc


NO_MEMORY = "modelInfo.memoryRequirements"


@pytest.mark.parametrize(("doc", "accepted"), [
    (CHAT, True), (changed(CHAT, NO_MEMORY), False),  # a chat model says how much memory it needs
    (changed(CHAT, NO_MEMORY, ("interfaces", ["vector-store"])), True),  # a vector store need not
    (changed(CHAT, NO_MEMORY, ("comingSoon", True)), True), (changed(CHAT, NO_MEMORY, ("comingSoon", False)), False),
    (changed(CHAT, "modelInfo"), False), (changed(CHAT, "dockerImages"), False),  # a docker service needs an image
    (changed(CHAT, ("dockerImages", {})), False), (changed(CHAT, ("dockerImages", None)), False),
    (changed(CHAT, ("dockerImages.tpu", {"size": 1, "image": "ghcr.io/x/y:1"})), False),  # no such device
    (changed(CHAT, "dockerImages.gpu.size"), False),  # the daemon compares the size with the free disk
    (changed(CHAT, "dockerImages.gpu.image"), False), (changed(CHAT, ("dockerImages.gpu.size", 4.0e10)), False),
    (changed(CHAT, "defaultPort"), False),  # the container port the daemon publishes
    (changed(CHAT, ("defaultPort", 8000.0)), False), (changed(CHAT, ("defaultPort", "8000")), False),
    (changed(CHAT, ("serviceType", "docker")), True), (changed(CHAT, ("serviceType", "podman")), False),
    (BINARY, True), (changed(BINARY, "binariesUrl"), False),  # no image nor container port, but a download
    (changed(BINARY, ("binariesUrl", {"x86_64-apple-darwin": None})), False),
    (changed(BINARY, ("binariesUrl", {})), False),
    (changed(BINARY, ("binariesUrl.x86_64-apple-darwin", "ftp://example.invalid/q")), False),
    (changed(BINARY, "serviceType"), False),  # without its type it is a docker service with no image
    (changed(BINARY, ("dockerImages", {})), True), (changed(BINARY, ("dockerImages", None)), False),
    (changed(BINARY, ("interfaces", ["chat"])), False),  # a binary chat model still says its memory
    (changed(BINARY, ("id", "qdrant\n")), False),  # a final newline slips past "^...$" in Python's re
    (changed(BINARY, ("name", "Qdrant\n")), False), (changed(BINARY, ("weightsFiles", ["model.bin\n"])), False),
    (changed(BINARY, ("weightsDirectoryUrl", "https://example.invalid/w\n")), False),
])
def test_conditional_rules_agree(doc, accepted):
    schema, model, found, why = verdicts(doc)
    assert (schema, model, found) == (accepted, accepted, accepted), why


def test_a_float_port_is_an_integer_to_plain_json_schema_only():
    doc = changed(CHAT, ("defaultPort", 8000.0))
    assert Draft202012Validator(SCHEMA).is_valid(doc)  # why the test uses the daemon's reading of "integer"
    assert not SCHEMA_VALIDATOR.is_valid(doc)
    assert any("write 8000, without the decimal point" in p for p in model_problems(doc))
