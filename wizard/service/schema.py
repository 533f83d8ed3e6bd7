"""The JSON Schema of ``manifest.json``, made from the field table.

It says every rule JSON Schema can express: each field's type, pattern, range and length; which fields are
required, and where (``if``/``then`` for the conditional ones); at least one Docker image or, for a binary
service, a download. Unknown keys are allowed, as ``validate`` only warns about them.
"""

from __future__ import annotations

from typing import Any

from wizard.service.fields import ALWAYS, DOCKER, FIELDS
from wizard.service.rules import DEVICES


def _object(properties: dict[str, Any], required: list[str], **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = required
    return schema


def _at(path: str) -> tuple[list[str], str]:
    *parents, last = path.split(".")
    return parents, last


def manifest_json_schema() -> dict[str, Any]:
    top: dict[str, Any] = {}
    top_required: list[str] = []
    model_info: dict[str, Any] = {}
    image: dict[str, Any] = {}
    conditions: list[dict[str, Any]] = []
    for field in FIELDS:
        parents, key = _at(field.path)
        described = {"description": field.help + (f" ({field.daemon})" if field.daemon else ""), **field.schema}
        if parents == ["modelInfo"]:
            model_info[key] = described
        elif parents[:1] == ["dockerImages"]:
            if parents[1] == DEVICES[0]:
                image[key] = described
            continue
        else:
            top[key] = described
        if field.required is ALWAYS:
            top_required.append(key)
        elif field.required is not None:
            need = {"required": [key]} if not parents else {"properties": {"modelInfo": {"required": [key]}},
                                                             "required": ["modelInfo"]}
            conditions.append({"if": field.required.schema_if(), "then": need})
    image_schema = _object(image, ["size", "image"])
    top["modelInfo"] = _object(model_info, [], description="what the service needs to run (the Prem Daemon reads it "
                               "for every service)")
    top_required.append("modelInfo")
    top["dockerImages"] = _object({device: image_schema for device in DEVICES}, [], additionalProperties=False,
                                  description="the image for machines with a GPU and/or without")
    # a docker service needs an image; a binary one may carry an empty dockerImages, as the model allows
    conditions.append({"if": DOCKER.schema_if(), "then": {"required": ["dockerImages"],
                                                          "properties": {"dockerImages": {"minProperties": 1}}}})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Prem registry service manifest (manifest.json)",
        **_object(top, top_required),
        "allOf": conditions,
    }
