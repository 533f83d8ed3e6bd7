"""The answers a contributor gives, and how they become a manifest.

Every front end (flags, spec files, prompts, the Textual app, batch mode) gathers the same answers,
keyed as in ``ANSWERS``, and hands them here. The rules are the manifest's own: this module only maps
answers to manifest fields and manifest problems back to the answer that caused them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from wizard.errors import InvalidInput
from wizard.service.manifest import (
    DEVICES,
    Description,
    ImageReference,
    Interfaces,
    Manifest,
    MemoryMiB,
    Port,
    ServiceId,
    ServiceName,
    SizeBytes,
    TokensPerSecond,
    explain,
    suggest_id,
)

DEFAULT_PORT = 8000


@dataclass(frozen=True)
class Answer:
    key: str
    label: str
    help: str
    manifest_path: str
    type_: Any = None

    @property
    def flag(self) -> str:
        return "--interface" if self.key == "interfaces" else "--" + self.key.replace("_", "-")


ANSWERS: tuple[Answer, ...] = (
    Answer("name", "Name", "the name people see in Prem, e.g. 'Dolly v2 12B'", "name", ServiceName),
    Answer("id", "Id", "lowercase letters, digits and hyphens; suggested from the name", "id", ServiceId),
    Answer("description", "Description", "a sentence or two on what the model does and who made it", "description", Description),
    Answer("beta", "Beta", "true for a new service (the registry suggests it)", "beta", bool),
    Answer("interfaces", "Interfaces", "what the service speaks: chat, embeddings, vector-store, ...", "interfaces", Interfaces),
    Answer("gpu_image", "GPU image", "the image Prem runs on machines with a GPU", "dockerImages.gpu.image", ImageReference),
    Answer("gpu_size", "GPU image size", "download size in bytes (or 37.9 GiB); looked up when left out", "dockerImages.gpu.size", SizeBytes),
    Answer("cpu_image", "CPU image", "the image Prem runs on machines without a GPU", "dockerImages.cpu.image", ImageReference),
    Answer("cpu_size", "CPU image size", "download size in bytes (or 1.2 GB); looked up when left out", "dockerImages.cpu.size", SizeBytes),
    Answer("memory", "Memory", "memory the service needs: 24576 (MiB), '24 GiB', '14.5GB' or '24g'", "modelInfo.memoryRequirements", MemoryMiB),
    Answer("tokens_per_second", "Tokens per second", "for text generation: how fast it answers", "modelInfo.tokensPerSecond", TokensPerSecond),
    Answer("port", "Port", "the port the service listens on inside its container (keep 8000 if you can)", "defaultPort", Port),
    Answer("external_port", "External port", "the port on the user's machine; a free one is picked when left out", "defaultExternalPort", Port),
)
BY_KEY = {a.key: a for a in ANSWERS}
BY_PATH = {a.manifest_path: a for a in ANSWERS}


@cache
def _adapter(key: str) -> TypeAdapter:
    return TypeAdapter(BY_KEY[key].type_)


def check_answer(key: str, value: Any) -> str | None:
    """The message for one answer as it is typed, or None when it is fine."""
    try:
        _adapter(key).validate_python(value)
    except ValidationError as error:
        return "; ".join(message for _, message in explain(error))
    return None


def answer_problems(answers: Mapping[str, Any]) -> list[str]:
    """``--flag: message`` for each answer given that breaks its own rule (before any network call)."""
    return [f"{BY_KEY[key].flag}: {message}" for key, value in answers.items()
            if key in BY_KEY and (message := check_answer(key, value))]


def normalise_answers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Spec-file and flag spellings (kebab-case, 'interface') folded into ANSWERS keys; None means unset."""
    answers: dict[str, Any] = {}
    for key, value in raw.items():
        key = key.replace("-", "_")
        if key == "interface":
            key = "interfaces"
        if key == "interfaces" and isinstance(value, str):
            value = [value]
        if value is not None:
            answers[key] = value
    return answers


def unknown_answer_keys(answers: Mapping[str, Any]) -> list[str]:
    return sorted(set(answers) - set(BY_KEY))


