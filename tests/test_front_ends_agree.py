"""Issue 9, done when: the same answers given to `new` (flags), to `new --from SPEC`, to the plain prompts and
to the Textual app give byte-identical service folders (the folder's name and every file's bytes).

Each case is given once, as the answers a spec file holds; the flags and the spec file are made from them
through the field table, and the prompts and the app type the same answers as a person would. Everything
that could differ between runs is fixed: offline settings, sizes given, one upstream index (the snapshot)
and an explicit external port.
"""

from __future__ import annotations

import asyncio
import difflib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.prompts import script
from tests.prompts.conftest import DEFAULT, SNAPSHOT, FakeQuestionary
from tests.tui.conftest import FakeNetwork
from tests.tui.flows import (
    next_step,
    paste_into,
    press,
    settle,
    tick,
    type_into,
    type_lines,
)
from wizard.cli import main
from wizard.draft import load_draft
from wizard.prompts import run_plain
from wizard.registry.index import load_index, port_collision
from wizard.service.fields import BY_KEY
from wizard.service.plan import PlanContext, plan_service
from wizard.settings import build_settings
from wizard.tui.app import WizardApp

FILES = ("README.md", "logo.svg", "manifest.json")
QDRANT_ENV = ["QDRANT__SERVICE__GRPC_PORT=6334", "QDRANT__LOG_LEVEL=INFO"]
DOCS_GENERATED = [("README.md", "generated"), ("logo.svg", "generated")]

