"""The Prem Daemon's contract as `validate` errors: each message says what the daemon does with the value.

premAI-io/prem-daemon runs get_service_object over every service on each GET /v1/services/ and checks the answer
against ServiceResponse; a KeyError or TypeError there is an HTTP 500 for every user of the registry."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.registry.conftest import DEV
from wizard.registry.checks import check_files, validate_paths
from wizard.registry.daemon import NEEDS
from wizard.service.schema import manifest_json_schema

BARK = json.loads((DEV / "text-to-audio-bark" / "manifest.json").read_text())  # a gpu and a cpu image
QDRANT_BINARY = json.loads((DEV / "vector-store-qdrant-binary" / "manifest.json").read_text())
EVERYONE = "so GET /v1/services/ fails (HTTP 500) for every user of the registry"
GPU_MACHINES = "so GET /v1/services/ fails (HTTP 500) on every machine with a GPU"
CPU_MACHINES = "so GET /v1/services/ fails (HTTP 500) on every machine that runs the CPU image"


def changed(base: dict[str, Any], change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    data = copy.deepcopy(base)
    change(data)
    return data


def drop(*path: str) -> Callable[[dict[str, Any]], None]:
    def change(data):
        node = data
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]
    return change


def put(value: Any, *path: str) -> Callable[[dict[str, Any]], None]:
    def change(data):
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    return change


RULES = [
    # (what is broken, the change, the whole message or the start of the rule's part, the daemon's part)
    ("modelInfo missing", drop("modelInfo"), ('modelInfo is missing: what the service needs to run, an object such '
     'as {"memoryRequirements": 24576} ({} when nothing is known)'),
     f'the Prem Daemon reads service["modelInfo"] for every service, {EVERYONE}'),
    ("modelInfo a list", put([], "modelInfo"), "modelInfo must be an object { ... }",
     f'the Prem Daemon reads service["modelInfo"] for every service, {EVERYONE}'),
    ("memory as text", put("24 GiB", "modelInfo", "memoryRequirements"),
     ("modelInfo.memoryRequirements: memoryRequirements is text '24 GiB'; the manifest stores a whole number of MiB, "
     "like 24576; write 24576, without quotes"),
     f"the Prem Daemon compares modelInfo.memoryRequirements (MiB) with the free memory as a number, {EVERYONE}"),
    ("interfaces as text", put("text-to-audio", "interfaces"), ('interfaces: the interfaces are text; give a list, '
     'e.g. ["chat"]'), ('the Prem Daemon filters services with `interface in service["interfaces"]` and answers them '
     f"as a list of text, {EVERYONE}")),
    ("interfaces missing", drop("interfaces"), "interfaces is missing: what the service speaks",
     'the Prem Daemon filters services with `interface in service["interfaces"]`'),
    ("defaultPort missing", drop("defaultPort"), ("defaultPort is missing: the port the service listens on inside its "
     "container (keep 8000 if you can) (needed for services that run as a Docker image)"),
     f"the Prem Daemon answers with defaultPort as an int and publishes it as the container's port, {EVERYONE}"),
    ("defaultPort as text", put("8000", "defaultPort"), ("defaultPort: '8000' is text; a port is a whole number from "
     "1 to 65535, like 8000; write 8000, without quotes"),
     f"the Prem Daemon answers with defaultPort as an int and publishes it as the container's port, {EVERYONE}"),
    ("defaultExternalPort missing", drop("defaultExternalPort"), ("defaultExternalPort is missing: the port on the "
     "user's machine"), ("the Prem Daemon answers with defaultExternalPort as an int and binds the service to it on "
     f"the user's machine, {EVERYONE}")),
    ("defaultExternalPort as a float", put(8339.0, "defaultExternalPort"), ("defaultExternalPort: '8339.0' is a "
     "number; a port is a whole number"), "the Prem Daemon answers with defaultExternalPort as an int"),
    ("dockerImages missing", drop("dockerImages"), ("dockerImages: give at least one Docker image: dockerImages.gpu "
     "or dockerImages.cpu"), f'the Prem Daemon reads service["dockerImages"] for every service, {EVERYONE}'),
    ("dockerImages empty", put({}, "dockerImages"), "dockerImages: give at least one Docker image",
     ('the Prem Daemon runs dockerImages["gpu"] on machines with a GPU and dockerImages["cpu"] on the others, so Prem '
     "lists the service as not supported and nobody can install it")),
    ("an image as text", put("ghcr.io/x/y:1", "dockerImages", "gpu"), "dockerImages.gpu must be an object { ... }",
     f'the Prem Daemon reads dockerImages["gpu"]["image"] and ["size"], {GPU_MACHINES}'),
    ("image missing", drop("dockerImages", "gpu", "image"), "dockerImages.gpu.image is missing: the image Prem runs",
     f'the Prem Daemon takes dockerImages["gpu"]["image"] and splits it at ":", {GPU_MACHINES}'),
    ("image a number", put(5, "dockerImages", "cpu", "image"), ("dockerImages.cpu.image: the image reference is a "
     "number; it must be text"), (f'the Prem Daemon takes dockerImages["cpu"]["image"] and splits it at ":", '
     f"{CPU_MACHINES}")),
    ("size as text", put("12 GB", "dockerImages", "gpu", "size"), ("dockerImages.gpu.size: the image size is text "
     "'12 GB'; the manifest stores a whole number of bytes"), ('the Prem Daemon compares dockerImages["gpu"]["size"] '
     f"(bytes) with the free disk as a number, {GPU_MACHINES}")),
    ("size missing", drop("dockerImages", "cpu", "size"), "dockerImages.cpu.size is missing",
     f'the Prem Daemon compares dockerImages["cpu"]["size"] (bytes) with the free disk as a number, {CPU_MACHINES}'),
    ("id a number", put(7, "id"), "id: the id is a number; it must be text",
     f'the Prem Daemon keys every service by service["id"] and answers it as text, {EVERYONE}'),
    ("name a number", put(7, "name"), "name: the name is a number; it must be text",
     f"the Prem Daemon answers GET /v1/services/ with each service's name as text, {EVERYONE}"),
]


@pytest.mark.parametrize(("change", "rule", "daemon"), [rule[1:] for rule in RULES], ids=[rule[0] for rule in RULES])
def test_each_rule_is_an_error_naming_the_daemon_behaviour(change, rule, daemon):
    found = _errors_in(changed(BARK, change), "text-to-audio-bark")
    with_daemon = [message for message in found if daemon in message]
    assert len(with_daemon) == 1, found
    (message,) = with_daemon
    # the rule's own message (what to write) first, then what the daemon does and what then fails
    assert message.startswith(rule), message
    assert message.endswith((EVERYONE, GPU_MACHINES, CPU_MACHINES, "nobody can install it")), message


def _errors_in(data: dict[str, Any], folder: str) -> list[str]:
    report = check_files(Path(folder), {"manifest.json": json.dumps(data, indent=4).encode()})
    return [f.message for f in report.findings if f.severity == "error" and f.path.endswith("manifest.json")]


def test_a_vector_store_without_modelinfo_is_an_error_too():
    """No memory rule covers a vector store, so the contract alone says it; the schema agrees."""
    data = changed(json.loads((DEV / "vector-store-qdrant" / "manifest.json").read_text()), drop("modelInfo"))
    (message,) = _errors_in(data, "vector-store-qdrant")
    assert message.startswith("modelInfo is missing: ") and message.endswith(
        f'the Prem Daemon reads service["modelInfo"] for every service, {EVERYONE}')
    assert "modelInfo" in manifest_json_schema()["required"]


def test_a_binary_service_needs_no_image_nor_ports_from_the_daemon():
    assert _errors_in(QDRANT_BINARY, "vector-store-qdrant-vector-db-binary") == []
    data = changed(QDRANT_BINARY, drop("modelInfo"))
    assert [m.split(":")[0] for m in _errors_in(data, "vector-store-qdrant-vector-db-binary")] == [
        "modelInfo is missing"]


def test_a_memory_left_out_breaks_nothing_in_the_daemon():
    """The daemon asks `"memoryRequirements" in modelInfo` first: leaving it out is the field rule's business."""
    (message,) = _errors_in(changed(BARK, drop("modelInfo", "memoryRequirements")), "text-to-audio-bark")
    assert message.startswith("modelInfo.memoryRequirements is missing") and "Prem Daemon" not in message