def with_defaults(answers: Mapping[str, Any], *, external_port: int | None = None) -> dict[str, Any]:
    """Answers a contributor may leave out: id from the name, port 8000, beta on, a free external port."""
    filled = dict(answers)
    if "id" not in filled and isinstance(filled.get("name"), str) and suggest_id(filled["name"]):
        filled["id"] = suggest_id(filled["name"])
    filled.setdefault("port", DEFAULT_PORT)
    filled.setdefault("beta", True)
    if external_port is not None:
        filled.setdefault("external_port", external_port)
    return filled


REQUIRED = ("name", "id", "description", "interfaces", "memory", "external_port")
IMAGES = "images"  # the pseudo-answer "at least one image"


def missing_keys(answers: Mapping[str, Any], *, sizes_looked_up: bool = False, needs_images: bool = True) -> list[tuple[str, str]]:
    """(answer key, what it is) for each answer still needed; IMAGES when no image is given at all.
    ``needs_images`` is False for a binary service, which runs from its downloads instead."""
    missing = [(key, BY_KEY[key].help) for key in REQUIRED if key not in answers]
    if needs_images and not any(f"{device}_image" in answers for device in DEVICES):
        missing.append((IMAGES, "at least one Docker image"))
    for device in DEVICES:
        if f"{device}_image" in answers and f"{device}_size" not in answers and not sizes_looked_up:
            missing.append((f"{device}_size", BY_KEY[f"{device}_size"].help))
    return missing


def flag_for(key: str) -> str:
    return "--gpu-image or --cpu-image" if key == IMAGES else BY_KEY[key].flag


def label_for(key: str) -> str:
    return "Images" if key == IMAGES else BY_KEY[key].label


def missing_answers(answers: Mapping[str, Any], *, sizes_looked_up: bool = False) -> list[str]:
    """Lines naming each answer still needed, with the flag that gives it."""
    return [f"{flag_for(key)}: {what}" for key, what in missing_keys(answers, sizes_looked_up=sizes_looked_up)]