# What the chat case answers: chat with tokens per second 18, then embeddings; flags and spec give it at once.
CHAT = {
    "name": "Front Ends Agree", "description": "Dolly v2 12B, an instruction-following model by Databricks.",
    "interfaces": ["embeddings"], "gpu_image": script.GPU_IMAGE, "gpu_size": script.GPU_SIZE, "memory": "24 GiB",
    "tokens_per_second": 18, "external_port": 8999,
}  # fmt: skip
VECTOR_STORE = {
    "name": "Qdrant Agree", "description": "Qdrant, a vector database for similarity search, served by Prem.",
    "interfaces": ["vector-store"], "gpu_image": "qdrant/qdrant:v1.7.4", "gpu_size": 61234567, "port": 6333,
    "external_port": 8998, "volume_path": "/qdrant/storage", "env_variables": QDRANT_ENV,
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    answers: dict[str, Any]  # as a spec file holds them; the flags are made from them
    prompts: Callable[[dict[str, Any]], list[tuple[str, Any]]]  # the script of the plain prompts
    tui: Callable[[Any, dict[str, Any]], Awaitable[None]]  # the app, from its first step to the review
    manifest: dict[str, Any]  # what the written manifest holds under these keys
    dropped: tuple[str, ...] = ()  # answers left out, each with a note


@dataclass(frozen=True)
class Written:
    folder: str  # the service folder's name
    files: dict[str, bytes]
    said: str  # what the contributor was shown: stderr, the printed lines, the review and preview text


@pytest.fixture(scope="module")
def index():
    return asyncio.run(load_index(str(SNAPSHOT)))


def offline_settings(tmp_path: Path, out: Path):
    return build_settings({"index_url": str(SNAPSHOT), "out": str(out), "offline": True}, environ={},
                          path=tmp_path / "no-config.toml")


def read_folder(out: Path) -> tuple[str, dict[str, bytes]]:
    (folder,) = out.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == list(FILES)
    return folder.name, {name: (folder / name).read_bytes() for name in FILES}


# --- new (flags) and new --from SPEC ---------------------------------------------------------------


def as_flags(answers: dict[str, Any]) -> list[str]:
    """The answers as `new` takes them, each flag from the table; a list repeats its flag."""
    argv = []
    for key, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            argv += [BY_KEY[key].flag, str(item)]
    return argv


def as_toml(answers: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        return f"[{', '.join(map(value, v))}]" if isinstance(v, list) else json.dumps(v)  # ASCII: TOML strings

    return "".join(f"{key} = {value(v)}\n" for key, v in answers.items())


def run_new(argv: list[str], out: Path, capsys) -> Written:
    capsys.readouterr()
    assert main(["new", *argv, "--offline", "--index", str(SNAPSHOT), "--out", str(out)]) == 0
    return Written(*read_folder(out), capsys.readouterr().err)


def with_flags(case: Case, tmp_path: Path, index, capsys) -> Written:
    return run_new(as_flags(case.answers), tmp_path / "flags", capsys)


def with_spec(case: Case, tmp_path: Path, index, capsys) -> Written:
    (spec := tmp_path / "spec.toml").write_text(as_toml(case.answers), encoding="utf-8")
    return run_new(["--from", str(spec)], tmp_path / "spec", capsys)


# --- the plain prompts -------------------------------------------------------------------------------


def with_prompts(case: Case, tmp_path: Path, index, capsys) -> Written:
    out = tmp_path / "prompts"
    printed: list[str] = []
    ask = FakeQuestionary(*case.prompts(case.answers), ("Folder to write", str(out)),
                          ("Test the service now?", False))
    sizes = script.FakeSizes({})  # asked for nothing: offline, the sizes are typed
    assert run_plain(offline_settings(tmp_path, out), ask=ask, index=index, look_up_size=sizes, out=printed.append) == 0
    assert ask.done(), f"questions left unasked: {list(ask.steps)}"
    assert ask.refused == [] and sizes.asked == [], "every answer taken as typed, nothing looked up offline"
    return Written(*read_folder(out), "\n".join(printed))


def prompt_identity(answers: dict[str, Any]) -> list[tuple[str, Any]]:
    return [("Name", answers["name"]), ("Id", DEFAULT), ("Description", answers["description"]), ("Beta", DEFAULT)]


def prompt_images(answers: dict[str, Any]) -> list[tuple[str, Any]]:  # offline: the size is typed
    return [("GPU image", answers["gpu_image"]), ("GPU image size", str(answers["gpu_size"])), ("CPU image", "")]


def prompts_chat_then_embeddings(answers: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        *prompt_identity(answers), ("Interfaces", ["chat"]), *prompt_images(answers),
        ("Memory: how much", "know"), ("Memory", answers["memory"]),
        ("Tokens per second", str(answers["tokens_per_second"])), ("Port", DEFAULT),
        ("External port", str(answers["external_port"])),
        ("Set how the service runs?", False), *DOCS_GENERATED,
        ("What next?", "interfaces"), ("Interfaces", answers["interfaces"]), ("What next?", "write"),
    ]  # fmt: skip


def prompts_vector_store(answers: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        *prompt_identity(answers), ("Interfaces", answers["interfaces"]), *prompt_images(answers),
        ("Memory", ""), ("Port", str(answers["port"])), ("External port", str(answers["external_port"])),
        ("Set how the service runs?", True), ("Volume path", answers["volume_path"]),
        ("Environment variables", "\n".join(answers["env_variables"])), ("Command", ""),
        ("Commands after start", ""), ("Skip health check", DEFAULT), ("Coming soon", DEFAULT),
        *DOCS_GENERATED, ("What next?", "write"),
    ]  # fmt: skip


# --- the Textual app ---------------------------------------------------------------------------------


def with_tui(case: Case, tmp_path: Path, index, capsys) -> Written:
    out = tmp_path / "tui"
    app = WizardApp(offline_settings(tmp_path, out), services=FakeNetwork().services(SNAPSHOT), offer_resume=False)
    said: list[str] = []

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await case.tui(pilot, case.answers)
            assert app.screen.NAME == "review"
            said.append(str(app.screen.query_one("#review-notes").render()))
            await pilot.press("f2")
            await settle(pilot)
            said.extend(f"Note: {note}" for note in app.screen.query_one("#preview").shown_notes)
            await next_step(pilot)
            assert app.screen.NAME == "publish"
            await paste_into(pilot, "#out-dir", str(out))
            await press(pilot, "#write")
            said.append(str(app.screen.query_one("#write-note").render()))

    asyncio.run(drive())
    assert said[-1].startswith("✔ Wrote"), said[-1]
    return Written(*read_folder(out), "\n".join(said))


async def tui_identity(pilot, answers: dict[str, Any]) -> None:
    await type_into(pilot, "#input-name", answers["name"])
    await paste_into(pilot, "#input-description", answers["description"])  # a sentence is pasted, not typed
    await next_step(pilot)


async def tui_images(pilot, answers: dict[str, Any]) -> None:
    await paste_into(pilot, "#input-gpu_image", answers["gpu_image"])
    await type_into(pilot, "#input-gpu_size", str(answers["gpu_size"]))
    await next_step(pilot)


async def through(pilot, *steps: str) -> None:
    for step in steps:
        assert pilot.app.screen.NAME == step
        await next_step(pilot)


async def tui_chat_then_embeddings(pilot, answers: dict[str, Any]) -> None:
    await tui_identity(pilot, answers)
    await tick(pilot, "chat")
    await next_step(pilot)
    await tui_images(pilot, answers)
    await type_into(pilot, "#input-memory", answers["memory"])
    await type_into(pilot, "#input-tokens_per_second", str(answers["tokens_per_second"]))
    await type_into(pilot, "#input-external_port", str(answers["external_port"]))
    for _ in ("images", "interfaces"):  # back, as a person changing their mind does
        await pilot.press("ctrl+b")
        await settle(pilot)
    assert pilot.app.screen.NAME == "interfaces"
    await tick(pilot, "chat")  # unticked
    for interface in answers["interfaces"]:
        await tick(pilot, interface)
    await through(pilot, "interfaces", "images")
    assert not pilot.app.screen.query_one("#field-tokens_per_second").display, "asked of chat and coder only"
    await through(pilot, "resources", "running", "docs")


async def tui_vector_store(pilot, answers: dict[str, Any]) -> None:
    await tui_identity(pilot, answers)
    for interface in answers["interfaces"]:
        await tick(pilot, interface)
    await next_step(pilot)
    await tui_images(pilot, answers)
    await type_into(pilot, "#input-port", str(answers["port"]))
    await type_into(pilot, "#input-external_port", str(answers["external_port"]))
    await next_step(pilot)  # memory left out: optional for a vector store
    await type_into(pilot, "#input-volume_path", answers["volume_path"])
    await type_lines(pilot, "#input-env_variables", answers["env_variables"])
    await through(pilot, "running", "docs")


# --- the test ----------------------------------------------------------------------------------------


CASES = {
    "chat-switched-to-embeddings": Case(
        CHAT, prompts_chat_then_embeddings, tui_chat_then_embeddings, dropped=("tokens_per_second",),
        manifest={"interfaces": ["embeddings"], "modelInfo": {"memoryRequirements": 24576},
                  "defaultExternalPort": 8999}),
    "vector-store-with-volume-and-env": Case(
        VECTOR_STORE, prompts_vector_store, tui_vector_store,  # memory left out: optional for vector stores
        manifest={"interfaces": ["vector-store"], "modelInfo": {}, "volumePath": "/qdrant/storage",
                  "envVariables": QDRANT_ENV, "defaultPort": 6333, "defaultExternalPort": 8998}),
}
NOTE_AS = {"new flags": "note: {}", "new --from spec": "note: {}", "prompts": "  {}", "tui": "Note: {}"}
RUNS = {"new flags": with_flags, "new --from spec": with_spec, "prompts": with_prompts, "tui": with_tui}


def differences(name: str, first: Written, other: Written) -> list[str]:
    """What ``other`` wrote differently from ``first``: the folder's name, then a diff of each file."""
    found = [f"folder {other.folder!r} != {first.folder!r}"] if other.folder != first.folder else []
    for file in FILES:
        if other.files[file] != first.files[file]:
            before, after = (each.files[file].decode().splitlines() for each in (first, other))
            found.append("\n".join(difflib.unified_diff(before, after, f"new flags/{file}", f"{name}/{file}",
                                                        lineterm="", n=1)))
    return found


@pytest.mark.parametrize("case_name", list(CASES))
def test_every_front_end_writes_the_same_folder(case_name, tmp_path, index, capsys):
    case = CASES[case_name]
    assert port_collision(index, case.answers["external_port"]) is None, "a free port, so no front end picks one"
    written = {name: run(case, tmp_path, index, capsys) for name, run in RUNS.items()}
    assert load_draft() is None, "each interactive run discards its draft once the folder is written"

    first = written["new flags"]
    found = {name: lines for name, each in written.items() if (lines := differences(name, first, each))}
    assert not found, "\n".join(f"{name}:\n" + "\n".join(lines) for name, lines in found.items())

    # and it is the folder the core makes of those answers, with what the case is about
    plan = plan_service(case.answers, PlanContext(index=index))
    assert plan.ok and (first.folder, first.files) == (plan.folder, {f: plan.files[f] for f in FILES})
    manifest = json.loads(first.files["manifest.json"])
    assert {key: manifest.get(key) for key in case.manifest} == case.manifest
    assert [note.split(" is left out")[0] for note in plan.dropped] == [BY_KEY[key].label for key in case.dropped]
    for name, each in written.items():
        shown = each.said.splitlines()
        assert [note for note in plan.dropped if NOTE_AS[name].format(note) in shown] == plan.dropped, name
        assert sum("left out" in line for line in shown) == len(plan.dropped) * (2 if name == "tui" else 1), \
            f"{name}: each note said once (the app: on the review and in the manifest preview)"
