"""The core knows no UI: each core module, imported alone in a fresh interpreter, loads no front end and no UI
library; the import contract in pyproject.toml says the same of every import statement, those inside functions
included; and `--help`/`--version` stay free of textual and questionary."""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE_PACKAGES = ("wizard.service", "wizard.registry", "wizard.images", "wizard.github", "wizard.publish",
                 "wizard.testing", "wizard.hub")
CORE_MODULES = ("wizard.errors", "wizard.settings")
UI_LIBRARIES = ("textual", "questionary", "prompt_toolkit")
FRONT_ENDS = ("wizard.tui", "wizard.prompts", "wizard.cli")
UI = (*UI_LIBRARIES, "wizard.tui")  # other tests import it with loaded_after


def core_modules() -> list[str]:
    """Every module of the core packages, found on disk (a module added later is checked without a word here)."""
    found = list(CORE_MODULES)
    for package in CORE_PACKAGES:
        found.append(package)
        locations = importlib.util.find_spec(package).submodule_search_locations
        found += [info.name for info in pkgutil.walk_packages(locations, prefix=package + ".")]
    return sorted(found)


def loaded_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def forbidden(modules: set[str], names: tuple[str, ...]) -> set[str]:
    return {m for m in modules if any(m == name or m.startswith(name + ".") for name in names)}


def test_every_core_module_is_found():
    modules = core_modules()
    assert len(modules) >= 40  # 41 when written; far fewer means the walk missed a package
    assert {"wizard.service.fields", "wizard.service.plan", "wizard.registry.checks", "wizard.images.lookup",
            "wizard.github.client", "wizard.publish.pipeline"} <= set(modules)


@pytest.mark.parametrize("module", core_modules())
def test_core_module_loads_no_ui(module):
    modules = loaded_after(f"import {module}")
    assert module in modules
    assert forbidden(modules, UI_LIBRARIES + FRONT_ENDS) == set()


def test_the_import_contract_is_kept():
    """import-linter reads every import statement of the core, so an import inside a function that no test runs
    still breaks the contract."""
    code = ("from importlinter.cli import lint_imports\n"
            "raise SystemExit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_the_contract_covers_the_core():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (contract,) = config["contracts"]
    assert contract["type"] == "forbidden"
    assert set(contract["source_modules"]) == set(CORE_PACKAGES + CORE_MODULES)
    assert set(contract["forbidden_modules"]) == set(UI_LIBRARIES + FRONT_ENDS)


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["new", "--help"]])
def test_help_and_version_load_no_ui(argv):
    modules = loaded_after(f"from wizard.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass")
    assert forbidden(modules, UI_LIBRARIES + ("wizard.tui", "wizard.prompts")) == set()


def test_huggingface_hub_is_imported_only_when_a_model_is_asked_for():
    new = ["new", "--name", "Typed", "--description", "A service typed by hand, with no model.", "--interface",
           "chat", "--gpu-image", "ghcr.io/x/y:1", "--gpu-size", "1", "--memory", "1 GiB", "--offline", "--dry-run"]
    runs = {"new without --from-hf": f"from wizard.cli import main\ntry:\n    main({new!r})\nexcept SystemExit:\n    pass",
            "the wizard's modules": "import wizard.tui.app, wizard.prompts.flow, wizard.hub.card, wizard.cli.from_hub"}
    for run, code in runs.items():
        assert forbidden(loaded_after(code), ("huggingface_hub",)) == set(), run
    offline = "from wizard.hub.client import fetch_model\ntry:\n    fetch_model('a/b', offline=True)\nexcept Exception:\n    pass"
    assert forbidden(loaded_after(offline), ("huggingface_hub",)) == set()  # offline: not even the import
    assert "huggingface_hub" in loaded_after("from wizard.hub.client import fetch_model\ntry:\n"
                                             "    fetch_model('a/b', endpoint='http://127.0.0.1:9', timeout=0.5)\n"
                                             "except Exception:\n    pass")  # a lookup does import it
