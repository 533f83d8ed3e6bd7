"""Checks of a logo.svg: well-formed, parsed safely, and square.

Parsing goes through defusedxml: no entity expansion (billion laughs), no external entities or DTDs
fetched; a logo that does not parse is an error. A logo is square when its width and height, or its
viewBox, differ by at most ``SQUARE_TOLERANCE``. One further off is a warning, not an error: it is shown
in a square all the same, and 45 of the registry's 47 logos were off square when this was written.
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


SQUARE_TOLERANCE = 0.02  # 253x256 (1.2 % off) looks square; 236x256 (7.8 % off) does not


def off_square(width: float, height: float) -> float | None:
    """How far a box is from square, as a share of its longer side; None for a box with no area."""
    if width <= 0 or height <= 0:
        return None
    return abs(width - height) / max(width, height)


def _square(box: tuple[float | None, float | None] | None) -> bool:
    if not box or box[0] is None or box[1] is None:
        return False
    off = off_square(box[0], box[1])
    return off is not None and off <= SQUARE_TOLERANCE


# The Prem App shows logos in a web page: anything a browser would run, or a page it would open, is refused
SCRIPTING_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
RUNNABLE_URL = re.compile(r"^(?:javascript|vbscript|data:\s*text/html|data:\s*image/svg)", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20]+")  # browsers skip these inside a scheme: "java\tscript:" still runs
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "values", "to", "from", "by"}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def active_content(root: Element) -> list[str]:
    """One message per script, event handler or script URL in the drawing (at most a few, each named)."""
    found: list[str] = []
    for element in root.iter():
        tag = _local(str(element.tag))
        if tag in SCRIPTING_ELEMENTS:
            found.append(f"logo.svg holds a <{tag}> element; a logo is a drawing: export it again without scripts "
                         "or embedded pages")
        for name, value in element.attrib.items():
            attribute = _local(name)
            if attribute.lower().startswith("on"):
                found.append(f"logo.svg has an event handler ({attribute}= on <{tag}>); remove it: the Prem App "
                             "shows logos in a web page, where it would run")
            elif attribute in URL_ATTRIBUTES and RUNNABLE_URL.match(_URL_NOISE.sub("", value)):
                found.append(f"logo.svg links to a script or page ({attribute}= on <{tag}>); remove the link")
    return list(dict.fromkeys(found))[:5]


def check_logo(data: bytes) -> list[tuple[str, str]]:
    """(severity, message) for each problem of a logo; empty when it is fine."""
    try:
        root = parse_svg(data)
    except ValueError as error:
        return [("error", str(error))]
    problems: list[tuple[str, str]] = [("error", message) for message in active_content(root)]
    if root.tag == "svg":
        problems.append(("warning", 'logo.svg has no xmlns="http://www.w3.org/2000/svg"; browsers may not show it'))
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = _view_box(root.get("viewBox"))
    if _square((width, height)) or _square(box):
        return problems
    found = []
    if root.get("width") or root.get("height"):
        found.append(f"width {root.get('width', '(none)')} x height {root.get('height', '(none)')}")
    found.append(f"viewBox {root.get('viewBox')!r}" if root.get("viewBox") else "no viewBox")
    drawing = box or ((width, height) if width and height else None)
    off = off_square(*drawing) if drawing else None
    size = f" (a {_fmt(drawing[0])}x{_fmt(drawing[1])} drawing" + (f", {off:.0%} off square)" if off else ")") \
        if drawing else ""
    problems.append(("warning", (f"logo.svg is not square: {', '.join(found)}{size}; logos are shown in a square: "
                     "make it 256x256 or give it a square viewBox such as '0 0 256 256'")))
    return problems
