"""`prem-new-service bump` and wizard.publish.bump: new images for an existing folder, nothing else changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.batch.conftest import EXAMPLES
from tests.conftest import writable_copy
from tests.publish.conftest import make_service
from wizard.cli import main
from wizard.publish.bump import (
    ImageChange,
    bumped_manifest,
    bumped_readme,
    image_row,
    version_label,
)
from wizard.units import human_bytes

DIGEST = "sha256:" + "ab" * 32


def copy_example(name: str, parent: Path) -> Path:
    """A writable copy of a registry snapshot example (the snapshot itself is read-only)."""
    return writable_copy(EXAMPLES / name, parent)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def leaves(value, path=()) -> list[tuple]:
    """Every (key path, value) in document order, so key order counts too."""
    if isinstance(value, dict):
        return [(path, "{}")] + [leaf for key, item in value.items() for leaf in leaves(item, (*path, key))]
    return [(path, json.dumps(value))]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir()))
def test_bump_keeps_every_other_key_value_and_order_of_each_snapshot_example(example, tmp_path, capsys):
    folder = copy_example(example, tmp_path)
    before = snapshot(folder)
    old = json.loads(before["manifest.json"])
    devices = list(old.get("dockerImages") or {})
    flags = [part for device in devices for part in (f"--{device}-image", f"ghcr.io/example/{example}-{device}:2.0.0",
                                                      f"--{device}-size", "123456789")]

    code = main(["bump", str(folder), *(flags or ["--gpu-image", "ghcr.io/example/x:2", "--gpu-size", "1"])])

    if not devices:  # a binary service: a clear refusal, and the folder as it was
        assert code == 2
        assert "binary service (serviceType binary) without dockerImages" in capsys.readouterr().err
        assert snapshot(folder) == before
        return
    assert code == 0
    new = json.loads((folder / "manifest.json").read_text())
    expected = json.loads(before["manifest.json"])
    for device in devices:
        expected["dockerImages"][device].update(image=f"ghcr.io/example/{example}-{device}:2.0.0", size=123456789)
    assert leaves(new) == leaves(expected)  # same keys, same order, same values but the images
    text = (folder / "manifest.json").read_text()
    assert text.rstrip("\n") == json.dumps(expected, indent=4, ensure_ascii=False)
    assert text.endswith("\n") == before["manifest.json"].endswith(b"\n")
    assert {k: v for k, v in snapshot(folder).items() if k != "manifest.json"} == \
        {k: v for k, v in before.items() if k != "manifest.json"}  # these READMEs have no image table
    out = capsys.readouterr().out
    old_image = old["dockerImages"][devices[0]]
    assert f"- {devices[0]}: {old_image['image']}" in out and f"({old_image['size']} bytes)" in out
    assert f"+ {devices[0]}: ghcr.io/example/{example}-{devices[0]}:2.0.0  117.7 MiB (123456789 bytes)" in out


def test_a_device_the_service_lacks_is_refused_unless_added(tmp_path, capsys):
    folder = make_service(tmp_path, "tiny-bump")  # a GPU image and a README with the image table
    before = snapshot(folder)
    assert main(["bump", str(folder), "--cpu-image", "ghcr.io/example/tiny-cpu:2", "--cpu-size", "1 GB"]) == 2
    assert "has no cpu image (it has: gpu); pass --add-device" in capsys.readouterr().err
    assert snapshot(folder) == before

    assert main(["bump", str(folder), "--cpu-image", "ghcr.io/example/tiny-cpu:2", "--cpu-size", "1 GB",
                 "--add-device"]) == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    assert list(manifest["dockerImages"]) == ["gpu", "cpu"]
    assert manifest["dockerImages"]["cpu"] == {"size": 1_000_000_000, "image": "ghcr.io/example/tiny-cpu:2"}
    readme = (folder / "README.md").read_text()
    gpu_row = image_row("gpu", "ghcr.io/example/tiny-bump-gpu:1.0.0", 40689160223)
    assert f"{gpu_row}\n{image_row('cpu', 'ghcr.io/example/tiny-cpu:2', 1_000_000_000)}\n" in readme
    assert "(new device)" in capsys.readouterr().out


def test_the_readme_image_row_follows_and_nothing_else_in_it_changes(tmp_path, capsys):
    folder = make_service(tmp_path, "tiny-bump")
    readme = (folder / "README.md").read_text()
    assert main(["bump", str(folder), "--gpu-image", "ghcr.io/example/tiny-bump-gpu:1.1.0", "--gpu-size", "2048"]) == 0
    old_row = image_row("gpu", "ghcr.io/example/tiny-bump-gpu:1.0.0", 40689160223)
    assert (folder / "README.md").read_text() == readme.replace(
        old_row, "| GPU | `ghcr.io/example/tiny-bump-gpu:1.1.0` | 2.0 KiB (2048 bytes) |")
    assert "README.md: 1 image row(s) updated" in capsys.readouterr().out


def test_sizes_are_looked_up_from_the_container_registry(container_registry, unique_repository, tmp_path, capsys):
    image = container_registry.push_image(unique_repository, "2.0", layers=[3000, 1000])
    folder = copy_example("chat-dolly-v2-12b", tmp_path)
    assert main(["bump", str(folder), "--gpu-image", image.reference]) == 0
    gpu = json.loads((folder / "manifest.json").read_text())["dockerImages"]["gpu"]
    assert gpu == {"size": image.unpacked_size, "image": image.reference}
    err = capsys.readouterr().err
    assert f"size of {image.reference}: looking up" in err and f"({image.unpacked_size} bytes written)" in err


def test_size_kind_download_bumps_to_the_download_size(container_registry, unique_repository, tmp_path, capsys):
    image = container_registry.push_image(unique_repository, "2.0", layers=[3000, 1000])
    folder = copy_example("chat-dolly-v2-12b", tmp_path)
    assert main(["bump", str(folder), "--gpu-image", image.reference, "--size-kind", "download"]) == 0
    gpu = json.loads((folder / "manifest.json").read_text())["dockerImages"]["gpu"]
    assert gpu == {"size": image.size, "image": image.reference}
    assert f"+ gpu: {image.reference}  {human_bytes(image.size)} ({image.size} bytes)" in capsys.readouterr().out


def test_offline_needs_the_sizes_and_dry_run_writes_nothing(tmp_path, capsys):
    folder = copy_example("text-to-audio-bark", tmp_path)
    before = snapshot(folder)
    assert main(["bump", str(folder), "--cpu-image", "ghcr.io/example/bark-cpu:2", "--offline"]) == 2
    assert "--cpu-size: missing; offline" in capsys.readouterr().err
    assert main(["bump", str(folder), "--cpu-image", "ghcr.io/example/bark-cpu:2", "--cpu-size", "1",
                 "--dry-run"]) == 0
    printed = capsys.readouterr()
    assert "+ cpu: ghcr.io/example/bark-cpu:2" in printed.out and "dry run: nothing was written" in printed.err
    assert snapshot(folder) == before
    assert main(["bump", str(folder)]) == 2
    assert "give --gpu-image REF and/or --cpu-image REF" in capsys.readouterr().err


def test_bump_publish_opens_the_pull_request_from_its_own_branch(github_emulator, tmp_path, monkeypatch, capsys):
    folder = copy_example("text-to-audio-bark", tmp_path)
    upstream = {f"text-to-audio-bark/{p.name}": p.read_bytes() for p in folder.iterdir()}
    github_emulator.commit_files("premAI-io/prem-registry", "dev", upstream)  # the folder as the registry has it
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    assert main(["bump", str(folder), "--gpu-image", "ghcr.io/premai-io/text-to-audio-bark-gpu:1.0.1",
                 "--gpu-size", "34699224999", "--publish", "--api-url", github_emulator.url]) == 0

    (pull,) = github_emulator.pulls
    assert (pull.head_ref, pull.title) == ("bump-text-to-audio-bark-1.0.1",
                                           "Bump Bark: gpu image 1.0.0 → 1.0.1, size 34699224198 → 34699224999")
    assert "This pull request updates `text-to-audio-bark/` (Bark): gpu image 1.0.0 → 1.0.1" in pull.body
    assert "Files sent: manifest.json (README.md, logo.svg as upstream)" in pull.body
    assert capsys.readouterr().out.splitlines()[-1] == f"{github_emulator.url}/premAI-io/prem-registry/pull/1"
    committed = github_emulator.files_at(f"{github_emulator.login}/prem-registry", pull.head_ref)
    assert committed["text-to-audio-bark/manifest.json"] == (folder / "manifest.json").read_bytes()
    (tree,) = [r.body for r in github_emulator.api_calls("POST") if r.path.endswith("/git/trees")]
    assert [entry["path"] for entry in tree["tree"]] == ["text-to-audio-bark/manifest.json"]  # nothing else sent


def test_a_bump_sends_only_what_it_changed_so_upstream_edits_stay(github_emulator, tmp_path, monkeypatch):
    folder = copy_example("text-to-audio-bark", tmp_path)
    upstream = {f"text-to-audio-bark/{p.name}": p.read_bytes() for p in folder.iterdir()}
    upstream["text-to-audio-bark/README.md"] += b"\nA line a maintainer added upstream.\n"  # the checkout is stale
    github_emulator.commit_files("premAI-io/prem-registry", "dev", upstream)
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    assert main(["bump", str(folder), "--cpu-image", "ghcr.io/premai-io/text-to-audio-bark-cpu:1.0.1",
                 "--cpu-size", "5 GB", "--publish", "--api-url", github_emulator.url]) == 0

    (pull,) = github_emulator.pulls
    committed = github_emulator.files_at(f"{github_emulator.login}/prem-registry", pull.head_ref)
    assert committed["text-to-audio-bark/README.md"] == upstream["text-to-audio-bark/README.md"]
    assert pull.title == "Bump Bark: cpu image 1.0.0 → 1.0.1, size 17.1 GiB → 4.7 GiB"


def test_bump_dry_run_publish_sends_nothing(github_emulator, tmp_path, capsys):
    folder = copy_example("text-to-audio-bark", tmp_path)
    before = snapshot(folder)
    assert main(["bump", str(folder), "--cpu-image", f"ghcr.io/premai-io/text-to-audio-bark-cpu@{DIGEST}",
                 "--cpu-size", "5", "--dry-run", "--publish", "--api-url", github_emulator.url]) == 0
    out = capsys.readouterr().out
    assert "refs/heads/bump-text-to-audio-bark-sha256-abababababab" in out
    assert 'title="Bump Bark: cpu image 1.0.0 → @sha256:abababababa' in out  # a dry run reads no upstream: the
    assert "1 files: text-to-audio-bark/manifest.json" in out  # folder before the bump says what changed
    assert github_emulator.requests == [] and snapshot(folder) == before


def test_bumped_manifest_touches_only_the_images():
    data = {"id": "x", "memory": "24 GiB", "dockerImages": {"cpu": {"image": "a:1", "size": 1, "note": "kept"}}}
    bumped, changes = bumped_manifest(data, {"cpu": ("a:2", 2), "gpu": ("b:2", 3)})
    assert bumped == {"id": "x", "memory": "24 GiB", "dockerImages": {
        "cpu": {"image": "a:2", "size": 2, "note": "kept"}, "gpu": {"size": 3, "image": "b:2"}}}
    assert data["dockerImages"]["cpu"]["image"] == "a:1"  # the input is left alone
    assert changes == [ImageChange("gpu", None, None, "b:2", 3), ImageChange("cpu", "a:1", 1, "a:2", 2)]


def test_a_readme_without_the_table_comes_back_as_it_was():
    text = "# Docs\r\n\r\nRun `ghcr.io/a/b:1` like this.\r\n"
    assert bumped_readme(text, [ImageChange("gpu", "ghcr.io/a/b:1", 1, "ghcr.io/a/b:2", 2)]) == (text, 0)


@pytest.mark.parametrize(("reference", "label"), [
    ("ghcr.io/a/b:1.0.4", "1.0.4"), ("a/b", "latest"), (f"ghcr.io/a/b:2.0@{DIGEST}", "2.0"),
    (f"ghcr.io/a/b@{DIGEST}", "sha256-abababababab"), ("127.0.0.1:5000/a/b:rc-1", "rc-1")])
def test_version_label(reference, label):
    assert version_label(reference) == label
