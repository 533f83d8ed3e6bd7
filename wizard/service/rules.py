"""The rules of a manifest's values, each with the message a first-time contributor reads.

A rule is a plain function: it returns the value as the manifest stores it, or raises ``RuleBroken``
with a sentence that names no flag, no widget and no library. The field table (``fields.py``) says which
rule each field follows; the manifest model, the JSON Schema, ``validate`` and every front end use it.

Two kinds of rule per field: ``parse`` reads what a person types ('24 GiB', ' 8000 '), ``check`` judges
what a manifest stores (an int of MiB). A stored value must already be in its stored form, because the
Prem Daemon reads the file as it is.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

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
DEVICES = ("gpu", "cpu")

ID_MAX = 64
NAME_MIN, NAME_MAX = 2, 60
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 1000
TEXT_MAX = 4000  # commands, templates, paths: longer is a paste gone wrong
MEMORY_MAX_MIB = 16 * 1024 * 1024  # 16 TiB: anything above is a typo, not a model
SIZE_MAX = 2**63 - 1  # what Docker and the daemon's disk check can hold
TOKENS_MAX = 1_000_000
IMAGE_REFERENCE_MAX = 255 + 1 + 128 + 72  # repository, ':' tag, '@' digest
MIB = 1024**2

ID_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
ENV_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


class RuleBroken(ValueError):
    """A value that breaks its field's rule; ``message`` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def shown(value: Any) -> str:
    """A value quoted for a message, control characters escaped so a terminal never obeys them."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > 80:
        text = text[:77] + "…"
    return "'" + CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text) + "'"


def kind_of(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "an object", type(None): "null"}.get(type(value), type(value).__name__)


# --- text -----------------------------------------------------------------------------------------


def suggest_id(name: str) -> str:
    """A registry id made from a service name: 'Dolly v2 12B' -> 'dolly-v2-12b'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:ID_MAX].rstrip("-")


def check_id(value: Any) -> str:
    example = "for example 'dolly-v2-12b'"
    if not isinstance(value, str):
        raise RuleBroken("id_type", f"the id is {kind_of(value)}; it must be text, {example}")
    if not value:
        raise RuleBroken("id_empty", f"the id is empty; use lowercase letters, digits and hyphens, {example}")
    if len(value) > ID_MAX:
        raise RuleBroken("id_long", f"the id has {len(value)} characters; keep it to {ID_MAX} or fewer")
    if re.fullmatch(ID_PATTERN, value):
        return value
    if value != value.lower() and re.fullmatch(ID_PATTERN, value.lower()):
        raise RuleBroken("id_case", f"the id must be lowercase: write {shown(value.lower())}")
    suggestion = suggest_id(value)
    hint = f": try {shown(suggestion)}" if suggestion else ""
    bad = sorted({c for c in value if not (c.islower() and c.isascii() or c.isdigit() and c.isascii() or c == "-")})
    if not bad and (value.startswith("-") or value.endswith("-")):
        raise RuleBroken("id_hyphen_edge", f"the id cannot start or end with a hyphen{hint}")
    if not bad and "--" in value:
        raise RuleBroken("id_double_hyphen", f"the id cannot hold two hyphens in a row{hint}")
    listed = ", ".join(shown(c) for c in bad)
    verb = "is" if len(bad) == 1 else "are"
    raise RuleBroken("id_chars", f"the id may only hold lowercase letters, digits and single hyphens; {listed} {verb} "
                     f"not allowed{hint}")


def line_of_text(label: str, low: int, high: int, advice: str, *, lines: bool = False):
    """A rule for text: no control characters (newlines only where ``lines``), no blank edges, a length range."""
    control = CONTROL_BUT_NEWLINE if lines else CONTROL

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise RuleBroken(f"{label}_type", f"the {label} is {kind_of(value)}; it must be text: {advice}")
        if not value.strip():
            raise RuleBroken(f"{label}_empty", f"the {label} is empty; {advice}")
        if bad := control.search(value):
            what = "a line break" if bad.group() in "\r\n" else "a control character"
            raise RuleBroken(f"{label}_control", f"the {label} holds {what} ({shown(bad.group())}); remove it")
        if value != value.strip():
            raise RuleBroken(f"{label}_space", f"the {label} starts or ends with spaces; remove them")
        if len(value) < low:
            raise RuleBroken(f"{label}_short", f"the {label} is too short ({len(value)} of at least {low} characters): "
                             f"{advice}")
        if len(value) > high:
            raise RuleBroken(f"{label}_long", f"the {label} is too long ({len(value)} characters); keep it to {high} "
                             "or fewer")
        return value

    check.__name__ = f"check_{label.replace(' ', '_')}"
    return check


check_name = line_of_text("name", NAME_MIN, NAME_MAX, "the name people see in Prem, e.g. 'Dolly v2 12B'")
check_description = line_of_text("description", DESCRIPTION_MIN, DESCRIPTION_MAX,
                                 "a sentence or two on what the model does and who made it")
check_command = line_of_text("command", 1, TEXT_MAX, "the arguments the image's entrypoint gets, e.g. 'serve --model X'")
check_prompt_template = line_of_text("prompt template", 1, TEXT_MAX, "how a prompt is wrapped for this model, with "
                                     "'{prompt}' where the user's text goes", lines=True)
check_version = line_of_text("version", 1, 64, "the version of the binaries, e.g. '1.0.0'")
check_serve_command = line_of_text("serve command", 1, TEXT_MAX, "how the binary is started")


