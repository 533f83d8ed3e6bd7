"""GitHub's published OpenAPI description, as the emulator's referee.

Every request body and query the client sends is checked against the operation's schema, and every
answer the emulator gives is checked against the documented responses, so neither side can drift from
GitHub. Answers start from the description's own examples, with the fields the emulator knows overridden.

The description comes from the npm package @octokit/openapi; CI installs it with the command in
``INSTALL``. Validation uses openapi-schema-validator (OpenAPI 3.0 ``nullable`` and all); the
description itself is not validated (it is large, and GitHub's).
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / ".cache/octokit/node_modules/@octokit/openapi/generated/api.github.com.json"
INSTALL = f"npm install --no-save --prefix {ROOT}/.cache/octokit @octokit/openapi"
ANY_ENDPOINT_MAY_ANSWER = {401, 403, 429, 500, 502, 503}  # auth and rate limits apply everywhere


class SpecMissing(RuntimeError):
    pass


@functools.cache
def load_spec() -> dict[str, Any]:
    if not SPEC.is_file():
        raise SpecMissing(f"GitHub's OpenAPI description is not installed at {SPEC}; run: {INSTALL}")
    return json.loads(SPEC.read_text(encoding="utf-8"))


class OpenAPI:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components = spec["components"]

    def deref(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self.pointer(node["$ref"])
        return node

    def pointer(self, ref: str) -> Any:
        node: Any = self.spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def operation(self, method: str, template: str) -> dict[str, Any]:
        return self.spec["paths"][template][method.lower()]

    def documentation_url(self, method: str, template: str) -> str:
        return self.operation(method, template).get("externalDocs", {}).get("url", "https://docs.github.com/rest")

    def problems(self, schema: dict[str, Any], instance: Any) -> list[str]:
        from openapi_schema_validator import OAS30Validator

        root = {**schema, "components": self.components}  # so "#/components/..." resolves inside the root
        return [
            f"{'/'.join(str(p) for p in error.absolute_path) or 'body'}: {error.message}"
            for error in sorted(OAS30Validator(root).iter_errors(instance), key=lambda e: list(e.absolute_path))
        ]

    def request_problems(self, method: str, template: str, query: dict[str, str], body: Any) -> list[str]:
        op = self.operation(method, template)
        found = []
        params = [self.deref(p) for p in op.get("parameters", [])]
        allowed = {p["name"]: p for p in params if p["in"] == "query"}
        for name, value in query.items():
            if name not in allowed:
                found.append(f"query parameter '{name}' is not one of {sorted(allowed)}")
            elif "enum" in allowed[name].get("schema", {}) and value not in allowed[name]["schema"]["enum"]:
                found.append(f"query parameter {name}={value!r} is not one of {allowed[name]['schema']['enum']}")
        request_body = self.deref(op.get("requestBody"))
        if request_body is None:
            if body not in (None, {}):
                found.append("this operation takes no body")
            return found
        if body is None:
            return found + (["a body is required"] if request_body.get("required") else [])
        schema = request_body["content"]["application/json"]["schema"]
        return found + self.problems(schema, body)

    def response_schema(self, method: str, template: str, status: int) -> tuple[bool, dict[str, Any] | None]:
        """Whether the status is documented, and the schema of its JSON body when there is one."""
        responses = self.operation(method, template)["responses"]
        response = self.deref(responses.get(str(status)))
        if response is None:
            return status in ANY_ENDPOINT_MAY_ANSWER, None
        content = (response.get("content") or {}).get("application/json")
        return True, None if content is None else content.get("schema")

    def response_problems(self, method: str, template: str, status: int, body: Any) -> list[str]:
        documented, schema = self.response_schema(method, template, status)
        if not documented:
            return [f"{method} {template} does not document the status {status}"]
        if schema is None and status >= 400:
            schema = {"$ref": "#/components/schemas/basic-error"}
        return [] if schema is None else self.problems(schema, body)

    def example(self, method: str, template: str, status: int) -> Any:
        """A fresh copy of the documented example answer, for the emulator to fill in."""
        response = self.deref(self.operation(method, template)["responses"][str(status)])
        examples = response["content"]["application/json"]["examples"]
        first = self.deref(next(iter(examples.values())))
        return copy.deepcopy(first["value"])
