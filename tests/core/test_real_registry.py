"""Every real service folder reads and writes back unchanged, and an edit that changes nothing changes nothing.

The folders: the 47 of the registry's dev branch (one named with a leading space, as upstream has it) and the 5
examples. "Unchanged" is byte for byte, except the final newline (the registry's files often lack one; we write
one) and the known differences below, each of which the test proves is the only one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.core.conftest import EXAMPLES, SNAPSHOT
from wizard.service.answers import answers_from_manifest
from wizard.service.manifest import read_manifest, registry_dict, registry_json
from wizard.service.plan import PlanContext, plan_service

FOLDERS = sorted(p for p in (SNAPSHOT / "dev").iterdir() if p.is_dir()) + sorted(EXAMPLES.iterdir())
# folder -> the indent its manifest.json uses, where it is not the registry's 4 spaces; written back with 4
KNOWN_INDENTS = {"dev/ audio-to-text-whisper-large-v2-q5": 2}


def name(folder: Path) -> str:
    return f"{folder.parent.name}/{folder.name}"


def test_the_folders_are_all_there():
    assert len(FOLDERS) == 52
    assert sum(f.parent.name == "dev" for f in FOLDERS) == 47
    assert {folder for folder in KNOWN_INDENTS} <= {name(f) for f in FOLDERS}


@pytest.mark.parametrize("folder", FOLDERS, ids=name)
def test_read_and_write_back_keeps_every_key_value_and_order(folder):
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    data = json.loads(text)
    manifest, _ = read_manifest(data)
    written = registry_json(manifest)
    assert json.dumps(registry_dict(manifest)) == json.dumps(data)  # keys, values and their order
    indent = KNOWN_INDENTS.get(name(folder), 4)
    # the only difference a known indent may make: dumped with that indent, ours is the file to the byte
    assert json.dumps(json.loads(written), indent=indent, ensure_ascii=False) + "\n" == text.rstrip("\n") + "\n"
    if indent == 4:
        assert written == text.rstrip("\n") + "\n"
    else:
        assert written != text.rstrip("\n") + "\n"  # a known difference that went away belongs out of the list


@pytest.mark.parametrize("folder", FOLDERS, ids=name)
def test_an_edit_that_changes_nothing_changes_nothing(folder):
    original = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    plan = plan_service(answers_from_manifest(original), PlanContext(original=original))
    assert json.dumps(plan.data) == json.dumps(original)
    assert plan.dropped == [] and plan.missing == []  # a binary service is not asked for a port or an image
    if plan.manifest is not None:
        assert plan.manifest_text == registry_json(read_manifest(original)[0])