def check_container_path(value: Any) -> str:
    text = line_of_text("volume path", 1, TEXT_MAX, "an absolute path inside the container, e.g. '/data'")(value)
    if not text.startswith("/"):
        raise RuleBroken("path_relative", f"the volume path {shown(text)} must be absolute, e.g. '/data'")
    return text


def check_flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise RuleBroken("flag_type", f"{shown(value)} is {kind_of(value)}; write true or false")
    return value


def parse_flag(value: Any) -> bool:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "yes", "y", "on", "1"):
            return True
        if word in ("false", "no", "n", "off", "0"):
            return False
        raise RuleBroken("flag_type", f"{shown(value)} is not yes or no; write true or false")
    return check_flag(value)


# --- interfaces -----------------------------------------------------------------------------------


def check_interface(value: Any) -> str:
    if isinstance(value, str) and value in INTERFACES:
        return value
    if isinstance(value, str) and value in LEGACY_INTERFACES:
        raise RuleBroken("interface_legacy", f"the interface {shown(value)} is an old name; write "
                         f"'{LEGACY_INTERFACES[value]}' instead")
    if isinstance(value, str) and value.strip().lower() in INTERFACES:
        raise RuleBroken("interface_case", f"interfaces are lowercase: write '{value.strip().lower()}'")
    raise RuleBroken("interface_unknown", f"{shown(value)} is not a Prem interface; choose from {', '.join(INTERFACES)}")


def check_interfaces(values: Any) -> list[str]:
    if not isinstance(values, list):
        raise RuleBroken("interfaces_type", f"the interfaces are {kind_of(values)}; give a list, e.g. [\"chat\"]")
    if not values:
        raise RuleBroken("interfaces_empty", f"name at least one interface: {', '.join(INTERFACES)}")
    checked = [check_interface(v) for v in values]
    repeated = sorted({v for v in checked if checked.count(v) > 1})
    if repeated:
        raise RuleBroken("interfaces_repeated", f"the interface {', '.join(repeated)} is listed twice; list each once")
    return checked


def parse_interfaces(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [part.strip() for part in re.split(r"[,\s]+", value) if part.strip()]
    return check_interfaces(value)


# --- image references (syntax only; wizard.images owns the full grammar) ------------------------

REFERENCE_PATTERN = (
    r"(?:(?:[A-Za-z0-9.-]+(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?)/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?"
)


def check_image_reference(value: Any) -> str:
    example = "for example 'ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2'"
    if not isinstance(value, str):
        raise RuleBroken("image_type", f"the image reference is {kind_of(value)}; it must be text, {example}")
    if not value.strip():
        raise RuleBroken("image_empty", f"the image reference is empty; {example}")
    if any(c.isspace() for c in value):
        raise RuleBroken("image_space", "the image reference cannot hold spaces")
    if len(value) > IMAGE_REFERENCE_MAX:
        raise RuleBroken("image_long", f"the image reference is {len(value)} characters; that is longer than any "
                         "registry allows")
    if re.fullmatch(REFERENCE_PATTERN, value, flags=re.ASCII):
        return value
    first, _, rest = value.partition("/")
    path = rest if rest and ("." in first or ":" in first or first == "localhost") else value
    path = path.split("@", 1)[0]
    path = path.rsplit(":", 1)[0] if ":" in path.split("/")[-1] else path
    if path != path.lower():
        raise RuleBroken("image_case", f"the repository part {shown(path)} must be lowercase; {example}")
    raise RuleBroken("image_syntax", f"{shown(value)} is not an image reference; {example}")


# --- lists and addresses --------------------------------------------------------------------------


def lines_of(label: str, check_line):
    """A rule for a list of text lines; ``parse`` also takes one string with a line each."""

    def check(values: Any) -> list[str]:
        if not isinstance(values, list):
            raise RuleBroken(f"{label}_type", f"the {label} are {kind_of(values)}; give a list of lines")
        for number, line in enumerate(values, start=1):
            if not isinstance(line, str):
                raise RuleBroken(f"{label}_type", f"line {number} of the {label} is {kind_of(line)}; each line is text")
            check_line(line, number)
        return values

    def parse(value: Any) -> list[str]:
        if isinstance(value, str):
            value = [line.strip() for line in value.splitlines() if line.strip()]
        return check(value)

    return check, parse


def _env_line(line: str, number: int) -> None:
    if CONTROL.search(line):
        raise RuleBroken("env_control", f"environment line {number} holds a control character; remove it")
    name, equals, _ = line.partition("=")
    if not equals or not re.fullmatch(ENV_NAME, name):
        raise RuleBroken("env_syntax", f"environment line {number} ({shown(line)}) is not KEY=VALUE; the key is letters, "
                         "digits and '_', e.g. 'POSTGRES_USER=postgres'")


def _command_line(line: str, number: int) -> None:
    if not line.strip() or CONTROL.search(line):
        raise RuleBroken("exec_syntax", f"command {number} is empty or holds a control character")


check_env_variables, parse_env_variables = lines_of("environment variables", _env_line)
check_exec_commands, parse_exec_commands = lines_of("commands", _command_line)


def check_text(value: Any) -> str:
    if not isinstance(value, str):
        raise RuleBroken("text_type", f"{shown(value)} is {kind_of(value)}; it must be text")
    return value


def check_optional_text(value: Any) -> str | None:
    return None if value is None else check_text(value)
