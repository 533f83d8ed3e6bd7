"""The service manifest (``manifest.json``): a pydantic model made from the field table, and registry-style JSON.

Every field's rule comes from ``fields.FIELDS``; this module only arranges them into models. A manifest read
from a file keeps the key order it had and every key we do not know, so reading and writing a real manifest
changes nothing. A manifest built from answers gets the key order of the registry's own example
(``SEED_ORDER``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic import Field as ModelField
from pydantic_core import PydanticCustomError

from wizard.errors import InvalidInput, ManifestSyntaxError
from wizard.service.fields import ALWAYS, BY_PATH, DOCKER, FIELDS, Field
from wizard.service.json_input import parse_json
from wizard.service.rules import DEVICES, RuleBroken, shown

SEED_ORDER = (
    "id", "name", "beta", "description", "documentation", "icon", "modelInfo", "interfaces",
    "dockerImages", "defaultPort", "defaultExternalPort",
    # keys the seed example does not show, in the order real manifests tend to carry them
    "serviceType", "version", "weightsDirectoryUrl", "weightsFiles", "binariesUrl", "serveCommand",
    "skipHealthCheck", "envVariables", "volumePath", "execCommands", "command", "promptTemplate", "comingSoon",
)  # fmt: skip
MODEL_INFO_ORDER = ("memoryRequirements", "tokensPerSecond")
DOCKER_IMAGE_ORDER = ("size", "image")


def _lenient(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("lenient"))


def _validator(field: Field):
    """The field's rule as pydantic runs it. Read leniently (an existing manifest), a broken rule keeps the
    value as written, so nothing of a real manifest is lost."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        try:
            return field.check(value)
        except RuleBroken as broken:
            if _lenient(info):
                return value
            raise PydanticCustomError(broken.code, broken.message) from None

    return BeforeValidator(validate)


