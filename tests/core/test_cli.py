"""The CLI end to end through main(argv): new, validate, schema, --help, --version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.conftest import EXAMPLES, INDEX
from wizard import __version__
from wizard.cli import main

ASSETS = Path(__file__).resolve().parents[2] / "wizard" / "examples"
GOOD_FLAGS = [
    "--name", "Dolly v2 12B Test",
    "--description", "Dolly-v2-12b, developed by Databricks, is an instruction-following model.",
    "--interface", "chat",
    "--gpu-image", "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2",
    "--gpu-size", "40689160223",
    "--memory", "24 GiB",
    "--tokens-per-second", "18",
]  # fmt: skip


def new(tmp_path, *extra: str) -> int:
    return main(["new", *GOOD_FLAGS, "--index", str(INDEX), "--out", str(tmp_path / "out"), *extra])


def written(tmp_path) -> list[str]:
    out = tmp_path / "out"
    return sorted(str(p.relative_to(out)) for p in out.rglob("*")) if out.exists() else []


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0 and capsys.readouterr().out.strip() == f"prem-new-service {__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "new" in out and "validate" in out and "schema" in out


def test_new_writes_a_folder_that_validates(tmp_path, capsys):
    assert new(tmp_path) == 0
    folder = tmp_path / "out" / "chat-dolly-v2-12b-test"
    assert capsys.readouterr().out.strip() == str(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["id"] == "dolly-v2-12b-test"  # suggested from the name
    assert manifest["modelInfo"] == {"memoryRequirements": 24576, "tokensPerSecond": 18}
    assert manifest["defaultPort"] == 8000 and manifest["beta"] is True
    port = manifest["defaultExternalPort"]
    used = {e["defaultExternalPort"] for e in json.loads(INDEX.read_text())}
    assert port not in used
    assert main(["validate", str(folder)]) == 0


@pytest.mark.parametrize("spec", sorted(p.name for p in ASSETS.iterdir() if p.is_file()))
def test_every_example_spec_scaffolds_and_validates(tmp_path, spec, capsys):
    out = tmp_path / "out"
    assert main(["new", "--from", str(ASSETS / spec), "--out", str(out), "--index", str(INDEX)]) == 0
    (folder,) = out.iterdir()
    assert main(["validate", str(folder)]) == 0
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=4, ensure_ascii=False) + "\n"


def test_flags_beat_the_spec_file(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text("name: From File\ndescription: A description long enough to pass.\ninterface: chat\n"
                    "cpu-image: ghcr.io/a/b:1\ncpu_size: 1 GB\nmemory: 8g\nexternal_port: 8999\n")
    assert main(["new", "--from", str(spec), "--name", "From Flag", "--out", str(tmp_path / "out"), "--offline"]) == 0
    manifest = json.loads((tmp_path / "out" / "chat-from-flag" / "manifest.json").read_text())
    assert manifest["name"] == "From Flag" and manifest["defaultExternalPort"] == 8999
    assert manifest["dockerImages"] == {"cpu": {"size": 1_000_000_000, "image": "ghcr.io/a/b:1"}}


def test_missing_answers_are_all_listed_and_nothing_is_written(tmp_path, capsys):
    assert main(["new", "--name", "Only A Name", "--out", str(tmp_path / "out"), "--offline"]) == 2
    err = capsys.readouterr().err
    assert "4 answers are missing" in err
    for flag in ("--description", "--interface", "--memory", "--gpu-image or --cpu-image"):
        assert f"  - {flag}" in err
    assert written(tmp_path) == []


def test_a_missing_size_is_asked_for_when_offline(tmp_path, capsys):
    flags = [f for f in GOOD_FLAGS if f not in ("--gpu-size", "40689160223")]
    assert main(["new", *flags, "--out", str(tmp_path / "out"), "--offline", "--external-port", "8999"]) == 2
    assert "--gpu-size" in capsys.readouterr().err and written(tmp_path) == []


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--id", "Dolly", "--id: the id must be lowercase: write 'dolly'"),
        ("--name", "D", "--name: the name is too short"),
        ("--description", "short", "--description: the description is too short"),
        ("--interface", "store", "--interface: the interface 'store' is an old name; write 'vector-store' instead"),
        ("--gpu-image", "ghcr.io/Org/x:1", "--gpu-image: the repository part 'Org/x' must be lowercase"),
        ("--gpu-size", "big", "--gpu-size: could not read 'big' as size"),
        ("--memory", "24 XB", "--memory: could not read '24 XB' as memory"),
        ("--tokens-per-second", "fast", "--tokens-per-second: 'fast' is not a number"),
        ("--port", "0", "--port: 0 is not a port"),
        ("--external-port", "99999", "--external-port: 99999 is not a port"),
    ],
)
def test_bad_input_to_any_field_exits_2_and_writes_nothing(tmp_path, capsys, flag, value, message):
    flags = list(GOOD_FLAGS)
    if flag in flags:
        flags[flags.index(flag) + 1] = value
    else:
        flags += [flag, value]
    assert main(["new", *flags, "--index", str(INDEX), "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err
    assert written(tmp_path) == []


def test_id_and_port_are_checked_against_the_index(tmp_path, capsys):
    assert new(tmp_path, "--id", "bark", "--external-port", "10111") == 2
    err = capsys.readouterr().err
    assert "--id: the id 'bark' is taken by 'Bark' (text-to-audio-bark)" in err
    assert "--external-port: external port 10111 is used by" in err
    assert written(tmp_path) == []


def test_an_unreadable_default_index_is_a_warning_a_named_one_a_failure(tmp_path, capsys, monkeypatch):
    from dataclasses import replace

    import wizard.settings

    # --index names it: checking against nothing would pass what was asked to be checked (issue 10)
    assert new(tmp_path, "--index", "http://127.0.0.1:9/manifests.json") == 2
    err = capsys.readouterr().err
    assert "the index given by --index cannot be used: cannot load the upstream index" in err
    assert written(tmp_path) == []
    # the registry's own index, when down, only costs the checks
    real = wizard.settings.build_settings
    monkeypatch.setattr(wizard.settings, "build_settings", lambda flags=None, **kw: replace(
        real({**(flags or {}), "index_url": None}, **kw), index_url=DOWN))  # still "default" in its sources
    assert main(["new", *GOOD_FLAGS, "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "warning: cannot load the upstream index" in err and "picked external port" in err


DOWN = "http://127.0.0.1:9/manifests.json"


def test_dry_run_prints_and_writes_nothing(tmp_path, capsys):
    assert new(tmp_path, "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.count("==> ") == 3 and '"id": "dolly-v2-12b-test"' in out
    assert written(tmp_path) == []
    assert new(tmp_path, "--dry-run", "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["written"] is False and summary["files"] == ["manifest.json", "README.md", "logo.svg"]


def test_json_summary_and_force(tmp_path, capsys):
    assert new(tmp_path, "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["written"] and summary["manifest"]["name"] == "Dolly v2 12B Test"
    assert new(tmp_path) == 1
    assert "already exists" in capsys.readouterr().err
    assert new(tmp_path, "--force") == 0


def test_spec_syntax_errors_point_at_the_place(tmp_path, capsys):
    for name, text, where in [
        ("bad.toml", 'name = "x"\nid = \n', ":2:"),
        ("bad.yaml", "name: x\n  id: [\n", ":2:"),
        ("bad.json", '{"name": "x",\n}', ":2:1:"),
    ]:
        spec = tmp_path / name
        spec.write_text(text)
        assert main(["new", "--from", str(spec), "--offline"]) == 2
        assert f"{spec}{where}" in capsys.readouterr().err


def test_unknown_spec_keys_are_refused(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text('name = "x"\nmemroy = "8g"\n')
    assert main(["new", "--from", str(spec), "--offline"]) == 2
    assert "unknown key 'memroy'" in capsys.readouterr().err


def test_validate_outputs(capsys):
    assert main(["validate", str(EXAMPLES)]) == 1
    lines = capsys.readouterr().out.splitlines()
    # an empty description and a folder named unlike its id are errors; the 3 logos off square, warnings
    assert len(lines) == 5 and sum(": error: " in line for line in lines) == 2
    assert main(["validate", "--json", str(EXAMPLES / "text-to-audio-bark")]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "errors": 0, "warnings": 0, "findings": []}
    assert main(["validate", "--format", "github", str(EXAMPLES / "chat-dolly-v2-12b")]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("::warning file=") and "logo.svg::logo.svg is not square" in line


def test_schema_prints_json_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"].startswith("Prem registry") and "id" in schema["properties"]


def test_interrupt_is_a_clean_exit(tmp_path, capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("wizard.service.folder.write_service_folder", interrupted)
    assert new(tmp_path) == 130
    assert "interrupted; nothing was written" in capsys.readouterr().err


def test_the_installed_command_runs():
    result = subprocess.run([sys.executable, "-m", "wizard", "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"prem-new-service {__version__}"


VECTOR_STORE = {
    "name": "Tiny Vectors",
    "description": "A small vector store used to test the volume and the environment of a service.",
    "interfaces": ["vector-store"],
    "cpu_image": "ghcr.io/example/tiny-vectors:1.0",
    "cpu_size": "200 MB",
    "volume_path": "/data",
    "env_variables": ["STORE_USER=prem", "STORE_MODE=disk"],
}
VECTOR_STORE_FLAGS = [
    "--name", VECTOR_STORE["name"], "--description", VECTOR_STORE["description"], "--interface", "vector-store",
    "--cpu-image", VECTOR_STORE["cpu_image"], "--cpu-size", VECTOR_STORE["cpu_size"], "--volume-path", "/data",
    "--env", "STORE_USER=prem", "--env", "STORE_MODE=disk",
]  # fmt: skip
SPECS = {
    "vectors.toml": "\n".join(f"{key} = {json.dumps(value)}" for key, value in VECTOR_STORE.items()) + "\n",
    "vectors.yaml": (f"name: {VECTOR_STORE['name']}\ndescription: {VECTOR_STORE['description']}\n"
                     "interface: vector-store\ncpu-image: ghcr.io/example/tiny-vectors:1.0\ncpu_size: 200 MB\n"
                     "volume_path: /data\nenv_variables: |\n  STORE_USER=prem\n  STORE_MODE=disk\n"),
    "vectors.json": json.dumps(VECTOR_STORE),
}


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("spec_name", sorted(SPECS))
def test_a_vector_store_with_a_volume_and_environment_is_the_same_from_flags_and_from_a_spec(tmp_path, spec_name):
    from wizard.service.manifest import SEED_ORDER

    common = ["--index", str(INDEX), "--offline"]
    assert main(["new", *VECTOR_STORE_FLAGS, *common, "--out", str(tmp_path / "flags")]) == 0
    spec = tmp_path / spec_name
    spec.write_text(SPECS[spec_name], encoding="utf-8")
    assert main(["new", "--from", str(spec), *common, "--out", str(tmp_path / "spec")]) == 0

    from_flags = folder_bytes(tmp_path / "flags" / "vector-store-tiny-vectors")
    assert from_flags == folder_bytes(tmp_path / "spec" / "vector-store-tiny-vectors")
    manifest = json.loads(from_flags["manifest.json"])
    assert manifest["volumePath"] == "/data" and manifest["envVariables"] == ["STORE_USER=prem", "STORE_MODE=disk"]
    assert list(manifest) == [key for key in SEED_ORDER if key in manifest]  # the registry's order, kept
    assert list(manifest)[-3:] == ["defaultExternalPort", "envVariables", "volumePath"]
    assert main(["validate", str(tmp_path / "flags" / "vector-store-tiny-vectors")]) == 0


def test_a_spec_with_an_unknown_key_lists_the_known_keys(tmp_path, capsys):
    from wizard.service.fields import SPEC_KEYS

    spec = tmp_path / "spec.yaml"
    spec.write_text("name: Tiny Vectors\nvolumePath: /data\nenv: A=1\n")
    assert main(["new", "--from", str(spec), "--offline", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "2 problems" in err and f"{spec}: unknown key 'volumePath' (did you mean 'volume_path'? known keys: " in err
    assert f"{spec}: unknown key 'env' (" in err
    assert err.count("known keys: " + ", ".join(SPEC_KEYS) + ")") == 2
    assert {"volume_path", "env_variables", "command", "exec_commands", "skip_health_check"} <= set(SPEC_KEYS)
    assert written(tmp_path) == []


def test_tokens_per_second_is_dropped_for_embeddings_with_a_note_as_in_every_front_end(tmp_path, capsys):
    from wizard.service.plan import plan_service

    flags = list(GOOD_FLAGS)
    flags[flags.index("chat")] = "embeddings"
    assert main(["new", *flags, "--index", str(INDEX), "--out", str(tmp_path / "out")]) == 0
    (note,) = plan_service({"interfaces": ["embeddings"], "tokens_per_second": "18"}).dropped
    assert f"note: {note}" in capsys.readouterr().err
    manifest = json.loads((tmp_path / "out" / "embeddings-dolly-v2-12b-test" / "manifest.json").read_text())
    assert manifest["modelInfo"] == {"memoryRequirements": 24576}


def test_every_asked_field_is_a_flag_of_new_with_the_help_of_the_table(capsys):
    from wizard.service.fields import ASKED, BY_KEY

    with pytest.raises(SystemExit):
        main(["new", "--help"])
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for field in ASKED:
        assert field.flag in shown and " ".join(field.help.split()) in shown
    assert "--skip-health-check, --no-skip-health-check" in shown and "--env LINE" in shown
    with pytest.raises(SystemExit):
        main(["bump", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert all(BY_KEY[key].flag in shown for key in ("gpu_image", "cpu_image", "gpu_size", "cpu_size"))
    assert "--memory" not in shown and "--name" not in shown


def test_the_running_fields_are_written_from_flags(tmp_path):
    flags = [*VECTOR_STORE_FLAGS, "--command", "serve --storage /data", "--exec-command", "store init",
             "--exec-command", "store check", "--skip-health-check", "--no-coming-soon"]
    assert main(["new", *flags, "--index", str(INDEX), "--offline", "--out", str(tmp_path / "out")]) == 0
    manifest = json.loads((tmp_path / "out" / "vector-store-tiny-vectors" / "manifest.json").read_text())
    assert manifest["command"] == "serve --storage /data"
    assert manifest["execCommands"] == ["store init", "store check"]
    assert (manifest["skipHealthCheck"], manifest["comingSoon"]) == (True, False)


def test_the_cli_loop_says_no_traceback_of_its_own(capsys):
    """A reader's callback that fires on a future Ctrl+C already cancelled (the race seen in `check --run`) says
    nothing; any other failure the loop reports is one line; the coroutine's result comes back."""
    import asyncio

    from wizard.cli.common import run_async

    async def racing() -> str:
        loop = asyncio.get_running_loop()
        cancelled = loop.create_future()
        cancelled.cancel()
        loop.call_soon(cancelled.set_result, None)  # InvalidStateError, in a callback
        loop.call_soon(lambda: 1 / 0)
        await asyncio.sleep(0.01)
        return "done"

    assert run_async(racing()) == "done"
    err = capsys.readouterr().err
    assert "Traceback" not in err and "InvalidStateError" not in err
    assert err.count("\n") == 1 and err.startswith("warning: Exception in callback") and "(division by zero)" in err
