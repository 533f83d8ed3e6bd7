"""The answers a contributor gives, as layers, and how they map to manifest fields and back.

Every front end gathers answers keyed as in the field table (``fields.FIELDS``) and hands them to
``plan.plan_service``. Precedence is data: ``layered(flags, spec, draft)`` is a ChainMap, and the plan puts
what it derives (an id suggested from the name, a size looked up, a port picked) and the table's defaults
below it, so a derived value never overwrites what somebody typed.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from typing import Any

from wizard.service.fields import (
    ASKED,
    BY_KEY,
    BY_PATH,
    SPEC_KEYS,
    STEPS,
    Field,
    asked_for,
)
from wizard.service.manifest import SEED_ORDER
from wizard.service.rules import DEVICES, INTERFACES, RuleBroken

IMAGES = "images"  # the pseudo-answer "at least one image"


def layered(*layers: Mapping[str, Any]) -> ChainMap:
    """Answers by precedence, the first layer winning: flags, spec file, draft."""
    return ChainMap(*(normalise_answers(layer) for layer in layers))


def check_answer(key: str, value: Any) -> str | None:
    """The message for one answer as it is typed, or None when it is fine."""
    return BY_KEY[key].message(value)


def read_answer(key: str, value: Any) -> Any:
    """The value as the manifest stores it; raises RuleBroken."""
    return BY_KEY[key].read(value)


def normalise_answers(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Spec-file and flag spellings (kebab-case, 'interface') folded into table keys; None and '' mean unset."""
    answers: dict[str, Any] = {}
    for key, value in raw.items():
        key = str(key).replace("-", "_")
        key = SPEC_KEYS.get(key, key)
        if key == "interfaces" and isinstance(value, str):
            value = [value]
        if value is not None and value != "":
            answers[key] = value
    return answers


# spec keys that are no answer but say where answers come from
SOURCE_KEYS = {"hf": "a Hugging Face model (ORG/NAME) whose answers fill in what the spec leaves out"}


def unknown_answer_keys(answers: Mapping[str, Any]) -> list[str]:
    return sorted(set(answers) - set(SPEC_KEYS) - set(SOURCE_KEYS))


def without_sources(answers: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answers.items() if key not in SOURCE_KEYS}


def answer_problems(answers: Mapping[str, Any]) -> list[str]:
    """``--flag: message`` for each answer given that breaks its own rule (before any network call)."""
    return [f"{BY_KEY[key].flag}: {message}" for key, value in answers.items()
            if key in BY_KEY and (message := check_answer(key, value))]


def flag_for(key: str) -> str:
    return "--gpu-image or --cpu-image" if key == IMAGES else BY_KEY[key].flag


def label_for(key: str) -> str:
    return "Images" if key == IMAGES else BY_KEY[key].label


def help_for(key: str) -> str:
    return "at least one Docker image" if key == IMAGES else BY_KEY[key].help


def is_docker(answers: Mapping[str, Any]) -> bool:
    return answers.get("service_type", "docker") != "binary"


def missing_keys(answers: Mapping[str, Any], *, sizes_pending: bool = False) -> list[str]:
    """Each answer still needed, in the order asked; IMAGES when a Docker service has no image at all.
    With ``sizes_pending`` a size left out is not missing: it will be looked up."""
    values = stored_values(answers)
    # while the interfaces are unknown, a field that most of them need (memory) is needed
    interfaces = values.get("interfaces", list(INTERFACES))
    missing = [f.key for f in ASKED if f.key not in answers and f.required is not None
               and f.required.holds(interfaces, values.get("service_type"), values.get("coming_soon"))]
    if is_docker(answers) and not any(f"{device}_image" in answers for device in DEVICES):
        missing.append(IMAGES)
    if not sizes_pending:
        missing += [f"{d}_size" for d in DEVICES if f"{d}_image" in answers and f"{d}_size" not in answers]
    return missing


