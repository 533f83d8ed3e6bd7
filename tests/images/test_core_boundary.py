"""The images core loads no UI library, and neither does the `size` command built on it."""

from __future__ import annotations

import json
import subprocess
import sys

UI = ("textual", "questionary", "prompt_toolkit", "wizard.tui", "wizard.prompts")


def loaded_ui(imports: str, names: tuple[str, ...] = UI) -> list[str]:
    probe = (
        f"import sys, json, pkgutil, importlib, wizard.images\n{imports}\n"
        f"print(json.dumps(sorted(m for m in sys.modules if any(m == n or m.startswith(n + '.') for n in {names!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_images_imports_no_ui() -> None:
    every_module = ("for info in pkgutil.walk_packages(wizard.images.__path__, 'wizard.images.'):\n"
                    "    importlib.import_module(info.name)")
    assert loaded_ui(every_module, UI + ("wizard.cli",)) == []  # the core knows no front end either


def test_size_command_imports_no_ui() -> None:
    assert loaded_ui("import wizard.images.lookup, wizard.cli.size") == []
