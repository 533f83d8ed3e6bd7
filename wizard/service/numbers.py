"""The rules of a manifest's numbers: memory, image sizes, ports, tokens per second.

Typed numbers may carry units ('24 GiB', '14.5GB', '24g'); they are read with exact decimal arithmetic and
bounded before anything can overflow. Stored numbers must already be whole numbers of their unit, as the
Prem Daemon compares them with free memory and disk as they are.
"""

from __future__ import annotations

import math
import re
from typing import Any

from wizard.service.rules import (
    MEMORY_MAX_MIB,
    MIB,
    SIZE_MAX,
    TOKENS_MAX,
    RuleBroken,
    kind_of,
    shown,
)

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
        raise RuleBroken(f"{what}_type", f"the {what} is {kind_of(value)}; it must be a number, {example}")
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


def _written_as(value: Any, parse) -> str:
    """For text (or 8000.0) where the manifest stores a whole number: what to write instead, when it reads as one."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return f"; write {int(value)}, without the decimal point"
    if isinstance(value, str):
        try:
            return f"; write {parse(value)}, without quotes"
        except RuleBroken:
            pass
    return ""


def check_memory_mib(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleBroken("memory_type", f"memoryRequirements is {kind_of(value)} {shown(value)}; the manifest stores "
                         f"a whole number of MiB, like 24576{_written_as(value, parse_memory_mib)}")
    return _bounded(value, 1, MEMORY_MAX_MIB, "memory", "the memory must be more than 0 MiB",
                    f"{value} MiB is more than 16 TiB; {MEMORY_EXAMPLE}")


def parse_memory_mib(value: Any) -> int:
    mib = -(-parse_quantity(value, bare_unit=MIB, what="memory", example=MEMORY_EXAMPLE) // MIB)
    return _bounded(mib, 1, MEMORY_MAX_MIB, "memory", f"the memory must be more than 0; {MEMORY_EXAMPLE}",
                    f"that is more than 16 TiB; {MEMORY_EXAMPLE}")


def check_size_bytes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleBroken("size_type", f"the image size is {kind_of(value)} {shown(value)}; the manifest stores a "
                         f"whole number of bytes, like 40689160223{_written_as(value, parse_size_bytes)}")
    return _bounded(value, 1, SIZE_MAX, "size", "the image size must be more than 0 bytes",
                    "the image size is larger than any disk; check the number")


def parse_size_bytes(value: Any) -> int:
    size = parse_quantity(value, bare_unit=1, what="size", example=SIZE_EXAMPLE)
    return _bounded(size, 1, SIZE_MAX, "size", f"the image size must be more than 0 bytes; {SIZE_EXAMPLE}",
                    f"that is larger than any disk; {SIZE_EXAMPLE}")


def check_port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleBroken("port_type", f"{shown(value)} is {kind_of(value)}; a port is a whole number from 1 to 65535, "
                         f"like 8000{_written_as(value, parse_port)}")
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
        raise RuleBroken("tps_type", f"tokens per second is {kind_of(value)} {shown(value)}; write a number, like 18")
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




def check_positive_number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (math.isfinite(value) and value > 0):
        raise RuleBroken("number_type", f"{shown(value)} is not a number above 0")
    return value
