"""wizard.service.json_text: an edited document's text differs from the original only where values changed."""

from __future__ import annotations

import difflib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.service.json_text import edited_json, style_of, styled_json

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12))
keys = st.text("abcdefghij", min_size=1, max_size=6)
documents = st.dictionaries(keys, st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)), max_leaves=6), min_size=1, max_size=6)
styles = st.sampled_from([(2, True), (4, True), (4, False), ("\t", True), (None, False)])


def write(data, style) -> str:
    indent, newline = style
    return json.dumps(data, indent=indent, ensure_ascii=False) + ("\n" if newline else "")


def same(a, b) -> bool:
    return json.dumps(a) == json.dumps(b)


@settings(max_examples=150, deadline=None)
@given(documents, styles)
def test_unchanged_data_gives_the_text_back_byte_for_byte(data, style):
    text = write(data, style)
    assert edited_json(text, json.loads(text)) is text


@settings(max_examples=200, deadline=None)
@given(documents, styles, st.data())
def test_a_changed_value_changes_only_its_own_lines(data, style, draw):
    text = write(data, style)
    key = draw.draw(st.sampled_from(sorted(data)))
    new_value = draw.draw(scalars.filter(lambda v: not same(v, data[key])))
    new = {**data, key: new_value}

    result = edited_json(text, new)

    assert same(json.loads(result), new) and list(json.loads(result)) == list(new)
    assert result.endswith("\n") == text.endswith("\n")
    if style[0] is not None:  # no line outside the member's own differs
        def member_lines(value) -> int:
            return len(json.dumps({key: value}, indent=style[0], ensure_ascii=False).splitlines()) - 2

        diff = list(difflib.ndiff(text.splitlines(), result.splitlines()))
        assert sum(line.startswith("- ") for line in diff) <= member_lines(data[key])
        assert sum(line.startswith("+ ") for line in diff) <= member_lines(new_value)


@settings(max_examples=150, deadline=None)
@given(documents, styles, keys, scalars)
def test_an_added_key_adds_lines_and_removes_none(data, style, key, value):
    text = write(data, style)
    new = {**data, key: value} if key not in data else {k: v for k, v in data.items() if k != key}
    result = edited_json(text, new)
    assert same(json.loads(result), new) and list(json.loads(result)) == list(new)


def test_a_two_space_manifest_keeps_its_indent_and_its_missing_last_line_ending():
    text = '{\n  "id": "x",\n  "modelInfo": {\n    "memoryRequirements": 4800\n  },\n  "interfaces": [\n    "chat"\n  ]\n}'
    result = edited_json(text, {"id": "x", "modelInfo": {"memoryRequirements": 5000}, "interfaces": ["chat"]})
    diff = [line for line in difflib.ndiff(text.splitlines(), result.splitlines()) if line[:1] in "+-"]
    assert diff == ['-     "memoryRequirements": 4800', '+     "memoryRequirements": 5000']
    assert not result.endswith("\n")


def test_a_member_added_goes_in_the_files_own_style():
    text = '{\n\t"id": "x"\n}\n'
    assert edited_json(text, {"id": "x", "beta": True}) == '{\n\t"id": "x",\n\t"beta": true\n}\n'


def test_reordered_keys_and_repeated_keys_write_the_whole_document_in_its_style():
    assert edited_json('{\n  "b": 1,\n  "a": 2\n}', {"a": 2, "b": 1}) == '{\n  "a": 2,\n  "b": 1\n}'
    assert edited_json('{"a": 1, "a": 2}\n', {"a": 3}) == '{"a": 3}\n'
    assert styled_json({"a": [1]}) == '{\n    "a": [\n        1\n    ]\n}\n'  # no text: the registry's style
    assert style_of('{"a":1}').key_separator == ":"
