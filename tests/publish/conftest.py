"""Service folders to publish, and a shortcut that runs the pipeline against the emulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GENERATED = "generated"  # make_service(readme=GENERATED): the README as `new` writes it, TODO lines and all


def finished_readme(text: str) -> str:
    """A generated README whose TODO placeholder lines the contributor has written."""
    return re.sub(r"^> \*\*TODO:\*\* (.*)$", r"Written by the contributor: \1", text, flags=re.MULTILINE)


def make_service(parent: Path, service_id: str, *, interface: str = "chat", name: str | None = None,
                 image_tag: str = "1.0.0", readme: str | None = None) -> Path:
    """A service folder that passes the registry's checks, written the way `new` writes it, with the README's
    TODO lines written (``readme=GENERATED`` keeps them)."""
    from wizard.service.folder import write_service_folder
    from wizard.service.manifest import validate_manifest
    from wizard.service.render import render_readme, render_service

    manifest = validate_manifest({
        "id": service_id,
        "name": name or service_id.replace("-", " ").title(),
        "beta": True,
        "description": f"{service_id} is a small model used to test publishing; it answers questions in English.",
        "documentation": "",
        "icon": "",
        "modelInfo": {"memoryRequirements": 24576, "tokensPerSecond": 18},
        "interfaces": [interface],
        "dockerImages": {"gpu": {"size": 40689160223, "image": f"ghcr.io/example/{service_id}-gpu:{image_tag}"}},
        "defaultPort": 8000,
        "defaultExternalPort": 8999,
    })
    target = parent / f"{interface}-{service_id}"
    if readme is None:
        readme = finished_readme(render_readme(manifest))
    elif readme == GENERATED:
        readme = None
    return write_service_folder(target, render_service(manifest, readme=readme), force=True)


@pytest.fixture
def service_folder(tmp_path) -> Path:
    return make_service(tmp_path, "tiny-llama-test")


@pytest.fixture
def publish(github_emulator, github_settings):
    """``await publish(folders, **options)``: publish_folders with the emulator's token and fake time."""
    from wizard.github.token import Secret
    from wizard.publish.pipeline import publish_folders

    async def run(folders, **options):
        options.setdefault("token", Secret(github_emulator.token))
        options.setdefault("settings", github_settings)
        options.setdefault("sleep", github_emulator.clock.sleep)
        return await publish_folders(folders if isinstance(folders, list) else [folders], **options)

    return run
