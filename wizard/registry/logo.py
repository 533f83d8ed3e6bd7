"""Checks of a logo.svg: well-formed, parsed safely, and square.

Parsing goes through defusedxml: no entity expansion (billion laughs), no external entities or DTDs
fetched. A logo is fine when it is 256x256, or when its viewBox is square (it then scales cleanly).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$")


def _length(value: str | None) -> float | None:
    if value is None:
        return None
    match = _LENGTH.match(value)
    return float(match[1]) if match else None


def _view_box(value: str | None) -> tuple[float, float] | None:
    if not value:
        return None
    parts = [p for p in re.split(r"[\s,]+", value.strip()) if p]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    return (numbers[2], numbers[3]) if len(numbers) == 4 else None


def parse_svg(data: bytes) -> Element:
    """The root element; raises ValueError with a message for people."""
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ValueError("logo.svg declares XML entities or external references; export it again without a DOCTYPE") from None
    except ParseError as error:
        line, column = error.position
        raise ValueError(f"logo.svg is not well-formed XML (line {line}, column {column + 1}): "
                         f"{str(error).split(':')[0]}") from None
    if root.tag not in (f"{SVG_NAMESPACE}svg", "svg"):
        raise ValueError(f"logo.svg's root element is <{root.tag.split('}')[-1]}>, not <svg>")
    return root


def _fmt(number: float) -> str:
    return f"{number:g}"


def check_logo(data: bytes) -> list[tuple[str, str]]:
    """(severity, message) for each problem of a logo; empty when it is fine."""
    try:
        root = parse_svg(data)
    except ValueError as error:
        return [("error", str(error))]
    problems: list[tuple[str, str]] = []
    if root.tag == "svg":
        problems.append(("warning", 'logo.svg has no xmlns="http://www.w3.org/2000/svg"; browsers may not show it'))
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = _view_box(root.get("viewBox"))
    if (width, height) == (256, 256) or (box and box[0] == box[1] and box[0] > 0):
        return problems
    found = []
    if root.get("width") or root.get("height"):
        found.append(f"width {root.get('width', '(none)')} x height {root.get('height', '(none)')}")
    found.append(f"viewBox {root.get('viewBox')!r}" if root.get("viewBox") else "no viewBox")
    size = f" (a {_fmt(box[0])}x{_fmt(box[1])} drawing)" if box else ""
    problems.append(("error", f"logo.svg is not square: {', '.join(found)}{size}; make it 256x256 "
                     "or give it a square viewBox such as '0 0 256 256'"))
    return problems
