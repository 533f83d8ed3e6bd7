"""JSON from outside (manifests, indexes, spec files, drafts): a value, or ``ManifestSyntaxError`` at a position.

The standard parser lets three things through that a person cannot act on: a document nested past the
interpreter's recursion limit (``RecursionError``), an integer longer than ``sys.get_int_max_str_digits()``
(a ``ValueError`` telling them to call ``sys.set_int_max_str_digits()``), and a key written twice, where the
last one silently wins. Each is a syntax error here, with the line and column and what to do.
"""

from __future__ import annotations

import json
import re
from typing import Any

from wizard.errors import ManifestSyntaxError

# a manifest size in bytes has 11-13 digits; a number far past any quantity is a typing accident, and Python
# itself refuses to read one of over 4300 digits
MAX_DIGITS = 400
_LONG_NUMBER = re.compile(rf"-?\d{{{MAX_DIGITS + 1},}}")
_HUGE_FLOAT = re.compile(r"-?\d+(?:\.\d+)?[eE]\+?\d{3,}")


class _TooLong(Exception):
    pass


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _TooLong
    return int(text)


def _float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise _TooLong
    return number


def _constant(name: str) -> float:
    raise _NotJson(name)


class _NotJson(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Duplicate(key)
        seen[key] = value
    return seen


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_json(text: str, source: str = "<string>", *, duplicates: bool = False) -> Any:
    """The document in ``text``. A key written twice in one object is refused unless ``duplicates``, where the
    last one wins as in the standard parser (an index someone else publishes is read as the daemon reads it)."""
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant,
                          object_pairs_hook=None if duplicates else _unique)
    except json.JSONDecodeError as error:
        raise ManifestSyntaxError(source, error.lineno, error.colno, error.msg) from None
    except RecursionError:
        raise ManifestSyntaxError(source, 1, 1, "the JSON nests too deeply to be read (thousands of levels); "
                                  "no manifest or index is more than a few levels deep") from None
    except _TooLong:
        found = _LONG_NUMBER.search(text) or _HUGE_FLOAT.search(text)
        line, column = _position(text, found.start()) if found else (1, 1)
        raise ManifestSyntaxError(source, line, column, f"a number too large to read (over {MAX_DIGITS} digits, "
                                  "or past 1e308); no size, port or amount of memory is that large") from None
    except _NotJson as constant:
        found = re.search(rf"-?\b{constant.name.lstrip('-')}\b", text)
        line, column = _position(text, found.start()) if found else (1, 1)
        raise ManifestSyntaxError(source, line, column, f"{constant.name} is not a JSON number; "
                                  "write the number itself") from None
    except _Duplicate as duplicate:
        key = json.dumps(duplicate.key)  # escaped: the key is the file's text, shown on a terminal
        written = re.compile(re.escape(json.dumps(duplicate.key, ensure_ascii=False)) + r"\s*:")
        first = written.search(text)
        second = written.search(text, first.end()) if first else None
        line, column = _position(text, second.start()) if second else (1, 1)
        raise ManifestSyntaxError(source, line, column, f"the key {key} is written twice in one object; "
                                  "only one can count: remove the other") from None
