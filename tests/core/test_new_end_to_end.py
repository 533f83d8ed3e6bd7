"""`new` with the real pieces: sizes from the loopback container registry, the PR on the GitHub emulator."""

from __future__ import annotations

import json

from tests.core.conftest import INDEX
from wizard.cli import main

DESCRIPTION = "A small chat model used to test the whole way from flags to a pull request."


def new(*args: str) -> int:
    return main(["new", "--name", "Tiny Chat", "--description", DESCRIPTION, "--interface", "chat",
                 "--memory", "2 GiB", "--index", str(INDEX), *args])


def test_new_looks_up_each_size_by_itself(container_registry, unique_repository, tmp_path, capsys):
    gpu = container_registry.push_image(unique_repository, "gpu-1.0", layers=[3_000_000, 1_000_000])
    cpu = container_registry.push_image(unique_repository, "cpu-1.0", layers=[700_000], kind="oci")
    assert new("--gpu-image", gpu.reference, "--cpu-image", cpu.reference, "--out", str(tmp_path)) == 0
    manifest = json.loads((tmp_path / "chat-tiny-chat" / "manifest.json").read_text())
    assert manifest["dockerImages"] == {
        "gpu": {"size": gpu.size, "image": gpu.reference},
        "cpu": {"size": cpu.size, "image": cpu.reference},
    }
    err = capsys.readouterr().err
    assert f"size of {gpu.reference}: looking up" in err and f"({gpu.size} bytes" in err


def test_a_given_size_is_not_looked_up(tmp_path, capsys):
    reference = "127.0.0.1:9/nowhere/x:1"  # nothing listens there: a lookup would fail
    assert new("--gpu-image", reference, "--gpu-size", "1 GB", "--out", str(tmp_path)) == 0
    assert "looking up" not in capsys.readouterr().err


def test_a_failed_lookup_says_why_and_writes_nothing(container_registry, unique_repository, tmp_path, capsys):
    container_registry.push_image(unique_repository, "1.0", layers=[1000])
    missing = f"{container_registry.host}/{unique_repository}:9.9"
    assert new("--gpu-image", missing, "--out", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "could not look up every image size" in err and "1.0" in err  # the tags that exist are named
    assert "--gpu-size" in err and list(tmp_path.iterdir()) == []


def test_new_publish_writes_then_opens_the_pull_request(container_registry, unique_repository, github_emulator,
                                                         tmp_path, monkeypatch, capsys):
    image = container_registry.push_image(unique_repository, "1.0", layers=[10_000])
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    assert new("--gpu-image", image.reference, "--out", str(tmp_path), "--publish", "--allow-todo",
               "--api-url", github_emulator.url, "--upstream", "premAI-io/prem-registry") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == str(tmp_path / "chat-tiny-chat")
    assert out[-1] == f"{github_emulator.url}/premAI-io/prem-registry/pull/1"
    assert len(github_emulator.pulls) == 1
    assert github_emulator.token not in "".join(out)
