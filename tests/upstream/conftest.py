"""The real registry's folders that are not named {interfaces[0]}-{id}, and the fixtures of the front ends'
own tests (the fake questionary's settings and index, the app and its fake network)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.prompts.conftest import index, printed, settings  # noqa: F401 - fixtures for the prompts' tests
from tests.tui.conftest import make_app, network  # noqa: F401 - fixtures for the app's tests
from wizard.registry.index import entry_folder, folder_key

SNAPSHOT = Path(__file__).resolve().parents[2].parent / "shared" / "registry-snapshot"
INDEX = SNAPSHOT / "manifests.json"
DEV = SNAPSHOT / "dev"
ENTRIES = json.loads(INDEX.read_text(encoding="utf-8"))
DESCRIPTION = "A service made to test that folders held upstream are refused, whatever the front end."


def mismatched() -> list[tuple[str, str, str, dict]]:
    """(folder, interface, id, holder) for each upstream folder not named {interfaces[0]}-{id}: the interface
    and id a new service would need to land in that folder."""
    found = []
    for entry in ENTRIES:
        folder, interface = entry_folder(entry), entry["interfaces"][0]
        if folder_key(folder) != folder_key(f"{interface}-{entry['id']}"):
            found.append((folder, interface, folder.strip()[len(interface) + 1:], entry))
    return found


MISMATCHED = mismatched()
IDS = [folder.strip() for folder, *_ in MISMATCHED]


def taken_message(service_id: str, interface: str, holder: dict) -> str:
    """The start of what every front end says of the folder: which folder, and the service holding it."""
    return f"the folder '{interface}-{service_id}' ({{first interface}}-{{id}}) is taken by '{holder['name']}'"
