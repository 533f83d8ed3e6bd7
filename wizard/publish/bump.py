"""Bumping a service's images: the new manifest from the old one, with everything else kept as it was.

Pure. The manifest goes in as read from its file (a mapping, in its own key order) and comes out as a new
mapping in which only ``dockerImages.{device}.image`` and ``.size`` of the devices bumped differ: every other
key, value and the order of keys stay, even values the registry would write differently today. The README's
image table rows (as ``new`` writes them) follow; the rest of the README is never touched.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wizard.service.fields import BY_KEY
from wizard.service.rules import DEVICES
from wizard.units import human_bytes


@dataclass(frozen=True)
class ImageChange:
    device: str
    old_image: str | None  # None: the device is added
    old_size: int | None
    new_image: str
    new_size: int


def bump_problems(data: Mapping[str, Any], devices: Iterable[str], *, add_device: bool) -> list[str]:
    """Why these devices cannot be bumped in this manifest; [] when they can."""
    images = data.get("dockerImages")
    if not isinstance(images, Mapping) or not images:
        kind = "a binary service (serviceType binary)" if data.get("serviceType") == "binary" else "a service"
        return [(f"'{data.get('id')}' is {kind} without dockerImages: bump changes Docker images only; "
                "edit its binariesUrl and version by hand")]
    has = ", ".join(str(device) for device in images)
    return [
        f"{BY_KEY[f'{device}_image'].flag}: '{data.get('id')}' has no {device} image (it has: {has}); "
        "pass --add-device to add one"
        for device in devices if device not in images and not add_device
    ]


def bumped_manifest(data: Mapping[str, Any], images: Mapping[str, tuple[str, int]]) -> tuple[dict[str, Any], list[ImageChange]]:
    """The manifest with ``images`` (device -> (reference, size)) in place of the old ones, and what changed.

    An image entry keeps its own key order and any other keys; an added device goes last, as ``{size, image}``.
    """
    bumped = copy.deepcopy(dict(data))
    entries = bumped["dockerImages"]
    changes = []
    for device in (d for d in DEVICES if d in images):
        reference, size = images[device]
        entry = entries.get(device)
        if isinstance(entry, dict):
            changes.append(ImageChange(device, entry.get("image"), entry.get("size"), reference, size))
            entry["size"], entry["image"] = size, reference
        else:
            changes.append(ImageChange(device, None, None, reference, size))
            entries[device] = {"size": size, "image": reference}
    return bumped, changes


def image_row(device: str, reference: str, size: int) -> str:
    """A row of the README's image table, as ``new`` renders it."""
    return f"| {device.upper()} | `{reference}` | {human_bytes(size)} ({size} bytes) |"


def _row_pattern(device: str, reference: str | None) -> re.Pattern[str]:
    image = re.escape(reference) if reference is not None else "[^`]*"
    return re.compile(rf"^\|\s*{device.upper()}\s*\|\s*`{image}`\s*\|.*\|\s*$")


def bumped_readme(text: str, changes: Iterable[ImageChange]) -> tuple[str, int]:
    """The README with the image table rows of the changed images replaced (an added device's row goes after
    the table's last image row), and how many rows changed. No table: the text comes back as it was."""
    lines = text.splitlines(keepends=True)
    changed = 0
    for change in changes:
        row = image_row(change.device, change.new_image, change.new_size)
        if change.old_image is not None:
            hits = [i for i, line in enumerate(lines) if _row_pattern(change.device, change.old_image).match(line)]
            for i in hits:
                lines[i] = row + _line_end(lines[i])
            changed += len(hits)
            continue
        rows = [i for i, line in enumerate(lines) for d in DEVICES if _row_pattern(d, None).match(line)]
        if rows:
            last = max(rows)
            lines.insert(last + 1, row + (_line_end(lines[last]) or "\n"))
            if not _line_end(lines[last]):
                lines[last] += "\n"
            changed += 1
    return "".join(lines), changed


def _line_end(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _described(reference: str, size: int | None) -> str:
    shown = f"{human_bytes(size)} ({size} bytes)" if isinstance(size, int) and not isinstance(size, bool) else f"size {size}"
    return f"{reference}  {shown}"


def change_summary(folder: str, changes: Iterable[ImageChange], readme_rows: int | None) -> list[str]:
    """A diff-like account: ``- gpu: old  size`` / ``+ gpu: new  size`` per device, then the README."""
    lines = [f"--- {folder}/manifest.json", f"+++ {folder}/manifest.json"]
    for change in changes:
        if change.old_image is not None:
            lines.append(f"- {change.device}: {_described(change.old_image, change.old_size)}")
        lines.append(f"+ {change.device}: {_described(change.new_image, change.new_size)}"
                     + ("  (new device)" if change.old_image is None else ""))
    if readme_rows is None:
        lines.append(f"{folder}/README.md: none; nothing to update")
    elif readme_rows:
        lines.append(f"{folder}/README.md: {readme_rows} image row(s) updated")
    else:
        lines.append(f"{folder}/README.md: no image table rows for these images; left as it is")
    return lines


def version_label(reference: str) -> str:
    """What a bump is 'to', for the branch and the title: the tag, else the digest's first 12 hex digits."""
    from wizard.images.reference import parse_reference

    ref = parse_reference(reference)
    if ref.tag is None and ref.digest:  # pinned by digest alone
        algorithm, _, hexdigits = ref.digest.partition(":")
        return f"{algorithm}-{hexdigits[:12]}"
    return str(ref.tag)
