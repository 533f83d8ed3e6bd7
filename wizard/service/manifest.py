"""The service manifest (``manifest.json``) as the Prem registry really uses it.

Field rules live here once, as constrained types; every front end shows their messages as they are.
A manifest read from a file keeps the key order it had and every key we do not know, so reading and
writing a real manifest changes nothing. A manifest built from answers gets the key order of the
registry's own example (``SEED_ORDER``).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from wizard.errors import InvalidInput, ManifestSyntaxError

INTERFACES: dict[str, str] = {
    "chat": "talks: a language model answering messages (OpenAI chat completions API)",
    "embeddings": "turns text into vectors for search and clustering (OpenAI embeddings API)",
    "vector-store": "stores vectors and finds the nearest ones (a vector database)",
    "coder": "completes code in an editor (Tabby / copilot-style API)",
    "diffuser": "draws images from a text prompt (OpenAI images API)",
    "upscaler": "makes an image larger and sharper",
    "text-to-audio": "speaks or makes sound from text",
    "audio-to-text": "transcribes speech to text (OpenAI audio transcriptions API)",
}
LEGACY_INTERFACES = {"store": "vector-store", "copilot": "coder", "diffusion": "diffuser"}
TEXT_GENERATING_INTERFACES = frozenset({"chat", "coder"})
DEVICES = ("gpu", "cpu")

SEED_ORDER = (
    "id", "name", "beta", "description", "documentation", "icon", "modelInfo", "interfaces",
    "dockerImages", "defaultPort", "defaultExternalPort",
    # keys the seed example does not show, in the order real manifests tend to carry them
    "serviceType", "version", "weightsDirectoryUrl", "weightsFiles", "binariesUrl", "serveCommand",
    "skipHealthCheck", "envVariables", "volumePath", "execCommands", "command", "promptTemplate", "comingSoon",
)  # fmt: skip
MODEL_INFO_ORDER = ("memoryRequirements", "tokensPerSecond")
DOCKER_IMAGE_ORDER = ("size", "image")

ID_MAX = 64
NAME_MIN, NAME_MAX = 2, 60
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 1000
MEMORY_MAX_MIB = 16 * 1024 * 1024  # 16 TiB: anything above is a typo, not a model
IMAGE_REFERENCE_MAX = 255 + 1 + 128 + 72  # repository, ':' tag, '@' digest


def _problem(kind: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, context or None)


def _lenient(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("lenient"))


def rule(check: Callable[[Any], Any]) -> Callable[[Any, ValidationInfo], Any]:
    """A field rule. Read leniently (an existing manifest), a broken rule keeps the value as written."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        try:
            return check(value)
        except PydanticCustomError:
            if _lenient(info):
                return value
            raise

    validate.__name__ = check.__name__
    return validate


