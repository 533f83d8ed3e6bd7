"""Spec files: TOML, YAML or JSON, read into plain mappings with errors as ``file:line:column: message``.

The keys a spec file may hold are the field table's (``fields.SPEC_KEYS``): ``volume_path``, ``env_variables``,
``command``... as well as ``name`` or ``gpu_image``; kebab-case (``gpu-image``) is read the same. Any other key
is refused, naming the known ones.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from wizard.errors import InvalidInput, ManifestSyntaxError, WizardError
from wizard.service.answers import normalise_answers, unknown_answer_keys
from wizard.service.fields import BY_PATH, SPEC_KEYS
from wizard.service.json_input import parse_json

SPEC_SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def parse_spec_text(text: str, kind: str, source: str) -> Any:
    if kind == "json":
        return parse_json(text, source)
    try:
        return _parse_toml_or_yaml(text, kind, source)
    except RecursionError:
        raise ManifestSyntaxError(source, 1, 1, "the file nests too deeply to be read") from None
    except ValueError:  # Python's own refusal of an integer of thousands of digits
        raise ManifestSyntaxError(source, 1, 1, "a number too large to read; no answer is that large") from None


def _parse_toml_or_yaml(text: str, kind: str, source: str) -> Any:
    if kind == "toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            where = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
            line, column = (int(where[1]), int(where[2])) if where else (1, 1)
            raise ManifestSyntaxError(source, line, column, str(error).split(" (at ")[0]) from None
    import yaml

    try:
        return yaml.load(text, Loader=_strict_yaml_loader())  # a SafeLoader, made stricter
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ManifestSyntaxError(source, line, column, error.problem or str(error)) from None
    except yaml.YAMLError as error:
        raise ManifestSyntaxError(source, 1, 1, str(error)) from None


def _strict_yaml_loader():
    """SafeLoader that refuses a key written twice (the last would silently win) and aliases: ``*name`` can
    make a structure that holds itself, or one that grows a thousandfold when it is written out."""
    import yaml
    from yaml.constructor import ConstructorError
    from yaml.events import AliasEvent

    class Strict(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(AliasEvent):
                raise ConstructorError(None, None, "an alias (*name); spec files are read without them: write the "
                                       "value out", self.peek_event().start_mark)
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str):
                    continue
                if key in seen:
                    raise ConstructorError(None, None, f"the key {key!r} is written twice; remove one",
                                           key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep)

    return Strict


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
        raise WizardError(f"{path}: a spec file holds keys and values at its top level", hint="`prem-new-service new --example` prints one to start from")
    return data


def unknown_key_problems(answers: Mapping[str, Any]) -> list[str]:
    """A line per key no field has, naming the one meant when it is close (``memroy``, or the manifest's
    ``volumePath``) and every known key."""
    by_manifest_name = {f.manifest_key: f.key for f in BY_PATH.values() if f.key in SPEC_KEYS}
    known = ", ".join(SPEC_KEYS)
    lines = []
    for key in unknown_answer_keys(answers):
        meant = by_manifest_name.get(key) or next(iter(get_close_matches(key, list(SPEC_KEYS), n=1)), None)
        guess = f"did you mean '{meant}'? " if meant else ""
        lines.append(f"unknown key '{key}' ({guess}known keys: {known})")
    return lines


def read_answers_file(path: Path) -> dict[str, Any]:
    """The answers of a spec file for one service, in table keys; InvalidInput when a key is unknown."""
    answers = normalise_answers(read_spec_file(path))
    unknown = unknown_key_problems(answers)
    if unknown:
        raise InvalidInput([f"{path}: {line}" for line in unknown], hint="fix the keys and run again; nothing was written")
    return answers
