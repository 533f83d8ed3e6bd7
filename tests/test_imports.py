"""The core knows no UI: importing it, or running --help/--version, loads neither textual nor questionary."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE = ["wizard.service.manifest", "wizard.registry.checks", "wizard.service.render", "wizard.service.answers", "wizard.service.specs", "wizard.settings"]
UI = ("textual", "questionary", "wizard.tui", "prompt_toolkit")


def loaded_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", CORE)
def test_core_module_loads_no_ui(module):
    modules = loaded_after(f"import {module}")
    assert not {m for m in modules if m.split(".")[0] in UI or m.startswith("wizard.tui")}


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["new", "--help"]])
def test_help_and_version_load_no_ui(argv):
    modules = loaded_after(f"from wizard.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass")
    assert not {m for m in modules if m.split(".")[0] in UI}
