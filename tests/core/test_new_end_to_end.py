"""`new` with the real pieces: sizes from the loopback container registry, the PR on the GitHub emulator."""

from __future__ import annotations

import json

from tests.core.conftest import INDEX
from tests.servers.layers import gzip_layer, sample_tar
from wizard.cli import main
from wizard.units import human_bytes

DESCRIPTION = "A small chat model used to test the whole way from flags to a pull request."


def new(*args: str) -> int:
    return main(["new", "--name", "Tiny Chat", "--description", DESCRIPTION, "--interface", "chat",
                 "--memory", "2 GiB", "--index", str(INDEX), *args])


def written_images(out) -> dict:
    return json.loads((out / "chat-tiny-chat" / "manifest.json").read_text())["dockerImages"]


def test_new_looks_up_each_size_by_itself(container_registry, unique_repository, tmp_path, capsys):
    gpu = container_registry.push_image(unique_repository, "gpu-1.0", layers=[3_000_000, 1_000_000])
    cpu = container_registry.push_image(unique_repository, "cpu-1.0", layers=[700_000], kind="oci")
    assert new("--gpu-image", gpu.reference, "--cpu-image", cpu.reference, "--out", str(tmp_path)) == 0
    # what the Prem Daemon compares with free disk: the images unpacked
    assert written_images(tmp_path) == {
        "gpu": {"size": gpu.unpacked_size, "image": gpu.reference},
        "cpu": {"size": cpu.unpacked_size, "image": cpu.reference},
    }
    err = capsys.readouterr().err
    assert f"size of {gpu.reference}: looking up" in err
    assert (f"size of {gpu.reference}: {human_bytes(gpu.unpacked_size)} unpacked (exact), "
            f"{human_bytes(gpu.size)} download ({gpu.unpacked_size} bytes written)") in err.splitlines()


def test_size_kind_download_writes_the_download_size(container_registry, unique_repository, tmp_path, capsys):
    gpu = container_registry.push_image(unique_repository, "gpu-1.0", layers=[300_000])
    assert new("--gpu-image", gpu.reference, "--size-kind", "download", "--out", str(tmp_path)) == 0
    assert written_images(tmp_path)["gpu"] == {"size": gpu.size, "image": gpu.reference}
    assert f"download ({gpu.size} bytes written)" in capsys.readouterr().err


def test_the_size_kind_setting_comes_from_the_environment(container_registry, unique_repository, tmp_path,
                                                          monkeypatch):
    gpu = container_registry.push_image(unique_repository, "gpu-1.0", layers=[300_000])
    monkeypatch.setenv("PREM_NEW_SERVICE_SIZE_KIND", "download")
    assert new("--gpu-image", gpu.reference, "--out", str(tmp_path / "env")) == 0
    assert written_images(tmp_path / "env")["gpu"]["size"] == gpu.size
    assert new("--gpu-image", gpu.reference, "--size-kind", "unpacked", "--out", str(tmp_path / "flag")) == 0
    assert written_images(tmp_path / "flag")["gpu"]["size"] == gpu.unpacked_size  # the flag beats it


def test_an_estimate_says_why_and_exact_writes_the_counted_size(container_registry, unique_repository, tmp_path,
                                                               capsys):
    layer = gzip_layer(sample_tar(300_000, seed=3), members=2)
    gpu = container_registry.push_layers(unique_repository, "gpu-1.0", [layer])
    assert new("--gpu-image", gpu.reference, "--out", str(tmp_path / "estimate")) == 0
    err = capsys.readouterr().err
    assert f"size of {gpu.reference}: ~" in err and "unpacked (estimate)" in err
    assert "  estimate: 1 layer: it is made of several gzip members, and the trailer counts the last" in err
    assert "--exact reads those layers whole and counts them" in err
    assert new("--gpu-image", gpu.reference, "--exact", "--out", str(tmp_path / "exact")) == 0
    assert written_images(tmp_path / "exact")["gpu"]["size"] == layer.unpacked == gpu.unpacked_size
    err = capsys.readouterr().err
    assert "unpacked (exact)" in err and f"reading the layers of {gpu.reference} whole: 100%" in err


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
