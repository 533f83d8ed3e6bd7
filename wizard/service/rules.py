"""The rules of a manifest's values, each with the message a first-time contributor reads.

A rule is a plain function: it returns the value as the manifest stores it, or raises ``RuleBroken``
with a sentence that names no flag, no widget and no library. The field table (``fields.py``) says which
rule each field follows; the manifest model, the JSON Schema, ``validate`` and every front end use it.

Two kinds of rule per field: ``parse`` reads what a person types ('24 GiB', ' 8000 '), ``check`` judges
what a manifest stores (an int of MiB). A stored value must already be in its stored form, because the
Prem Daemon reads the file as it is.
"""

from __future__ import annotations

import math
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


def _kind(value: Any) -> str:
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
        raise RuleBroken("id_type", f"the id is {_kind(value)}; it must be text, {example}")
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
            raise RuleBroken(f"{label}_type", f"the {label} is {_kind(value)}; it must be text: {advice}")
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
        raise RuleBroken("flag_type", f"{shown(value)} is {_kind(value)}; write true or false")
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
        raise RuleBroken("interfaces_type", f"the interfaces are {_kind(values)}; give a list, e.g. [\"chat\"]")
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
        raise RuleBroken("image_type", f"the image reference is {_kind(value)}; it must be text, {example}")
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


# --- numbers --------------------------------------------------------------------------------------

_QUANTITY = re.compile(r"\s*(?P<number>[0-9]{1,30}(?:\.[0-9]{1,30})?|\.[0-9]{1,30})\s*(?P<unit>[A-Za-z]{0,3})\s*",
                       flags=re.ASCII)
# binary units, SI units, and Docker's one-letter units (which are binary: `--memory 24g` is 24 GiB)
_UNITS = {
    "": None, "b": 1,
    "k": 1024, "kib": 1024, "kb": 1000,
    "m": 1024**2, "mib": 1024**2, "mb": 1000**2,
    "g": 1024**3, "gib": 1024**3, "gb": 1000**3,
    "t": 1024**4, "tib": 1024**4, "tb": 1000**4,
}  # fmt: skip


