"""A service folder: rendered as ``{relative path: bytes}``, written all at once or not at all.

``render_service`` is pure. ``write_service_folder`` builds the folder in a temporary sibling and
renames it into place, so a full disk, a permission error or Ctrl-C leaves nothing half-written.
"""

from __future__ import annotations

import colorsys
import zlib
from functools import cache
from html import escape
from importlib.resources import files
from string import Template
from typing import Any

from wizard.service.fields import TEXT_GENERATING
from wizard.service.manifest import Manifest, registry_json
from wizard.service.rules import INTERFACES
from wizard.units import human_bytes

SERVICE_FILES = ("manifest.json", "README.md", "logo.svg")


@cache
def _template(name: str) -> Template:
    return Template(files("wizard.templates").joinpath(name).read_text(encoding="utf-8"))


def describe_memory(mib: int | None) -> str:
    if mib is None:
        return "not stated (TODO: measure the memory the service needs)"
    return f"{mib / 1024:.2f} GiB ({mib} MiB)"


TODO_LINES = {
    "model_link": "> **TODO:** add a link to the model card or the project's home page, e.g. the Hugging Face page",
    "license": "> **TODO:** name the model's license and link to it; say whether commercial use is allowed.",
    "links": "> **TODO:** link the model card, the paper and the source of the Docker image.",
}


def model_lines(facts: Any) -> dict[str, str]:
    """The README's lines about the model: its TODO lines, or what the model's card states (``hub.card.ModelFacts``)."""
    lines = {**TODO_LINES, "model_usage": "", "parameters_line": ""}
    if facts is None:
        return lines
    from wizard.hub.card import parameters_in_words

    link = f"[{facts.repo_id}]({facts.url})"
    lines["model_link"] = f"The model: {link} on the Hugging Face Hub."
    if facts.license:
        lines["license"] = f"The model's license: `{facts.license}` (its terms are on {link})."
    lines["links"] = (f"- The model card: {facts.url}\n\n> **TODO:** link the paper and the source of the Docker "
                      "image.")
    if facts.parameters:
        lines["parameters_line"] = f"- **Parameters**: {parameters_in_words(facts.parameters)}\n"
    if facts.usage:
        lines["model_usage"] = f"\n\nThe model card's own usage notes:\n\n{facts.usage}"
    return lines


def render_readme(manifest: Manifest, facts: Any = None) -> str:
    fields = {
        "id": manifest.id,
        "external_port": str(manifest.default_external_port),
        "default_port": str(manifest.default_port or "not set"),
    }
    usage = "\n".join(
        _template(f"usage/{interface}.md").substitute(fields) for interface in manifest.interfaces if interface in INTERFACES
    )
    rows = [
        f"| {device.upper()} | `{image.image}` | {human_bytes(image.size)} ({image.size} bytes) |"
        for device, image in (manifest.docker_images or {}).items()
    ] or ["| - | no Docker image: a binary service | - |"]
    tokens = manifest.model_info.tokens_per_second
    tokens_line = (
        f"- **Tokens per second**: {tokens}\n"
        if tokens is not None and TEXT_GENERATING & set(manifest.interfaces)
        else ""
    )
    return _template("README.md.tmpl").substitute(
        fields,
        description=manifest.description.strip(),
        memory=describe_memory(manifest.model_info.memory_requirements),
        image_rows="\n".join(rows),
        usage=usage.rstrip(),
        interfaces=", ".join(f"`{i}`" for i in manifest.interfaces),
        tokens_line=tokens_line,
        **model_lines(facts),
    )


def logo_colours(service_id: str) -> tuple[str, str]:
    """A background colour derived from the id (stable across runs) and a readable text colour on it."""
    hue = (zlib.crc32(service_id.encode()) % 360) / 360
    red, green, blue = colorsys.hls_to_rgb(hue, 0.42, 0.55)
    background = f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return background, "#111111" if luminance > 0.55 else "#ffffff"


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").replace("_", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2]) or "?"
    return letters.upper()


def render_logo(manifest: Manifest) -> str:
    background, foreground = logo_colours(manifest.id)
    letters = initials(manifest.name)
    return _template("logo.svg.tmpl").substitute(
        name=escape(manifest.name),
        background=background,
        foreground=foreground,
        initials=escape(letters),
        font_size="112" if len(letters) < 2 else "96",
    )


def render_service(manifest: Manifest, *, readme: str | None = None, logo: bytes | None = None,
                   facts: Any = None) -> dict[str, bytes]:
    """The files of the service folder, by path relative to it; ``facts``: the model's, for the README."""
    return {
        "manifest.json": registry_json(manifest).encode("utf-8"),
        "README.md": (readme if readme is not None else render_readme(manifest, facts)).encode("utf-8"),
        "logo.svg": logo if logo is not None else render_logo(manifest).encode("utf-8"),
    }
