"""Writing an edited JSON document so that only the lines of the values that changed differ.

A real manifest is a file someone wrote: 2 or 4 spaces, its own key order, a last line ending or none.
``edited_json(text, data)`` puts ``data`` into ``text`` by rewriting only the spans of the values that
changed (a member added goes where ``data`` puts it, one removed takes its line with it); every other byte
of ``text`` stays, so a diff of an edit or a bump shows the change and nothing else. Unchanged data gives
``text`` back as it was, so a save that changes nothing writes nothing.

When the text cannot be kept (it does not parse, repeats a key, or ``data`` reorders keys), the whole
document is written again in the text's own style (indent, separators, ASCII escapes, last line ending).
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


class _Rewrite(Exception):
    """The text cannot be kept: write the document again in its style."""


@dataclass
class _Node:
    start: int
    end: int
    members: list[tuple[str, int, _Node]] = field(default_factory=list)  # object: (key, key start, value)
    items: list[_Node] = field(default_factory=list)  # array
    kind: str = "scalar"  # "object" | "array" | "scalar"


@dataclass(frozen=True)
class Style:
    indent: str | None  # one level ("  ", "    ", "\t"); None: all on one line
    key_separator: str = ": "
    item_separator: str = ","
    ensure_ascii: bool = False
    tail: str = "\n"  # what follows the document: its last line ending, or nothing

    def dumps(self, value: Any, depth: int = 0) -> str:
        """``value`` as this style writes it, starting at nesting ``depth``."""
        text = json.dumps(value, indent=self.indent, ensure_ascii=self.ensure_ascii,
                          separators=(self.item_separator, self.key_separator))
        return text.replace("\n", "\n" + self.indent * depth) if self.indent else text


# --- reading the text's shape ---------------------------------------------------------------------------


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in WHITESPACE:
        at += 1
    return at


def _parse(text: str, at: int) -> _Node:
    at = _skip(text, at)
    if at >= len(text):
        raise _Rewrite
    opener = text[at]
    if opener not in "{[":
        try:
            _, end = _DECODER.raw_decode(text, at)
        except ValueError:
            raise _Rewrite from None
        return _Node(at, end)
    node = _Node(at, at, kind="object" if opener == "{" else "array")
    closer = "}" if opener == "{" else "]"
    at = _skip(text, at + 1)
    if text.startswith(closer, at):
        node.end = at + 1
        return node
    while True:
        if node.kind == "object":
            key_start = at
            try:
                key, at = _DECODER.raw_decode(text, at)
            except ValueError:
                raise _Rewrite from None
            at = _skip(text, at)
            if not isinstance(key, str) or not text.startswith(":", at):
                raise _Rewrite
            value = _parse(text, at + 1)
            node.members.append((key, key_start, value))
        else:
            value = _parse(text, at)
            node.items.append(value)
        at = _skip(text, value.end)
        if text.startswith(",", at):
            at = _skip(text, at + 1)
            continue
        if not text.startswith(closer, at):
            raise _Rewrite
        node.end = at + 1
        return node


def style_of(text: str) -> Style:
    """How ``text`` writes JSON; the registry's style (4 spaces, a last line ending) where it says nothing."""
    indent = re.search(r"[{\[][ \t]*\r?\n([ \t]+)\S", text)
    key_separator = re.search(r'"[ \t]*(:[ \t]*)', text)
    ascii_only = "\\u" in text and text.isascii()
    stripped = text.rstrip(WHITESPACE)
    tail = text[len(stripped):] if stripped else "\n"
    if indent is None and "\n" in text.strip():
        return Style("    ", tail=tail)
    if indent is None:  # one line: keep its separators
        item = re.search(r",\s*", text)
        return Style(None, key_separator.group(1) if key_separator else ": ",
                     item.group(0) if item else ", ", ascii_only, tail)
    return Style(indent.group(1), key_separator.group(1) if key_separator else ": ", ",", ascii_only, tail)


def styled_json(data: Any, like: str | None = None) -> str:
    """The whole document written again, in the style of ``like`` (the registry's style without it)."""
    style = style_of(like) if like else Style("    ")
    return style.dumps(data) + style.tail


# --- writing the changes --------------------------------------------------------------------------------


def _same(old: Any, new: Any) -> bool:
    # json.dumps tells 1 from 1.0 and true from 1, and key order counts
    return json.dumps(old) == json.dumps(new)