def manifest_data(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest as a mapping in the seed example's key order."""
    model_info = {
        key: answers[answer]
        for key, answer in (("memoryRequirements", "memory"), ("tokensPerSecond", "tokens_per_second"))
        if answers.get(answer) is not None
    }
    images = {
        device: {"size": answers.get(f"{device}_size"), "image": answers[f"{device}_image"]}
        for device in DEVICES
        if answers.get(f"{device}_image") is not None
    }
    data = {
        "id": answers.get("id"),
        "name": answers.get("name"),
        "beta": answers.get("beta", True),
        "description": answers.get("description"),
        "documentation": "",
        "icon": "",
        "modelInfo": model_info,
        "interfaces": answers.get("interfaces"),
        "dockerImages": images,
        "defaultPort": answers.get("port", DEFAULT_PORT),
        "defaultExternalPort": answers.get("external_port"),
    }
    return data


def answer_for_path(path: str) -> Answer | None:
    parts = path.split(".")
    for length in range(len(parts), 0, -1):
        answer = BY_PATH.get(".".join(parts[:length]))
        if answer:
            return answer
    if parts[0] in ("dockerImages", "manifest"):
        return BY_KEY["gpu_image"]
    return None


def problems_by_answer(answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every broken rule, keyed by the answer that has to change."""
    try:
        Manifest.model_validate(manifest_data(answers))
    except ValidationError as error:
        problems: dict[str, list[str]] = {}
        for path, message in explain(error):
            answer = answer_for_path(path)
            problems.setdefault(answer.key if answer else path, []).append(message)
        return problems
    return {}


def manifest_from_answers(answers: Mapping[str, Any]) -> Manifest:
    problems = problems_by_answer(answers)
    if problems:
        lines = [
            f"{BY_KEY[key].flag if key in BY_KEY else key}: {message}"
            for key, messages in problems.items()
            for message in messages
        ]
        raise InvalidInput(lines)
    return Manifest.model_validate(manifest_data(answers))


def answers_from_manifest(manifest: Manifest) -> dict[str, Any]:
    """The answers that would rebuild this manifest (for editing an existing service)."""
    answers: dict[str, Any] = {
        "id": manifest.id,
        "name": manifest.name,
        "description": manifest.description,
        "interfaces": list(manifest.interfaces),
        "memory": manifest.model_info.memory_requirements,
        "tokens_per_second": manifest.model_info.tokens_per_second,
        "port": manifest.default_port,
        "external_port": manifest.default_external_port,
        "beta": manifest.beta,
    }
    for device, image in (manifest.docker_images or {}).items():
        answers[f"{device}_image"] = image.image
        answers[f"{device}_size"] = image.size
    return {k: v for k, v in answers.items() if v is not None}


# --- steps ------------------------------------------------------------------------------------------
# The order every interactive front end asks in. Which answers a step needs is a rule, so it lives here.

STEPS: dict[str, tuple[str, ...]] = {
    "identity": ("name", "id", "description", "beta"),
    "interfaces": ("interfaces",),
    "images": ("gpu_image", "gpu_size", "cpu_image", "cpu_size"),
    "resources": ("memory", "tokens_per_second", "port", "external_port"),
}


def step_problems(step: str, answers: Mapping[str, Any], *, sizes_looked_up: bool = False, needs_images: bool = True) -> list[str]:
    """What stops a step from being done: broken rules and missing answers, each naming its field."""
    keys = STEPS.get(step, ())
    problems = [
        f"{BY_KEY[key].label}: {message}"
        for key in keys
        if key in answers and (message := check_answer(key, answers[key]))
    ]
    for key, what in missing_keys(answers, sizes_looked_up=sizes_looked_up, needs_images=needs_images):
        if key in keys or (key == IMAGES and step == "images"):
            problems.append(f"{label_for(key)}: missing ({what})")
    return problems


# --- editing an existing service ------------------------------------------------------------------

# manifest key -> the answers it is made of
ANSWERED_KEYS = {
    "id": ("id",), "name": ("name",), "beta": ("beta",), "description": ("description",),
    "interfaces": ("interfaces",), "dockerImages": ("gpu_image", "gpu_size", "cpu_image", "cpu_size"),
    "defaultPort": ("port",), "defaultExternalPort": ("external_port",),
}  # fmt: skip
ANSWERED_MODEL_INFO = ("memoryRequirements", "tokensPerSecond")


def apply_answers(original: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The original manifest with only the answered keys changed: every other key, nested unknown keys
    included, keeps its value and its place. Answers cleared by the contributor remove their key."""
    fresh = manifest_data(answers)
    result = dict(original)
    for key, sources in ANSWERED_KEYS.items():
        if not any(source in answers for source in sources):
            if key not in original or key in ("beta", "defaultPort"):
                continue  # never answered (or left to its default): the original stands
            result.pop(key)
            continue
        value = fresh[key]
        if key == "dockerImages":
            old = original.get("dockerImages") or {}
            devices = [d for d in old if d in value] + [d for d in value if d not in old]
            value = {device: {**(old.get(device) or {}), **value[device]} for device in devices}
        result[key] = value
    model_info = dict(original.get("modelInfo") or {})
    for key in ANSWERED_MODEL_INFO:
        if key in fresh["modelInfo"]:
            model_info[key] = fresh["modelInfo"][key]
        else:
            model_info.pop(key, None)
    if "modelInfo" in original or model_info:
        result["modelInfo"] = model_info
    return result


def edited_manifest(original: Mapping[str, Any], answers: Mapping[str, Any]) -> Manifest:
    """The edited manifest, checked by every rule; raises InvalidInput naming the answers to fix."""
    problems = problems_by_answer(answers) if any(f"{d}_image" in answers for d in DEVICES) else {}
    if problems:
        raise InvalidInput([f"{BY_KEY[k].flag if k in BY_KEY else k}: {m}" for k, ms in problems.items() for m in ms])
    from wizard.service.manifest import validate_manifest

    manifest = validate_manifest(apply_answers(original, answers))
    manifest._key_order = tuple(apply_answers(original, answers))
    return manifest
