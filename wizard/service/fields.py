"""The field table: one entry per manifest field, and everything else is made from it.

An entry says where the field sits in ``manifest.json``, the rule its value follows (``rules.py``,
``numbers.py``, ``downloads.py``), how a person is asked for it (label, help, example, step, kind), its CLI
flag and spec-file key, where a value comes from when nobody typed one, when it is asked at all, and what
the Prem Daemon does with it.

From this table come the manifest model, the JSON Schema, ``validate``'s field findings, the flags of
``new``/``batch``/``bump``/``edit``, the spec-file keys, the wizard's fields and the plain prompts. To add
a field, add an entry here; a front end that shows it needs no change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.service import downloads as d
from wizard.service import numbers as n
from wizard.service import rules as r

TEXT_GENERATING = frozenset({"chat", "coder"})


@dataclass(frozen=True)
class When:
    """Which services a field belongs to. Empty sets mean "any"; both must hold."""

    interfaces: frozenset[str] = frozenset()  # any of these among the service's interfaces
    service_types: frozenset[str] = frozenset()  # "docker" (the default) or "binary"
    not_coming_soon: bool = False  # a service announced as coming soon is exempt
    says: str = ""  # the condition in words: "for chat and coder services"

    def holds(self, interfaces: Any, service_type: Any = None, coming_soon: Any = None) -> bool:
        chosen = set(interfaces) if isinstance(interfaces, list | tuple) else set()
        if self.interfaces and not (self.interfaces & chosen):
            return False
        if self.service_types and (service_type or "docker") not in self.service_types:
            return False
        return not (self.not_coming_soon and coming_soon is True)

    def holds_for(self, manifest: Mapping[str, Any]) -> bool:
        return self.holds(manifest.get("interfaces"), manifest.get("serviceType"), manifest.get("comingSoon"))

    def schema_if(self) -> dict[str, Any]:
        """A JSON Schema that a manifest matches exactly when this condition holds."""
        parts: list[dict[str, Any]] = []
        if self.interfaces:
            parts.append({"properties": {"interfaces": {"contains": {"enum": sorted(self.interfaces)}}},
                          "required": ["interfaces"]})
        if self.service_types == {"docker"}:
            parts.append({"not": {"properties": {"serviceType": {"const": "binary"}}, "required": ["serviceType"]}})
        elif self.service_types:
            parts.append({"properties": {"serviceType": {"enum": sorted(self.service_types)}},
                          "required": ["serviceType"]})
        if self.not_coming_soon:
            parts.append({"not": {"properties": {"comingSoon": {"const": True}}, "required": ["comingSoon"]}})
        return {"allOf": parts} if parts else {}


ALWAYS = When()
DOCKER = When(service_types=frozenset({"docker"}), says="for services that run as a Docker image")
BINARY = When(service_types=frozenset({"binary"}), says="for binary services")


@dataclass(frozen=True)
class Field:
    key: str  # the answer's name: spec-file key, draft key, flag without dashes
    path: str  # where it sits in manifest.json, dotted
    label: str
    help: str  # one line a first-time contributor needs
    check: Callable[[Any], Any]  # judges a stored value (raises RuleBroken)
    schema: dict[str, Any]  # the same rule in JSON Schema, as far as it can say it
    step: str | None = None  # the wizard step that asks it; None: read and checked, never asked
    kind: str = "text"  # text | long_text | flag | interfaces | lines | image | size
    parse: Callable[[Any], Any] | None = None  # what a person types -> the stored value (default: check)
    example: str = ""
    placeholder: str = ""
    default: Any = None  # the value when nobody gives one (None: no default)
    derived: str = ""  # where a value comes from when left out: "suggested from the name", "looked up"
    when: When = ALWAYS  # asked, and kept, only where it holds
    required: When | None = None  # must be present where this holds
    daemon: str = ""  # what the Prem Daemon does with it; empty when the daemon does not read it
    flag_name: str = ""  # the CLI flag when it differs from --key
    aliases: tuple[str, ...] = field(default=())  # other spec keys accepted ("interface")

    @property
    def flag(self) -> str:
        return self.flag_name or "--" + self.key.replace("_", "-")

    @property
    def manifest_key(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    def read(self, value: Any) -> Any:
        """The stored value for what was typed; raises RuleBroken with the message to show."""
        return (self.parse or self.check)(value)

    def message(self, value: Any) -> str | None:
        try:
            self.read(value)
        except r.RuleBroken as broken:
            return broken.message
        return None


# Python's re, which jsonschema uses, lets "$" match before a final newline, so "^[a-z]+$" takes "abc\n". A control
# character searched for anywhere (and refused with "not") says the same in Python and in ECMA-262.
_NO_CONTROL = {"not": {"pattern": "[\\u0000-\\u001f\\u007f-\\u009f]"}}
_NO_CONTROL_BUT_NEWLINE = {"not": {"pattern": "[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f]"}}
_NO_BLANK_EDGES = {"not": {"pattern": "^\\s|\\s$"}}  # what str.strip() would remove
_ID_SCHEMA = {"type": "string", "pattern": f"^{r.ID_PATTERN}$", "maxLength": r.ID_MAX, **_NO_CONTROL}


def _text_schema(low: int, high: int, *, lines: bool = False) -> dict[str, Any]:
    return {"type": "string", "minLength": low, "maxLength": high,
            "allOf": [_NO_CONTROL_BUT_NEWLINE if lines else _NO_CONTROL, _NO_BLANK_EDGES]}


_PORT_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 65535}
_SIZE_SCHEMA = {"type": "integer", "minimum": 1, "maximum": r.SIZE_MAX}
_IMAGE_SCHEMA = {"type": "string", "pattern": f"^{r.REFERENCE_PATTERN}$", "maxLength": r.IMAGE_REFERENCE_MAX,
                 **_NO_CONTROL}
_URL_SCHEMA = {"type": "string", "pattern": "^https?://[^\\s/]+(?:/\\S*)?$", **_NO_CONTROL}
_LINES = {"type": "array", "items": {"type": "string", "pattern": "\\S", **_NO_CONTROL}}  # each line holds something


def _image_fields(device: str, what: str) -> tuple[Field, Field]:
    example = f"ghcr.io/premai-io/chat-dolly-v2-12b-{device}:1.0.2"
    return (
        Field(f"{device}_image", f"dockerImages.{device}.image", f"{device.upper()} image",
              f"the image Prem runs on machines {what}", r.check_image_reference, _IMAGE_SCHEMA, step="images",
              kind="image", example=example, placeholder=example, when=DOCKER,
              daemon="pulled and run; the daemon picks the GPU image on machines with a GPU"),
        Field(f"{device}_size", f"dockerImages.{device}.size", f"{device.upper()} image size",
              "in bytes (or '37.9 GiB'); looked up from the container registry when left out",
              n.check_size_bytes, _SIZE_SCHEMA, step="images", kind="size", parse=n.parse_size_bytes,
              example="40689160223", placeholder="filled in by the lookup", derived="looked up", when=DOCKER,
              daemon="compared with the free disk before the image is pulled"),
    )


FIELDS: tuple[Field, ...] = (
    Field("name", "name", "Name", "the name people see in Prem, e.g. 'Dolly v2 12B'", r.check_name,
          _text_schema(r.NAME_MIN, r.NAME_MAX), step="identity", example="Dolly v2 12B", placeholder="Dolly v2 12B",
          required=ALWAYS, daemon="shown in the Prem App"),
    Field("id", "id", "Id", "lowercase letters, digits and hyphens; suggested from the name", r.check_id, _ID_SCHEMA,
          step="identity", example="dolly-v2-12b", placeholder="dolly-v2-12b", derived="suggested from the name",
          required=ALWAYS, daemon="the key every service is known by; a second service with the same id is skipped"),
    Field("description", "description", "Description", "a sentence or two on what the model does and who made it",
          r.check_description, _text_schema(r.DESCRIPTION_MIN, r.DESCRIPTION_MAX), step="identity",
          example="Dolly-v2-12b, developed by Databricks, is an instruction-following large language model.",
          placeholder="Dolly v2 12B, developed by Databricks, is an instruction-following model…",
          required=ALWAYS, daemon="shown in the Prem App"),
    Field("beta", "beta", "Beta", "mark the service as new (the registry suggests it for new services)",
          r.check_flag, {"type": "boolean"}, step="identity", kind="flag", parse=r.parse_flag, default=True,
          daemon="shown as a badge in the Prem App"),
    Field("interfaces", "interfaces", "Interfaces", "what the service speaks; the first one names the folder",
          r.check_interfaces, {"type": "array", "minItems": 1, "uniqueItems": True,
                               "items": {"type": "string", "enum": list(r.INTERFACES)}},
          step="interfaces", kind="interfaces", parse=r.parse_interfaces, example="chat", flag_name="--interface",
          aliases=("interface",), required=ALWAYS, daemon="decides which Prem App screen uses the service"),
    *_image_fields("gpu", "with a GPU"),
    *_image_fields("cpu", "without a GPU"),
    Field("memory", "modelInfo.memoryRequirements", "Memory",
          "memory the service needs: 24576 (MiB), '24 GiB', '14.5GB' or '24g'", n.check_memory_mib,
          {"type": "integer", "minimum": 1, "maximum": r.MEMORY_MAX_MIB}, step="resources",
          parse=n.parse_memory_mib, example="24 GiB", placeholder="24 GiB",
          required=When(interfaces=frozenset(r.INTERFACES) - {"vector-store"}, not_coming_soon=True,
                        says="except for vector stores and services coming soon"),
          daemon="compared with the free memory before the service starts (MiB)"),
    Field("tokens_per_second", "modelInfo.tokensPerSecond", "Tokens per second",
          "for text generation: how fast it answers, measured on the GPU image", n.check_tokens_per_second,
          {"anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": r.TOKENS_MAX}, {"const": "Variable"}]},
          step="resources", parse=n.parse_tokens_per_second, example="18", placeholder="18",
          when=When(interfaces=TEXT_GENERATING, says="for chat and coder services"), daemon="shown in the Prem App"),
    Field("port", "defaultPort", "Port", "the port the service listens on inside its container (keep 8000 if you can)",
          n.check_port, _PORT_SCHEMA, step="resources", parse=n.parse_port, example="8000", default=8000,
          when=DOCKER, required=DOCKER, daemon="the container port the daemon publishes"),
    Field("external_port", "defaultExternalPort", "External port",
          "the port on the user's machine; a free one is picked when left out", n.check_port, _PORT_SCHEMA,
          step="resources", parse=n.parse_port, example="8339", placeholder="picked from the upstream index",
          derived="picked from the index", required=ALWAYS,
          daemon="the port on the user's machine the service answers on"),
    Field("volume_path", "volumePath", "Volume path",
          "where the service keeps its data inside the container; Prem mounts a volume there",
          r.check_container_path, {**_text_schema(1, r.TEXT_MAX), "pattern": "^/"}, step="running",
          example="/qdrant/storage", placeholder="/data",
          when=When(interfaces=frozenset({"vector-store", "coder"}), service_types=frozenset({"docker"}),
                    says="for vector stores and coders run as a Docker image"),
          daemon="a volume is mounted there, so the data outlives the container"),
    Field("env_variables", "envVariables", "Environment variables", "KEY=VALUE, one a line, set in the container",
          r.check_env_variables, {"type": "array", "items": {"type": "string", "pattern": f"^{r.ENV_NAME}=",
                                                               **_NO_CONTROL}},
          step="running", kind="lines", parse=r.parse_env_variables, example="POSTGRES_USER=postgres",
          flag_name="--env", when=DOCKER, daemon="passed to the container as its environment"),
    Field("command", "command", "Command", "the arguments the image's entrypoint gets, when its default is not right",
          r.check_command, _text_schema(1, r.TEXT_MAX), step="running",
          example="serve --model TabbyML/Codegen-2B --device cuda", when=DOCKER,
          daemon="given to the container as its command"),
    Field("exec_commands", "execCommands", "Commands after start", "shell commands run in the container once it is "
          "up, one a line", r.check_exec_commands, _LINES, step="running", kind="lines",
          parse=r.parse_exec_commands, example="psql -U postgres -c 'CREATE EXTENSION vector;'",
          flag_name="--exec-command", when=DOCKER, daemon="run in the container after it starts"),
    Field("prompt_template", "promptTemplate", "Prompt template", "how each prompt is wrapped for this model, with "
          "{prompt} where the user's text goes", r.check_prompt_template, _text_schema(1, r.TEXT_MAX, lines=True),
          step="running", kind="long_text", example="<s>[INST] {prompt} [/INST]",
          when=When(interfaces=frozenset({"chat"}), says="for chat services"),
          daemon="handed to the Prem App, which wraps each prompt in it"),
    Field("skip_health_check", "skipHealthCheck", "Skip health check", "the service has no /v1/ health endpoint",
          r.check_flag, {"type": "boolean"}, step="running", kind="flag", parse=r.parse_flag,
          daemon="does not wait for the health endpoint"),
    Field("coming_soon", "comingSoon", "Coming soon", "announce the service before it can be installed",
          r.check_flag, {"type": "boolean"}, step="running", kind="flag", parse=r.parse_flag,
          daemon="listed, but cannot be installed yet"),
    # set by the registry's index generator from the folder, or written by other tools; read and checked, not asked
    Field("documentation", "documentation", "Documentation", "the README's text, set by the index generator",
          r.check_text, {"type": "string"}, default=""),
    Field("icon", "icon", "Icon", "the logo's address, set by the index generator", r.check_text,
          {"type": "string"}, default=""),
    Field("banner", "banner", "Banner", "the banner's address, set by the index generator", r.check_optional_text,
          {"type": ["string", "null"]}),
    Field("petals", "petals", "Petals", "the service runs on the Petals swarm", r.check_flag, {"type": "boolean"}),
    Field("petals_id", "petals_id", "Petals model", "the model's name on the Petals swarm", r.check_text,
          {"type": "string"}),
    Field("seconds_per_image", "modelInfo.secondsPerImage", "Seconds per image", "for image models: how fast",
          n.check_positive_number, {"type": "number", "exclusiveMinimum": 0}),
    Field("weights_name", "modelInfo.weightsName", "Weights name", "the weights' file", r.check_text,
          {"type": "string"}),
    Field("weights_size", "modelInfo.weightsSize", "Weights size", "the weights' size", n.check_positive_number,
          {"type": "number", "exclusiveMinimum": 0}),
    Field("max_ctx_tokens", "modelInfo.maxCtxTokens", "Context length", "the longest context in tokens",
          n.check_positive_number, {"type": "number", "exclusiveMinimum": 0}),
    # binary services: run from downloads on the user's machine; read and checked, not asked
    Field("service_type", "serviceType", "Service type", "how the service runs: docker (the default) or binary",
          d.check_service_type, {"enum": ["docker", "binary"]},
          daemon="binary services run from downloads, without Docker"),
    Field("version", "version", "Version", "the version of the binaries", r.check_version,
          _text_schema(1, 64), when=BINARY),
    Field("weights_directory_url", "weightsDirectoryUrl", "Weights address", "where the weights are downloaded from",
          d.check_url, _URL_SCHEMA, when=BINARY),
    Field("weights_files", "weightsFiles", "Weights files", "the files of the weights", d.check_file_names,
          {"type": "array", "items": {"type": "string", "minLength": 1, **_NO_CONTROL}}, when=BINARY),
    Field("binaries_url", "binariesUrl", "Binaries", "the download address of the binary for each platform",
          d.check_binaries_url, {"type": "object", "minProperties": 1,
                                 "additionalProperties": {"anyOf": [_URL_SCHEMA, {"type": "null"}]},
                                 "not": {"additionalProperties": {"type": "null"}}},
          when=BINARY, required=BINARY, daemon="the binary downloaded for the user's platform"),
    Field("serve_command", "serveCommand", "Serve command", "how the binary is started", r.check_serve_command,
          _text_schema(1, r.TEXT_MAX), when=BINARY),
)


BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
BY_PATH: dict[str, Field] = {f.path: f for f in FIELDS}
# The steps every interactive front end shows, in order, with their titles: the field table's asking steps,
# then the README and logo, then the review. Each front end adds its own last step (writing, publishing).
STEP_TITLES = {"identity": "Identity", "interfaces": "Interfaces", "images": "Images", "resources": "Resources",
               "running": "Running", "docs": "Docs", "review": "Review"}

STEPS: dict[str, tuple[str, ...]] = {}
for _field in FIELDS:
    if _field.step:
        STEPS.setdefault(_field.step, ())
        STEPS[_field.step] += (_field.key,)
ASKED = tuple(f for f in FIELDS if f.step)
SPEC_KEYS: dict[str, str] = {**{f.key: f.key for f in ASKED}, **{a: f.key for f in ASKED for a in f.aliases}}


def fields_of(step: str) -> tuple[Field, ...]:
    return tuple(BY_KEY[key] for key in STEPS.get(step, ()))


def asked_for(f: Field, answers: Mapping[str, Any]) -> bool:
    """Whether the field is asked, given the answers so far (its ``when``)."""
    return f.when.holds(answers.get("interfaces"), answers.get("service_type"), answers.get("coming_soon"))