def parse_quantity(value: Any, *, bare_unit: int, what: str, example: str) -> int:
    """Bytes from a number (in ``bare_unit``) or a number with a unit; rounds up. Never overflows."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RuleBroken(f"{what}_type", f"the {what} is {_kind(value)}; it must be a number, {example}")
    if isinstance(value, int):
        if value.bit_length() > 80:
            raise RuleBroken(f"{what}_huge", f"the {what} has {len(str(abs(value))) if value.bit_length() < 4000 else 'thousands of'} digits; {example}")
        return value * bare_unit
    if isinstance(value, float):
        if not math.isfinite(value) or abs(value) > 1e24:
            raise RuleBroken(f"{what}_huge", f"the {what} is too large to be real; {example}")
        return math.ceil(value * bare_unit)
    match = _QUANTITY.fullmatch(value) if len(value) < 80 else None
    unit_key = match["unit"].lower() if match else None
    if not match or unit_key not in _UNITS:
        raise RuleBroken(f"{what}_syntax", f"could not read {shown(value)} as {what}; {example}")
    factor = _UNITS[unit_key] or bare_unit
    number = match["number"]
    whole, _, fraction = number.partition(".")
    # exact decimal arithmetic: '14.5GB' is 14500000000 bytes, not a float's guess at it
    scale = 10 ** len(fraction)
    return -(-int((whole or "0") + fraction) * factor // scale)


MEMORY_EXAMPLE = "write MiB like 24576, or with a unit: '24 GiB', '14.5GB', '24g'"
SIZE_EXAMPLE = "write bytes like 40689160223, or with a unit: '37.9 GiB', '40.7GB'"


def _bounded(number: int, low: int, high: int, code: str, too_small: str, too_big: str) -> int:
    if number < low:
        raise RuleBroken(f"{code}_zero", too_small)
    if number > high:
        raise RuleBroken(f"{code}_huge", too_big)
    return number


def check_memory_mib(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleBroken("memory_type", f"memoryRequirements is {_kind(value)} {shown(value)}; the manifest stores "
                         "a whole number of MiB, like 24576")
    return _bounded(value, 1, MEMORY_MAX_MIB, "memory", "the memory must be more than 0 MiB",
                    f"{value} MiB is more than 16 TiB; {MEMORY_EXAMPLE}")


def parse_memory_mib(value: Any) -> int:
    mib = -(-parse_quantity(value, bare_unit=MIB, what="memory", example=MEMORY_EXAMPLE) // MIB)
    return _bounded(mib, 1, MEMORY_MAX_MIB, "memory", f"the memory must be more than 0; {MEMORY_EXAMPLE}",
                    f"that is more than 16 TiB; {MEMORY_EXAMPLE}")


def check_size_bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleBroken("size_type", f"the image size is {_kind(value)} {shown(value)}; the manifest stores a "
                         "whole number of bytes, like 40689160223")
    return _bounded(value, 1, SIZE_MAX, "size", "the image size must be more than 0 bytes",
                    "the image size is larger than any disk; check the number")


def parse_size_bytes(value: Any) -> int:
    size = parse_quantity(value, bare_unit=1, what="size", example=SIZE_EXAMPLE)
    return _bounded(size, 1, SIZE_MAX, "size", f"the image size must be more than 0 bytes; {SIZE_EXAMPLE}",
                    f"that is larger than any disk; {SIZE_EXAMPLE}")


def check_port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleBroken("port_type", f"{shown(value)} is {_kind(value)}; a port is a whole number from 1 to 65535, "
                         "like 8000")
    if not 1 <= value <= 65535:
        raise RuleBroken("port_range", f"{value if value.bit_length() < 64 else 'that number'} is not a port; ports go "
                         "from 1 to 65535")
    return value


def parse_port(value: Any) -> int:
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[0-9]{1,6}", text, flags=re.ASCII):
            raise RuleBroken("port_type", f"{shown(value)} is not a port; a port is a whole number from 1 to 65535, "
                             "like 8000")
        value = int(text)
    return check_port(value)


def check_tokens_per_second(value: Any) -> int | float | str:
    # Petals services publish "Variable": their speed depends on the swarm. Keep it; refuse other words.
    if value == "Variable":
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleBroken("tps_type", f"tokens per second is {_kind(value)} {shown(value)}; write a number, like 18")
    if not math.isfinite(value) or not 0 < value <= TOKENS_MAX:
        raise RuleBroken("tps_range", f"tokens per second must be more than 0 and at most {TOKENS_MAX}")
    return value


def parse_tokens_per_second(value: Any) -> int | float | str:
    if isinstance(value, str) and value != "Variable":
        text = value.strip()
        if not re.fullmatch(r"[0-9]{1,9}(?:\.[0-9]{1,9})?", text, flags=re.ASCII):
            raise RuleBroken("tps_type", f"{shown(value)} is not a number; tokens per second is a number, like 18")
        value = float(text) if "." in text else int(text)
    return check_tokens_per_second(value)


# --- lists and addresses --------------------------------------------------------------------------


def lines_of(label: str, check_line):
    """A rule for a list of text lines; ``parse`` also takes one string with a line each."""

    def check(values: Any) -> list[str]:
        if not isinstance(values, list):
            raise RuleBroken(f"{label}_type", f"the {label} are {_kind(values)}; give a list of lines")
        for number, line in enumerate(values, start=1):
            if not isinstance(line, str):
                raise RuleBroken(f"{label}_type", f"line {number} of the {label} is {_kind(line)}; each line is text")
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


def check_url(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/]+(?:/\S*)?", value, flags=re.ASCII):
        raise RuleBroken("url", f"{shown(value)} is not a web address; it should start with https://")
    return value


def check_service_type(value: Any) -> str:
    if value not in ("docker", "binary"):
        raise RuleBroken("service_type", f"{shown(value)} is not a service type; write docker or binary")
    return value


def check_file_names(values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v and not CONTROL.search(v) for v in values):
        raise RuleBroken("files_type", "weightsFiles is a list of file names")
    return values


def check_binaries_url(value: Any) -> dict[str, str | None]:
    if not isinstance(value, dict):
        raise RuleBroken("binaries_type", "binariesUrl is an object of platform: download address")
    for address in value.values():
        if address is not None:
            check_url(address)
    if not any(value.values()):
        raise RuleBroken("no_binaries", "a binary service needs binariesUrl with at least one download address")
    return value


def check_text(value: Any) -> str:
    if not isinstance(value, str):
        raise RuleBroken("text_type", f"{shown(value)} is {_kind(value)}; it must be text")
    return value


def check_optional_text(value: Any) -> str | None:
    return None if value is None else check_text(value)


def check_positive_number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (math.isfinite(value) and value > 0):
        raise RuleBroken("number_type", f"{shown(value)} is not a number above 0")
    return value