def stored_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Each answer in its stored form where it follows its rule; broken ones are left out."""
    values = {}
    for key, value in answers.items():
        if key in BY_KEY:
            try:
                values[key] = BY_KEY[key].read(value)
            except RuleBroken:
                pass
    return values


def out_of_place(answers: Mapping[str, Any]) -> list[Field]:
    """Fields answered although their ``when`` does not hold (tokens per second for an embeddings model)."""
    values = stored_values(answers)
    if any(key in answers and key not in values for key in ("interfaces", "service_type", "coming_soon")):
        return []  # what decides `when` is itself broken: drop nothing until it is fixed
    return [BY_KEY[key] for key in answers if key in BY_KEY and not asked_for(BY_KEY[key], values)]


def step_problems(step: str, problems: Mapping[str, list[str]], missing: list[str]) -> list[str]:
    """What stops a step from being done: broken rules and missing answers, each naming its field by label."""
    keys = STEPS.get(step, ())
    found = [f"{label_for(key)}: {message}" for key in keys for message in problems.get(key, ())]
    found += [f"{label_for(key)}: missing ({help_for(key)})" for key in missing
              if key in keys or (key == IMAGES and step == "images")]
    return found


# --- answers <-> manifest -------------------------------------------------------------------------


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def manifest_data(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest as a mapping in the seed example's key order, each answer in its stored form where it
    follows its rule (as typed where it does not, so the rule's message can name it)."""
    data: dict[str, Any] = {"id": None, "name": None, "beta": None, "description": None}
    for field in BY_PATH.values():
        if field.step is None and field.default is not None:
            data[field.path] = field.default  # documentation and icon: empty, as in the seed
    data["modelInfo"] = {}
    for field in ASKED:
        if field.key in answers:
            try:
                value = field.read(answers[field.key])
            except RuleBroken:
                value = answers[field.key]
            _set(data, field.path, value)
    if any(f"{device}_image" in answers for device in DEVICES):
        images = data.pop("dockerImages", {})
        data["dockerImages"] = {d: {"size": images[d].get("size"), "image": images[d].get("image")}
                                for d in DEVICES if d in images and "image" in images[d]}
    order = {key: rank for rank, key in enumerate(SEED_ORDER)}
    return {key: data[key] for key in sorted(data, key=lambda k: order.get(k, len(order))) if data[key] is not None}


def answers_from_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The answers that would rebuild this manifest (for editing or bumping an existing service)."""
    answers: dict[str, Any] = {}
    for field in ASKED:
        node: Any = manifest
        for part in field.path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is not None:
            answers[field.key] = node
    return answers


def apply_answers(original: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The original manifest with only the answered fields changed: every other key, nested unknown keys
    included, keeps its value and its place. An asked field the answers leave out is removed."""
    fresh = manifest_data(answers)
    result: dict[str, Any] = {key: (dict(value) if isinstance(value, Mapping) else value)
                              for key, value in original.items()}
    for field in ASKED:
        *parents, last = field.path.split(".")
        source = fresh
        for part in parents:
            source = source.get(part, {}) if isinstance(source, Mapping) else {}
        node = result
        for part in parents:
            child = node.get(part)
            node[part] = dict(child) if isinstance(child, Mapping) else {}
            node = node[part]
        if last in source:
            node[last] = source[last]
        else:
            node.pop(last, None)
    images = result.get("dockerImages")
    if isinstance(images, dict):
        before = original.get("dockerImages") if isinstance(original.get("dockerImages"), Mapping) else {}
        for device, image in fresh.get("dockerImages", {}).items():
            if device not in before:
                images[device] = image  # a new device: the seed's key order

        for device in [d for d, image in images.items() if not image or "image" not in image]:
            images.pop(device)
        if not images and "dockerImages" not in original:
            result.pop("dockerImages")
    if not result.get("modelInfo") and "modelInfo" not in original:
        result.pop("modelInfo", None)
    return result
