"""`bump` on every service of the real registry: each Docker service to a new tag pushed to the loopback
registry (sizes looked up there), with only the image and size lines changed; each binary one refused."""

from __future__ import annotations

import json
import re

import pytest

from tests.real.conftest import (
    BINARY,
    DOCKER,
    changed_lines,
    files_of,
    manifest_of,
    stats_of,
)
from wizard.cli import main


@pytest.mark.parametrize("real_folder", DOCKER, indirect=True)
def test_each_docker_service_is_bumped_with_only_its_image_lines_changed(real_folder, container_registry, capsys):
    old = manifest_of(real_folder.name)
    devices = list(old["dockerImages"])
    slug = re.sub(r"[^a-z0-9]+", "-", real_folder.name.lower()).strip("-")
    pushed = {device: container_registry.push_image(f"real/{slug}-{device}", "9.0.1", layers=[1000 * (n + 2)])
              for n, device in enumerate(devices)}
    before = files_of(real_folder)
    flags = [part for device, image in pushed.items() for part in (f"--{device}-image", image.reference)]

    assert main(["bump", str(real_folder), *flags]) == 0

    after = (real_folder / "manifest.json").read_bytes()
    removed, added = changed_lines(before["manifest.json"], after)
    assert len(removed) == len(added) == 2 * len(devices)
    assert all(re.match(r'\s*"(image|size)": ', line) for line in removed + added), (removed, added)
    new = json.loads(after)
    expected = json.loads(before["manifest.json"])
    for device, image in pushed.items():
        expected["dockerImages"][device].update(image=image.reference, size=image.unpacked_size)
    assert json.dumps(new) == json.dumps(expected)  # every other key, value and order as it was
    assert after.endswith(b"\n") == before["manifest.json"].endswith(b"\n")
    for name, content in files_of(real_folder).items():
        if name == "manifest.json":
            continue
        readme_rows = changed_lines(before[name], content) if name == "README.md" else ([], [])
        assert content == before[name] or all(line.startswith(("| GPU |", "| CPU |")) for line in readme_rows[1])
    out = capsys.readouterr().out
    assert all(f"+ {device}: {image.reference}" in out for device, image in pushed.items())


@pytest.mark.parametrize("real_folder", BINARY, indirect=True)
def test_each_binary_service_is_refused_with_a_clear_message(real_folder, capsys):
    before, stats = files_of(real_folder), stats_of(real_folder)

    assert main(["bump", str(real_folder), "--gpu-image", "127.0.0.1:1/real/x:2", "--gpu-size", "1"]) == 2

    err = capsys.readouterr().err
    assert f"'{manifest_of(real_folder.name)['id']}' is a binary service (serviceType binary) without dockerImages" in err
    assert "bump changes Docker images only" in err
    assert files_of(real_folder) == before and stats_of(real_folder) == stats


def test_the_registry_holds_35_docker_and_12_binary_services():
    assert (len(DOCKER), len(BINARY)) == (35, 12)
