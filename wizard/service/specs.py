"""Spec files: TOML, YAML or JSON, read into plain mappings with errors as ``file:line:column: message``."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from wizard.errors import ManifestSyntaxError, WizardError

SPEC_SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def parse_spec_text(text: str, kind: str, source: str) -> Any:
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ManifestSyntaxError(source, error.lineno, error.colno, error.msg) from None
    if kind == "toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            where = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
            line, column = (int(where[1]), int(where[2])) if where else (1, 1)
            raise ManifestSyntaxError(source, line, column, str(error).split(" (at ")[0]) from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ManifestSyntaxError(source, line, column, error.problem or str(error)) from None
    except yaml.YAMLError as error:
        raise ManifestSyntaxError(source, 1, 1, str(error)) from None


def read_spec_file(path: Path) -> dict[str, Any]:
    kind = SPEC_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise WizardError(f"{path}: unknown spec format '{path.suffix}'", hint="use .toml, .yaml, .yml or .json")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise WizardError(f"cannot read {path}: {error.strerror}", hint="check the path") from None
    except UnicodeDecodeError:
        raise ManifestSyntaxError(str(path), 1, 1, "the file is not UTF-8 text") from None
    data = parse_spec_text(text, kind, str(path))
    if not isinstance(data, dict):
        raise WizardError(f"{path}: a spec file holds keys and values at its top level", hint="see assets/examples/")
    return data
