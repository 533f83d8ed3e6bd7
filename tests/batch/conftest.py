"""Spec files for the batch tests, written as TOML, YAML or JSON from plain dicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.core.conftest import EXAMPLES, INDEX  # noqa: F401 - re-exported for the batch tests

DESCRIPTION = "A small model used to test batch mode; it answers questions in plain English."


def service(number: int, **answers: Any) -> dict[str, Any]:
    """The answers of one good service (sizes given), numbered so that names and ids stay distinct."""
    return {"name": f"Batch Model {number:03d}", "description": DESCRIPTION,
            "gpu_image": f"ghcr.io/example/batch-model-{number}-gpu:1.0", "gpu_size": 1_000_000, **answers}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)  # numbers, and strings (a JSON string is a TOML basic string)


def write_spec(path: Path, services: list[dict[str, Any]], **defaults: Any) -> Path:
    """A spec file in the format its suffix names: defaults at the top, then the services (None: left out)."""
    services = [{key: value for key, value in answers.items() if value is not None} for answers in services]
    if path.suffix == ".toml":
        lines = [f"{key} = {_toml_value(value)}" for key, value in defaults.items()]
        for answers in services:
            lines += ["", "[[services]]", *(f"{key} = {_toml_value(value)}" for key, value in answers.items())]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif path.suffix == ".json":
        path.write_text(json.dumps({**defaults, "services": services}, indent=2), encoding="utf-8")
    else:
        import yaml

        path.write_text(yaml.safe_dump({**defaults, "services": services}, sort_keys=False), encoding="utf-8")
    return path
