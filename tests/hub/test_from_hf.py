"""new --from-hf against the loopback Hub: four kinds of model, a model without safetensors metadata, a card
without a summary, and each failure with its message and exit code; the token never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wizard.cli import main
from wizard.registry.checks import validate_paths

INDEX = Path(__file__).resolve().parents[2].parent / "shared" / "registry-snapshot" / "manifests.json"
DOLLY_SEED = Path(__file__).resolve().parents[2].parent / "shared" / "registry-snapshot" / "examples" / \
    "chat-dolly-v2-12b" / "manifest.json"


def new(tmp_path, model: str, *flags: str) -> int:
    return main(["new", "--from-hf", model, "--index", str(INDEX), "--out", str(tmp_path / "out"), "--json", *flags])


@pytest.mark.parametrize(("model", "flags", "folder", "interface"), [
    ("databricks/dolly-v2-12b", ["--gpu-image", "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3",
                                 "--gpu-size", "40689261892", "--id", "dolly-v2-12b-hf"], "chat-dolly-v2-12b-hf", "chat"),
    ("sentence-transformers/all-MiniLM-L6-v2", ["--cpu-image", "ghcr.io/premai-io/embeddings:1", "--cpu-size", "1000",
                                                "--id", "minilm-hf"], "embeddings-minilm-hf", "embeddings"),
    ("openai/whisper-large-v2", ["--gpu-image", "ghcr.io/premai-io/whisper:1", "--gpu-size", "1000",
                                 "--id", "whisper-hf"], "audio-to-text-whisper-hf", "audio-to-text"),
])
def test_a_model_fills_in_a_folder_that_passes_validate(hub, tmp_path, capsys, model, flags, folder, interface):
    assert new(tmp_path, model, *flags) == 0
    summary = json.loads(capsys.readouterr().out)
    target = tmp_path / "out" / folder
    assert summary["folder"] == str(target) and summary["manifest"]["interfaces"] == [interface]
    assert set(summary["filled_in"]) == {"name", "description", "interfaces", "memory"}
    assert [f for f in validate_paths([target]) if f.severity == "error"] == []
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert f"[{model}]({hub.url}/{model})" in readme and "The model's license: `" in readme
    assert "- **Parameters**: " in readme
    assert [method for method, path, _ in hub.requests if path.startswith("/api/")] == ["GET"]  # one model-info call


def test_twelve_billion_parameters_beside_the_seeds_dolly(hub, tmp_path, capsys):
    assert new(tmp_path, "databricks/dolly-v2-12b", "--gpu-image", "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3",
               "--gpu-size", "40689261892", "--id", "dolly-v2-12b-hf") == 0
    captured = capsys.readouterr()
    memory = json.loads(captured.out)["manifest"]["modelInfo"]["memoryRequirements"]
    seed = json.loads(DOLLY_SEED.read_text())["modelInfo"]["memoryRequirements"]
    assert memory == 27141 and seed == 24484  # 11.858e9 x 2 bytes x 1.2 (the estimate's overhead) in MiB
    assert "[hf] memory at int8: 13571 MiB" in captured.err
    assert "%|" not in captured.err  # no download bar of the library's, which would draw over the wizard's screen
    assert "The model card's own usage notes:" in (tmp_path / "out" / "chat-dolly-v2-12b-hf" / "README.md").read_text()


def test_flags_beat_the_model_and_are_not_said_to_come_from_it(hub, tmp_path, capsys):
    assert new(tmp_path, "databricks/dolly-v2-12b", "--gpu-image", "ghcr.io/x/y:1", "--gpu-size", "1000",
               "--memory", "24 GiB", "--name", "My Dolly") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["manifest"]["name"] == "My Dolly" and summary["manifest"]["modelInfo"]["memoryRequirements"] == 24576
    assert "memory" not in summary["filled_in"] and "name" not in summary["filled_in"]


def test_without_safetensors_or_a_summary_the_reasons_are_said_and_the_answers_missing(hub, tmp_path, capsys):
    assert new(tmp_path, "stabilityai/stable-diffusion-2-1", "--gpu-image", "ghcr.io/x/sd:1", "--gpu-size", "1",
               "--id", "sd-hf") == 2
    err = capsys.readouterr().err
    assert "no safetensors metadata" in err and "no summary nor a paragraph" in err
    assert "--memory" in err and "--description" in err  # listed as missing, by flag


@pytest.mark.parametrize(("model", "code", "said"), [
    ("nobody/nothing", 2, "no such model on the Hub: nobody/nothing"),
    ("meta-llama/Llama-2-7b-hf", 1, "is gated"),
    ("busy/model", 1, "wait 30 s and run again"),
    ("broken/model", 1, "the Hub answered HTTP 500"),
    ("not a model", 2, "a Hugging Face model is ORG/NAME"),
])
def test_each_failure_has_its_message_and_exit_code(hub, tmp_path, capsys, model, code, said):
    assert new(tmp_path, model, "--gpu-image", "ghcr.io/x/y:1", "--gpu-size", "1") == code
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_gated_model_read_with_a_token_that_is_not_enough_never_prints_it(hub, tmp_path, capsys, monkeypatch):
    token = "hf_" + "s3cret" * 6
    monkeypatch.setenv("HF_TOKEN", token)
    assert new(tmp_path, "meta-llama/Llama-2-7b-hf", "--gpu-image", "ghcr.io/x/y:1", "--gpu-size", "1") == 1
    captured = capsys.readouterr()
    assert "accept the licence on" in captured.err and "HF_TOKEN" in captured.err
    assert token not in captured.out + captured.err
    assert hub.requests[0][2] == f"Bearer {token}"  # it was sent, so a leak would have been seen


def test_a_gated_model_whose_licence_the_token_accepted_is_read_and_the_token_never_shown(hub, tmp_path, capsys,
                                                                                      monkeypatch):
    token = "hf_" + "acc3pted" * 5
    hub.granted.add(token)
    monkeypatch.setenv("HF_TOKEN", token)
    assert new(tmp_path, "meta-llama/Llama-2-7b-hf", "--gpu-image", "ghcr.io/x/y:1", "--gpu-size", "1",
               "--id", "llama-2-7b-hf") == 0  # the index has llama-2-7b
    captured = capsys.readouterr()
    assert json.loads(captured.out)["manifest"]["name"] == "Llama 2 7B"
    folder = tmp_path / "out" / "chat-llama-2-7b-hf"
    assert token not in captured.out + captured.err + "".join(p.read_text() for p in folder.iterdir())
    assert {auth for _, _, auth in hub.requests} == {f"Bearer {token}"}  # the info call and the card's


def test_a_private_model_is_read_with_the_login_cache_of_hf_auth_login(hub, tmp_path):
    """A real process, so the library finds its own login cache ($HF_HOME/token) as it does for a user."""
    import os
    import subprocess
    import sys

    token = "hf_" + "l0gged1n" * 5
    hub.granted.add(token)
    home = tmp_path / "hf-login"
    home.mkdir()
    (home / "token").write_text(token)
    env = {**os.environ, "HF_HOME": str(home), "HF_ENDPOINT": hub.url, "NO_COLOR": "1"}
    env.pop("HF_TOKEN", None)
    args = [sys.executable, "-m", "wizard", "new", "--from-hf", "acme/private-chat-7b", "--gpu-image",
            "ghcr.io/x/y:1", "--gpu-size", "1", "--index", str(INDEX), "--out", str(tmp_path / "out")]
    ran = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr
    assert "[hf] name = 'Private Chat 7B'" in ran.stderr and token not in ran.stdout + ran.stderr
    assert (tmp_path / "out" / "chat-private-chat-7b" / "manifest.json").is_file()
    env["HF_HOME"] = str(tmp_path / "no-login")  # without it, the Hub says what it says of a name it does not hold
    ran = subprocess.run([*args[:-1], str(tmp_path / "out2")], env=env, capture_output=True, text=True, timeout=120,
                         check=False)
    assert ran.returncode == 2 and "no such model on the Hub: acme/private-chat-7b" in ran.stderr
    assert "a private model needs HF_TOKEN" in ran.stderr


@pytest.mark.parametrize("why", ["offline", "stall"])
def test_offline_or_a_stalled_hub_is_said_and_the_typed_answers_go_on(hub, tmp_path, capsys, why):
    model = "slow/model" if why == "stall" else "databricks/dolly-v2-12b"
    flags = ["--offline"] if why == "offline" else []
    assert new(tmp_path, model, *flags, "--name", "Typed By Hand", "--description", "A chat model typed by hand.",
               "--interface", "chat", "--gpu-image", "ghcr.io/x/y:1", "--gpu-size", "1", "--memory", "8 GiB") == 0
    captured = capsys.readouterr()
    assert "warning:" in captured.err and "the answers are taken from the flags and the spec only" in captured.err
    assert json.loads(captured.out)["filled_in"] == {}
    if why == "offline":
        assert hub.requests == []


def test_the_same_model_through_new_a_spec_key_and_a_batch_gives_the_same_folder(hub, tmp_path, capsys):
    flags = ["--gpu-image", "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3", "--gpu-size", "40689261892",
             "--id", "dolly-v2-12b-hf"]
    assert new(tmp_path, "databricks/dolly-v2-12b", *flags) == 0
    spec = tmp_path / "one.toml"
    spec.write_text('hf = "databricks/dolly-v2-12b"\nid = "dolly-v2-12b-hf"\n'
                    'gpu_image = "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3"\ngpu_size = 40689261892\n')
    assert main(["new", "--from", str(spec), "--index", str(INDEX), "--out", str(tmp_path / "spec")]) == 0
    batch = tmp_path / "batch.toml"
    batch.write_text('gpu_size = 40689261892\n\n[[services]]\nhf = "databricks/dolly-v2-12b"\nid = "dolly-v2-12b-hf"\n'
                     'gpu_image = "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3"\n')
    assert main(["batch", str(batch), "--index", str(INDEX), "--out", str(tmp_path / "batch")]) == 0
    capsys.readouterr()

    def files(root: Path) -> dict[str, bytes]:
        folder = root / "chat-dolly-v2-12b-hf"
        return {p.name: p.read_bytes() for p in folder.iterdir()}

    assert files(tmp_path / "out") == files(tmp_path / "spec") == files(tmp_path / "batch")
    assert [path for method, path, _ in hub.requests if path.startswith("/api/")].count(
        "/api/models/databricks/dolly-v2-12b") == 3  # once a run


def test_batch_json_says_which_answers_came_from_the_model(hub, tmp_path, capsys):
    batch = tmp_path / "batch.toml"
    batch.write_text('gpu_size = 40689261892\ngpu_image = "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3"\n\n'
                     '[[services]]\nhf = "databricks/dolly-v2-12b"\nid = "dolly-v2-12b-hf"\nmemory = 30000\n\n'
                     '[[services]]\nname = "Typed"\ndescription = "A service typed by hand, with no model."\n'
                     'interfaces = ["chat"]\nmemory = 1000\n')
    assert main(["batch", str(batch), "--index", str(INDEX), "--out", str(tmp_path / "b"), "--json"]) == 0
    services = json.loads(capsys.readouterr().out)["services"]
    assert services[0]["filled_in"] == {"name": "from the model's name (databricks/dolly-v2-12b)",
                                        "description": "from the model card",
                                        "interfaces": "from the model's pipeline_tag text-generation -> chat"}
    assert services[1]["filled_in"] == {}  # memory, typed in the spec, beat the estimate in the first; none here


def test_an_unknown_key_beside_hf_is_still_refused(hub, tmp_path, capsys):
    spec = tmp_path / "one.toml"
    spec.write_text('hf = "databricks/dolly-v2-12b"\nmemroy = "8 GiB"\n')
    assert main(["new", "--from", str(spec), "--index", str(INDEX), "--out", str(tmp_path / "o")]) == 2
    assert "unknown key 'memroy'" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["5", "['databricks/dolly-v2-12b']", '"../etc"'])
def test_an_hf_key_that_is_no_model_is_refused_by_name_in_a_spec_and_a_batch(hub, tmp_path, capsys, value):
    spec = tmp_path / "one.toml"
    spec.write_text(f"hf = {value}\n")
    assert main(["new", "--from", str(spec), "--index", str(INDEX), "--out", str(tmp_path / "o")]) == 2
    assert f"{spec}: hf " in capsys.readouterr().err
    batch = tmp_path / "batch.toml"
    batch.write_text(f'[[services]]\nhf = {value}\nname = "Typed"\n')
    assert main(["batch", str(batch), "--index", str(INDEX), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{batch}:services[0] (typed): hf " in err and "a Hugging Face model is ORG/NAME" in err
    assert hub.requests == [] and not (tmp_path / "o").exists()


@pytest.mark.parametrize("where", ["HF_ENDPOINT", "--hf-endpoint"])
def test_an_endpoint_with_a_token_in_it_is_refused_without_showing_it(hub, tmp_path, capsys, monkeypatch, where):
    endpoint = hub.url.replace("http://", "http://user:hf_inTheURL0123456789@")
    flags = ["--hf-endpoint", endpoint] if where == "--hf-endpoint" else []
    if where == "HF_ENDPOINT":
        monkeypatch.setenv("HF_ENDPOINT", endpoint)
    assert new(tmp_path, "databricks/dolly-v2-12b", *flags, "--gpu-image", "ghcr.io/x/y:1", "--gpu-size", "1") == 2
    captured = capsys.readouterr()
    assert f"{where} holds a user name or password" in captured.err and "HF_TOKEN" in captured.err
    assert "inTheURL" not in captured.out + captured.err and hub.requests == []
