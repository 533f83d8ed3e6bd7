"""The rules of a binary service, which Prem runs from downloads instead of a Docker image."""

from __future__ import annotations

import re
from typing import Any

from wizard.service.rules import CONTROL, RuleBroken, shown


def check_url(value: Any) -> str:
    # any space (a no-break space too) ends an address, and a control character is never part of one
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s/]+(?:/\S*)?", value) or CONTROL.search(value):
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