def test_every_need_of_the_contract_has_a_test_here():
    tested = {"modelInfo", "modelInfo.memoryRequirements", "interfaces", "defaultPort", "defaultExternalPort",
              "dockerImages", "id", "name", *(f"dockerImages.{d}{part}" for d in ("gpu", "cpu")
                                              for part in ("", ".image", ".size"))}
    assert {need.path for need in NEEDS} == tested


def test_duplicate_ids_are_errors_naming_the_daemon(tmp_path):
    for name in ("text-to-audio-bark", "chat-dolly-v2-12b"):
        (tmp_path / name).mkdir()
        for file in ("manifest.json", "README.md", "logo.svg"):
            (tmp_path / name / file).write_bytes((DEV / name / file).read_bytes())
    data = json.loads((tmp_path / "chat-dolly-v2-12b" / "manifest.json").read_text())
    (tmp_path / "chat-dolly-v2-12b" / "manifest.json").write_text(json.dumps({**data, "id": "bark"}, indent=4))
    found = [f.message for f in validate_paths([tmp_path]) if "also used by" in f.message]
    assert found == [
        ("id 'bark' is also used by text-to-audio-bark; ids must be unique: the Prem Daemon keeps the first service "
        "with an id and skips every later one, so only one of them is ever listed"),
        ("id 'bark' is also used by chat-dolly-v2-12b; ids must be unique: the Prem Daemon keeps the first service "
        "with an id and skips every later one, so only one of them is ever listed"),
    ]