def attribute(key: str) -> str:
    """memoryRequirements -> memory_requirements: the model's attribute for a manifest key."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


class OrderedModel(BaseModel):
    """Remembers the key order of the mapping it was read from, so writing it back keeps that order."""

    # defer_build: the schema is built on first use, not at import, which keeps start-up short
    model_config = ConfigDict(extra="allow", populate_by_name=True, validate_assignment=False, defer_build=True)
    _key_order: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _remember_order(cls, data: Any, handler):
        model = handler(data)
        if isinstance(data, Mapping):
            model._key_order = tuple(data)
        return model

    def unknown_keys(self) -> list[str]:
        return list(self.model_extra or {})


def _model(name: str, prefix: str, base: type[OrderedModel] = OrderedModel, needed: tuple[str, ...] = (),
           **extra: Any) -> type[OrderedModel]:
    """A model of the table's fields directly under ``prefix`` ('' for the top level); ``needed`` keys are
    required there although the table does not require them of every service."""
    definitions: dict[str, Any] = {}
    for field in FIELDS:
        parent, _, key = field.path.rpartition(".")
        if parent != prefix:
            continue
        always = field.required is ALWAYS or key in needed
        definitions[attribute(key)] = (Annotated[Any, _validator(field)],
                                       ModelField(... if always else None, alias=key))
    return create_model(name, __base__=base, **definitions, **extra)


ModelInfo = _model("ModelInfo", "modelInfo")
# gpu and cpu images follow the same rules; the gpu entries of the table describe both. An image is pulled only
# after its size is compared with the free disk, so an image needs both.
DockerImage = _model("DockerImage", "dockerImages.gpu", needed=("size", "image"))


class _ManifestBase(OrderedModel):
    @model_validator(mode="after")
    def _conditional_rules(self, info: ValidationInfo) -> Any:
        if _lenient(info):
            return self
        data = registry_dict(self)
        problems: list[tuple[str, str]] = []  # (field path, message), so each is reported where it belongs
        if "modelInfo" not in data:  # the Prem Daemon reads service["modelInfo"] of every service
            problems.append(("modelInfo", ("modelInfo is missing: what the service needs to run, an object such as "
                             '{"memoryRequirements": 24576} ({} when nothing is known)')))
        if DOCKER.holds_for(data) and not data.get("dockerImages"):
            problems.append(("dockerImages", "give at least one Docker image: dockerImages.gpu or dockerImages.cpu"))
        for field in FIELDS:
            if field.path.startswith("modelInfo.") and "modelInfo" not in data:
                continue  # said once, above
            if field.required not in (None, ALWAYS) and field.required.holds_for(data) and value_at(data, field.path) is None:
                problems.append((field.path, f"{field.path} is missing: {field.help} (needed {field.required.says})"))
        if problems:
            raise PydanticCustomError("conditional", "; ".join(m for _, m in problems), {"problems": problems})
        return self


Manifest = _model(
    "Manifest", "", base=_ManifestBase,
    model_info=(ModelInfo, ModelField(default_factory=ModelInfo, alias="modelInfo")),
    # left out is fine (a binary service); null is not an object of images
    docker_images=(dict[Literal["gpu", "cpu"], DockerImage], ModelField(None, alias="dockerImages")),
)


def folder_name(manifest: Any) -> str:
    return service_folder_name(manifest.interfaces[0], manifest.id)


def unknown_key_paths(manifest: Any) -> list[str]:
    paths = manifest.unknown_keys()
    paths += [f"modelInfo.{k}" for k in manifest.model_info.unknown_keys()]
    for device, image in (manifest.docker_images or {}).items():
        paths += [f"dockerImages.{device}.{k}" for k in image.unknown_keys()]
    return paths


Manifest.folder_name = property(folder_name)
Manifest.unknown_key_paths = unknown_key_paths


def service_folder_name(interface: str, service_id: str) -> str:
    return f"{interface}-{service_id}"


def value_at(data: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a manifest mapping, or None."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


# --- errors for people ----------------------------------------------------------------------------

_PLAIN_MESSAGES = {
    "bool_type": "must be true or false",
    "list_type": "must be a list [ ... ]",
    "dict_type": "must be an object {{ ... }}",
    "model_type": "must be an object {{ ... }}",
    "model_attributes_type": "must be an object {{ ... }}",
    "literal_error": "must be one of {expected}",
}


def field_path(loc: Iterable[Any]) -> str:
    return ".".join(str(part) for part in loc if not str(part).startswith("function-")) or "manifest"


def explain(error: ValidationError) -> list[tuple[str, str]]:
    """(field path, message) for each problem, in words a first-time contributor understands."""
    problems = []
    for item in error.errors(include_url=False):
        loc = [p for p in item["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))]
        path = field_path(loc)
        kind = item["type"]
        known = BY_PATH.get(re.sub(r"^dockerImages\.cpu\.", "dockerImages.gpu.", path))
        if kind == "conditional" and (item.get("ctx") or {}).get("problems"):
            problems += [tuple(problem) for problem in item["ctx"]["problems"]]
            continue
        if kind == "missing":
            message = f"{path} is missing" + (f": {known.help}" if known else "")
        elif kind in _PLAIN_MESSAGES:
            message = f"{path} {_PLAIN_MESSAGES[kind].format(**(item.get('ctx') or {}))}"
            if kind == "literal_error" and path.startswith("dockerImages."):
                message = f"{shown(path.split('.')[1])} is not a device of dockerImages; use {' or '.join(DEVICES)}"
        else:
            message = item["msg"].removeprefix("Value error, ")
        problems.append((path, message))
    return problems


def problem_line(path: str, message: str) -> str:
    """'field: message', unless the message already starts by naming the field."""
    return message if message.startswith(path) else f"{path}: {message}"


def validate_manifest(data: Mapping[str, Any]) -> Manifest:
    try:
        return Manifest.model_validate(data)
    except ValidationError as error:
        raise InvalidInput([problem_line(*problem) for problem in explain(error)]) from None


# --- registry-style JSON --------------------------------------------------------------------------


def _ordered(keys: Iterable[str], remembered: tuple[str, ...], canonical: tuple[str, ...]) -> list[str]:
    keys = list(keys)
    rank = {k: i for i, k in enumerate(remembered or canonical)}
    fallback = {k: len(rank) + i for i, k in enumerate(canonical)}
    return sorted(keys, key=lambda k: rank.get(k, fallback.get(k, len(rank) + len(fallback))))


def _plain(value: Any) -> Any:
    if isinstance(value, OrderedModel):
        return registry_dict(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def registry_dict(model: OrderedModel) -> dict[str, Any]:
    """The model as the registry writes it: keys it was given (by alias), in remembered or seed order."""
    canonical = {Manifest: SEED_ORDER, ModelInfo: MODEL_INFO_ORDER, DockerImage: DOCKER_IMAGE_ORDER}.get(type(model), ())
    values: dict[str, Any] = {}
    for name in model.model_fields_set:
        info = type(model).model_fields.get(name)
        if info is None:
            continue
        values[info.alias or name] = _plain(getattr(model, name))
    for key, value in (model.model_extra or {}).items():
        values[key] = value
    return {key: values[key] for key in _ordered(values, model._key_order, canonical)}


def registry_json(data: OrderedModel | Mapping[str, Any]) -> str:
    """4-space indent, non-ASCII kept as is, trailing newline: how the registry's files look."""
    plain = registry_dict(data) if isinstance(data, OrderedModel) else data
    return json.dumps(plain, indent=4, ensure_ascii=False) + "\n"


def read_json_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ManifestSyntaxError(str(path), 1, error.start + 1, "the file is not UTF-8 text") from None
    return parse_json(text, str(path))


def read_manifest(data: Mapping[str, Any]) -> tuple[Manifest, list[tuple[str, str]]]:
    """An existing manifest, kept exactly as written, and the rules it breaks as (field path, message).

    Structural problems (a list where an object belongs) still raise ``InvalidInput``: there is no
    manifest to keep then.
    """
    try:
        return Manifest.model_validate(data), []  # it follows every rule: the lenient read would be the same
    except ValidationError as error:
        problems = explain(error)
    try:
        model = Manifest.model_validate(data, context={"lenient": True})
    except ValidationError as error:
        raise InvalidInput([problem_line(*problem) for problem in explain(error)]) from None
    return model, problems


def read_manifest_file(path: Path) -> Manifest:
    data = read_json_file(path)
    if not isinstance(data, dict):
        raise InvalidInput([f"{path}: a manifest is a JSON object {{ ... }}, not a {type(data).__name__}"])
    try:
        return validate_manifest(data)
    except InvalidInput as error:
        raise InvalidInput([f"{path}: {p}" for p in error.problems]) from None