# --- id -------------------------------------------------------------------------------------------

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def suggest_id(name: str) -> str:
    """A registry id made from a service name: 'Dolly v2 12B' -> 'dolly-v2-12b'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:ID_MAX].rstrip("-")


def check_id(value: str) -> str:
    example = "for example 'dolly-v2-12b'"
    if not value:
        raise _problem("id_empty", f"the id is empty; use lowercase letters, digits and hyphens, {example}")
    if len(value) > ID_MAX:
        raise _problem("id_long", f"the id has {len(value)} characters; keep it to {ID_MAX} or fewer")
    if ID_PATTERN.match(value):
        return value
    if value != value.lower() and ID_PATTERN.match(value.lower()):
        raise _problem("id_case", f"the id must be lowercase: write '{value.lower()}'")
    suggestion = suggest_id(value)
    hint = f": try '{suggestion}'" if suggestion else ""
    bad = sorted({c for c in value if not (c.islower() and c.isascii() or c.isdigit() or c == "-")})
    if not bad and (value.startswith("-") or value.endswith("-")):
        raise _problem("id_hyphen_edge", f"the id cannot start or end with a hyphen{hint}")
    if not bad and "--" in value:
        raise _problem("id_double_hyphen", f"the id cannot hold two hyphens in a row{hint}")
    shown = ", ".join(repr(c) for c in bad)
    verb = "is" if len(bad) == 1 else "are"
    raise _problem("id_chars", f"the id may only hold lowercase letters, digits and single hyphens; {shown} {verb} not allowed{hint}")


ServiceId = Annotated[str, AfterValidator(rule(check_id))]


# --- text ------------------------------------------------------------------------------------------


def _length_rule(label: str, low: int, high: int, advice: str):
    def check(value: str) -> str:
        text = value.strip()
        if not text:
            raise _problem(f"{label}_empty", f"the {label} is empty; {advice}")
        if len(text) < low:
            raise _problem(f"{label}_short", f"the {label} is too short ({len(text)} of at least {low} characters): {advice}")
        if len(text) > high:
            raise _problem(f"{label}_long", f"the {label} is too long ({len(text)} characters); keep it to {high} or fewer")
        return value

    return AfterValidator(rule(check))


ServiceName = Annotated[str, _length_rule("name", NAME_MIN, NAME_MAX, "the name people see in Prem, e.g. 'Dolly v2 12B'")]
Description = Annotated[
    str,
    _length_rule("description", DESCRIPTION_MIN, DESCRIPTION_MAX, "a sentence or two on what the model does and who made it"),
]


# --- interfaces -----------------------------------------------------------------------------------


def check_interface(value: str) -> str:
    if value in INTERFACES:
        return value
    if value in LEGACY_INTERFACES:
        raise _problem(
            "interface_legacy",
            f"the interface '{value}' is an old name; write '{LEGACY_INTERFACES[value]}' instead",
        )
    close = value.strip().lower()
    if close in INTERFACES:
        raise _problem("interface_case", f"interfaces are lowercase: write '{close}'")
    raise _problem(
        "interface_unknown", f"'{value}' is not a Prem interface; choose from {', '.join(INTERFACES)}"
    )


def check_interfaces(values: list[str]) -> list[str]:
    if not values:
        raise _problem("interfaces_empty", f"name at least one interface: {', '.join(INTERFACES)}")
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise _problem("interfaces_repeated", f"the interface {', '.join(repeated)} is listed twice; list each once")
    return values


Interface = Annotated[str, AfterValidator(rule(check_interface))]
Interfaces = Annotated[list[Interface], AfterValidator(rule(check_interfaces))]


# --- image references (syntax only; wizard.images owns the full grammar) ------------------------

_REFERENCE_SHAPE = re.compile(
    r"^(?:(?P<host>[A-Za-z0-9.-]+(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?)/)?"
    r"(?P<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)


def check_image_reference(value: str) -> str:
    example = "for example 'ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2'"
    text = value.strip()
    if not text:
        raise _problem("image_empty", f"the image reference is empty; {example}")
    if text != value or any(c.isspace() for c in text):
        raise _problem("image_space", "the image reference cannot hold spaces")
    if len(text) > IMAGE_REFERENCE_MAX:
        raise _problem("image_long", f"the image reference is {len(text)} characters; that is longer than any registry allows")
    if _REFERENCE_SHAPE.match(text):
        return value
    first, _, rest = text.partition("/")
    path = rest if rest and ("." in first or ":" in first or first == "localhost") else text
    path = path.split("@", 1)[0].rsplit(":", 1)[0] if ":" in path.split("/")[-1] else path.split("@", 1)[0]
    if path != path.lower():
        raise _problem("image_case", f"the repository part '{path}' must be lowercase; {example}")
    raise _problem("image_syntax", f"'{value}' is not an image reference; {example}")


ImageReference = Annotated[str, AfterValidator(rule(check_image_reference))]


# --- sizes and memory -----------------------------------------------------------------------------

_QUANTITY = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>[A-Za-z]*)\s*$")
# binary units, SI units, and Docker's one-letter units (which are binary: `--memory 24g` is 24 GiB)
_UNITS = {
    "": None, "b": 1,
    "k": 1024, "kib": 1024, "kb": 1000,
    "m": 1024**2, "mib": 1024**2, "mb": 1000**2,
    "g": 1024**3, "gib": 1024**3, "gb": 1000**3,
    "t": 1024**4, "tib": 1024**4, "tb": 1000**4,
}  # fmt: skip
MIB = 1024**2


def parse_quantity(value: Any, *, bare_unit: int, what: str, example: str) -> int:
    """Bytes from a number (in ``bare_unit``) or a number with a unit; rounds up."""
    if isinstance(value, bool):
        raise _problem(f"{what}_type", f"the {what} must be a number, {example}")
    if isinstance(value, int):
        return value * bare_unit
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _problem(f"{what}_type", f"the {what} must be a number, {example}")
        return math.ceil(value * bare_unit)
    if not isinstance(value, str):
        raise _problem(f"{what}_type", f"the {what} must be a number, {example}")
    match = _QUANTITY.match(value)
    unit_key = match["unit"].lower() if match else None
    if not match or unit_key not in _UNITS:
        raise _problem(f"{what}_syntax", f"could not read '{value}' as {what}; {example}")
    factor = _UNITS[unit_key] or bare_unit
    return math.ceil(float(match["number"]) * factor)


def parse_memory_mib(value: Any) -> int:
    example = "write MiB like 24576, or with a unit: '24 GiB', '14.5GB', '24g'"
    mib = math.ceil(parse_quantity(value, bare_unit=MIB, what="memory", example=example) / MIB)
    if mib <= 0:
        raise _problem("memory_zero", f"the memory must be more than 0; {example}")
    if mib > MEMORY_MAX_MIB:
        raise _problem("memory_huge", f"{mib} MiB is more than 16 TiB; {example}")
    return mib


def parse_size_bytes(value: Any) -> int:
    example = "write bytes like 40689160223, or with a unit: '37.9 GiB', '40.7GB'"
    size = parse_quantity(value, bare_unit=1, what="size", example=example)
    if size <= 0:
        raise _problem("size_zero", f"the image size must be more than 0 bytes; {example}")
    return size


def check_port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _problem("port_type", "a port is a whole number from 1 to 65535, like 8000")
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise _problem("port_type", f"'{value}' is not a port; a port is a whole number from 1 to 65535, like 8000")
        value = int(value)
    if not 1 <= value <= 65535:
        raise _problem("port_range", f"{value} is not a port; ports go from 1 to 65535")
    return value


def check_tokens_per_second(value: Any) -> Any:
    # Petals services publish "Variable": their speed depends on the swarm. Keep it; refuse other words.
    if value == "Variable":
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _problem("tps_type", "tokens per second is a number, like 18")
    if isinstance(value, str):
        try:
            value = float(value) if "." in value else int(value)
        except ValueError:
            raise _problem("tps_type", f"'{value}' is not a number; tokens per second is a number, like 18") from None
    if not value > 0 or not math.isfinite(value):
        raise _problem("tps_range", "tokens per second must be more than 0")
    return value


MemoryMiB = Annotated[int, BeforeValidator(rule(parse_memory_mib))]
SizeBytes = Annotated[int, BeforeValidator(rule(parse_size_bytes))]
Port = Annotated[int, BeforeValidator(rule(check_port))]
TokensPerSecond = Annotated[StrictInt | StrictFloat | Literal["Variable"], BeforeValidator(rule(check_tokens_per_second))]


def check_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", value):
        raise _problem("url", f"'{value}' is not a web address; it should start with https://")
    return value


Url = Annotated[str, AfterValidator(rule(check_url))]


# --- models ---------------------------------------------------------------------------------------


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


class ModelInfo(OrderedModel):
    memory_requirements: MemoryMiB | None = Field(default=None, alias="memoryRequirements")
    tokens_per_second: TokensPerSecond | None = Field(default=None, alias="tokensPerSecond")


# modelInfo keys real manifests carry besides the two of the seed
KNOWN_MODEL_INFO_EXTRAS = frozenset({"secondsPerImage", "weightsName", "weightsSize", "maxCtxTokens"})


class DockerImage(OrderedModel):
    size: SizeBytes
    image: ImageReference


class Manifest(OrderedModel):
    id: ServiceId
    name: ServiceName
    beta: StrictBool | None = None
    description: Description
    documentation: str = ""
    icon: str = ""
    model_info: ModelInfo = Field(default_factory=ModelInfo, alias="modelInfo")
    interfaces: Interfaces
    docker_images: dict[Literal["gpu", "cpu"], DockerImage] | None = Field(default=None, alias="dockerImages")
    default_port: Port | None = Field(default=None, alias="defaultPort")
    default_external_port: Port = Field(alias="defaultExternalPort")
    # binary services (run without Docker, on the user's machine)
    service_type: Literal["binary", "docker"] | None = Field(default=None, alias="serviceType")
    version: str | None = None
    weights_directory_url: Url | None = Field(default=None, alias="weightsDirectoryUrl")
    weights_files: list[str] | None = Field(default=None, alias="weightsFiles")
    binaries_url: dict[str, Url | None] | None = Field(default=None, alias="binariesUrl")
    serve_command: str | None = Field(default=None, alias="serveCommand")
    skip_health_check: StrictBool | None = Field(default=None, alias="skipHealthCheck")
    # optional runtime settings
    env_variables: list[str] | None = Field(default=None, alias="envVariables")
    volume_path: str | None = Field(default=None, alias="volumePath")
    exec_commands: list[str] | None = Field(default=None, alias="execCommands")
    command: str | None = None
    prompt_template: str | None = Field(default=None, alias="promptTemplate")
    coming_soon: StrictBool | None = Field(default=None, alias="comingSoon")

    @model_validator(mode="after")
    def _something_to_run(self, info: ValidationInfo) -> Manifest:
        has_images = bool(self.docker_images)
        has_binaries = self.service_type == "binary" and any((self.binaries_url or {}).values())
        if not has_images and not has_binaries and not _lenient(info):
            if self.service_type == "binary":
                raise _problem("no_binaries", "a binary service needs binariesUrl with at least one download address")
            raise _problem("no_images", "give at least one Docker image: dockerImages.gpu or dockerImages.cpu")
        return self

    @property
    def folder_name(self) -> str:
        return service_folder_name(self.interfaces[0], self.id)

    def unknown_key_paths(self) -> list[str]:
        paths = self.unknown_keys()
        paths += [f"modelInfo.{k}" for k in self.model_info.unknown_keys() if k not in KNOWN_MODEL_INFO_EXTRAS]
        for device, image in (self.docker_images or {}).items():
            paths += [f"dockerImages.{device}.{k}" for k in image.unknown_keys()]
        return paths


def service_folder_name(interface: str, service_id: str) -> str:
    return f"{interface}-{service_id}"


# --- errors for people ----------------------------------------------------------------------------

_PLAIN_MESSAGES = {
    "missing": "is missing",
    "bool_type": "must be true or false",
    "string_type": "must be text in quotes",
    "list_type": "must be a list [ ... ]",
    "dict_type": "must be an object {{ ... }}",
    "model_type": "must be an object {{ ... }}",
    "int_type": "must be a whole number",
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
        if kind in _PLAIN_MESSAGES:
            text = _PLAIN_MESSAGES[kind].format(**(item.get("ctx") or {}))
            message = f"{path} {text}"
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


def parse_json(text: str, source: str = "<string>") -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ManifestSyntaxError(source, error.lineno, error.colno, error.msg) from None


def read_json_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ManifestSyntaxError(str(path), 1, error.start + 1, "the file is not UTF-8 text") from None
    return parse_json(text, str(path))


def read_manifest(data: Mapping[str, Any]) -> tuple[Manifest, list[tuple[str, str]]]:
    """An existing manifest, kept exactly as written, and the rules it breaks as (field path, message).

    Structural problems (a list where an object belongs, text where a number belongs) still raise
    ``InvalidInput``: there is no manifest to keep then.
    """
    try:
        Manifest.model_validate(data)
        problems: list[tuple[str, str]] = []
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


def manifest_json_schema() -> dict[str, Any]:
    schema = Manifest.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Prem registry service manifest (manifest.json)"
    return schema