def _rewritten(text: str, node: _Node, old: Any, new: Any, style: Style, depth: int) -> str:
    if _same(old, new):
        return text[node.start:node.end]
    if node.kind == "object" and isinstance(old, dict) and isinstance(new, dict) and node.members:
        return _object(text, node, old, new, style, depth)
    if node.kind == "array" and isinstance(old, list) and isinstance(new, list) and node.items:
        return _array(text, node, old, new, style, depth)
    return style.dumps(new, depth)


def _joined(text: str, node: _Node, pieces: list[tuple[int | None, str]], style: Style, depth: int) -> str:
    """``pieces`` (index in the original, or None for a new one; their text) between the node's own
    brackets, with the original's separators wherever two original neighbours stay neighbours."""
    spans = [value for _, _, value in node.members] if node.kind == "object" else node.items
    starts = [key_start for _, key_start, _ in node.members] if node.kind == "object" else [n.start for n in spans]
    lead, trail = text[node.start + 1:starts[0]], text[spans[-1].end:node.end - 1]
    between = [text[spans[i].end:starts[i + 1]] for i in range(len(spans) - 1)]
    usual = between[0] if between else (style.item_separator + lead if style.indent else style.item_separator)
    if not pieces:
        return text[node.start] + text[node.end - 1]
    out = [text[node.start], lead, pieces[0][1]]
    for (before, _), (after, piece) in itertools.pairwise(pieces):
        keep = before is not None and after == before + 1
        out += [between[before] if keep else usual, piece]
    return "".join([*out, trail, text[node.end - 1]])


def _object(text: str, node: _Node, old: dict, new: dict, style: Style, depth: int) -> str:
    keys = [key for key, _, _ in node.members]
    if len(set(keys)) != len(keys) or keys != list(old):
        raise _Rewrite  # a key written twice: json.loads kept the last, the text holds both
    kept = [key for key in new if key in old]
    if [key for key in old if key in new] != kept:
        raise _Rewrite  # reordered keys: no single span says that
    position = {key: number for number, key in enumerate(keys)}
    pieces: list[tuple[int | None, str]] = []
    for key, value in new.items():
        if key in old:
            number = position[key]
            _, key_start, value_node = node.members[number]
            piece = text[key_start:value_node.start] + _rewritten(text, value_node, old[key], value, style, depth + 1)
            pieces.append((number, piece))
        else:
            name = json.dumps(key, ensure_ascii=style.ensure_ascii)
            pieces.append((None, name + style.key_separator + style.dumps(value, depth + 1)))
    return _joined(text, node, pieces, style, depth)


def _array(text: str, node: _Node, old: list, new: list, style: Style, depth: int) -> str:
    if len(node.items) != len(old):
        raise _Rewrite
    pieces: list[tuple[int | None, str]] = []
    matcher = difflib.SequenceMatcher(a=[json.dumps(v) for v in old], b=[json.dumps(v) for v in new], autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and a1 - a0 == b1 - b0):
            for offset in range(b1 - b0):
                item = node.items[a0 + offset]
                pieces.append((a0 + offset, _rewritten(text, item, old[a0 + offset], new[b0 + offset], style, depth + 1)))
        else:
            pieces += [(None, style.dumps(value, depth + 1)) for value in new[b0:b1]]
    return _joined(text, node, pieces, style, depth)


def edited_json(text: str, data: Any) -> str:
    """``text`` holding ``data``, changed only where ``data`` differs from what ``text`` says."""
    try:
        old = json.loads(text)
    except ValueError:
        return styled_json(data, text if text.strip() else None)
    if _same(old, data):
        return text
    style = style_of(text)
    try:
        root = _parse(text, 0)
        result = text[:root.start] + _rewritten(text, root, old, data, style, 0) + text[root.end:]
    except _Rewrite:
        return styled_json(data, text)
    if not _same(json.loads(result), data):  # never write what was not asked for
        return styled_json(data, text)
    return result


def edited_json_bytes(content: bytes | None, data: Mapping[str, Any] | Any) -> bytes:
    """``edited_json`` for a file's bytes (None: no file yet, the registry's style)."""
    if content is None:
        return styled_json(data).encode("utf-8")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return styled_json(data).encode("utf-8")
    return edited_json(text, data).encode("utf-8")
