"""The size lookup of the plain run against the real distribution registry on loopback, no fake in between."""

from __future__ import annotations

import json
from pathlib import Path

from tests.prompts import script
from tests.prompts.conftest import FakeQuestionary
from wizard.prompts import run_plain
from wizard.units import human_bytes


def test_sizes_come_from_the_container_registry(settings, index, printed, container_registry, unique_repository):
    pushed = container_registry.push_index(unique_repository, "multi")
    amd64 = pushed.images["linux/amd64"]
    missing = f"{container_registry.host}/{unique_repository}:nope"
    images = [("GPU image", pushed.reference), ("CPU image", missing), ("CPU image size", "1 GiB")]
    ask = FakeQuestionary(*script.IDENTITY, *script.INTERFACES, *images, *script.RESOURCES, *script.AFTER_RESOURCES)
    assert run_plain(settings, ask=ask, index=index, out=printed.append) == 0
    assert ask.done()
    assert script.lookup_report(printed, pushed.reference) == [
        f"  size: {human_bytes(amd64.unpacked_size)} unpacked (exact), {human_bytes(amd64.size)} download "
        f"({amd64.unpacked_size} bytes written) for linux/amd64",
        f"  digest: {pushed.digest}",
        f"  platforms: {', '.join(pushed.images)}",
    ]
    [failure] = script.lookup_report(printed, missing)
    assert failure.startswith("  could not look it up: the tag nope does not exist in ")
    assert "tags found: multi" in failure
    images_written = json.loads((Path(settings.out) / "chat-dolly-v2-12b-plain" / "manifest.json").read_text())
    assert images_written["dockerImages"] == {"gpu": {"size": amd64.unpacked_size, "image": pushed.reference},
                                              "cpu": {"size": 2**30, "image": missing}}
