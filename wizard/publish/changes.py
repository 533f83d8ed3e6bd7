"""What a change changes: files judged by their git blob ids, and manifest values old -> new, in words.

Pure. A file whose blob id is the one the upstream tree already holds is not sent: sending it again could
only undo what someone changed upstream since the local copy was made. The words ("gpu image 1.0.1 → 1.0.2,
size 4.8 GiB → 5.1 GiB") go into the title, the commit message and the body of the pull request.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from wizard.service.fields import BY_PATH
from wizard.units import human_bytes

ARROW = "→"
SHOWN_CHARACTERS = 40  # a longer value is said to have changed, not shown


def blob_sha(content: bytes) -> str:
    """The id git (and so GitHub) gives a file's content."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@dataclass(frozen=True)
class UpstreamTree:
    """The files of the base branch, path -> blob id, from one recursive tree read."""

    shas: Mapping[str, str]
    truncated: bool = False  # GitHub cut the list short: a file it does not list may still be there

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any]) -> UpstreamTree:
        shas = {entry["path"]: entry["sha"] for entry in answer.get("tree", ()) if entry.get("type") == "blob"}
        return cls(shas, bool(answer.get("truncated")))

    def folder(self, name: str) -> dict[str, str]:
        """The files of one top-level folder, by their path inside it."""
        prefix = f"{name}/"
        return {path.removeprefix(prefix): sha for path, sha in self.shas.items() if path.startswith(prefix)}

    def holds(self, path: str, content: bytes) -> bool:
        return self.shas.get(path) == blob_sha(content)


@dataclass(frozen=True)
class Change:
    what: str
    old: str | None  # None: added
    new: str | None  # None: removed

    def __str__(self) -> str:
        if self.old is None and self.new is None:
            return f"{self.what} changed"
        if self.old is None:
            return f"{self.what} {self.new} added"
        if self.new is None:
            return f"{self.what} {self.old} removed"
        return f"{self.what} {self.old} {ARROW} {self.new}"


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            yield from _leaves(item, (*path, str(key)))
    else:
        yield path, value


def _image_parts(reference: str) -> tuple[str, str]:
    """(repository, the tag or digest) of an image reference, split without parsing it strictly."""
    name, at, digest = reference.partition("@")
    if at:
        return name, "@" + digest[:19]
    head, colon, tag = name.rpartition(":")
    return (head, tag) if colon and "/" not in tag else (name, "latest")


def _shown(path: tuple[str, ...], value: Any) -> str | None:
    last = path[-1] if path else ""
    if isinstance(value, int) and not isinstance(value, bool):
        if path[:1] == ("dockerImages",) and last == "size":
            return human_bytes(value)
        if last == "memoryRequirements":
            return f"{value / 1024:.1f} GiB"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > SHOWN_CHARACTERS:
        return None
    return f"'{text}'" if isinstance(value, str) else text


def _what(path: tuple[str, ...]) -> str:
    if path[:1] == ("dockerImages",) and len(path) == 3:
        return f"{path[1]} {'image' if path[2] == 'image' else path[2]}"
    field = BY_PATH.get(".".join(path))
    return field.label[0].lower() + field.label[1:] if field and not field.label.isupper() else ".".join(path)


def _image_first(paths: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The paths in order, but within an image entry its image before its size, as people name them."""
    def rank(numbered: tuple[int, tuple[str, ...]]) -> tuple[int, int]:
        number, path = numbered
        if path[:1] == ("dockerImages",) and len(path) == 3:
            first = next(i for i, p in enumerate(paths) if p[:2] == path[:2])
            return first, {"image": 0, "size": 1}.get(path[2], 2)
        return number, 0
    return [path for _, path in sorted(enumerate(paths), key=rank)]


def _opened(path: tuple[str, ...], value: Any, other: Mapping[tuple[str, ...], Any]) -> bool:
    return isinstance(value, Mapping) and not value and any(p[:len(path)] == path and p != path for p in other)


def manifest_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """old -> new for each value that differs, in the new manifest's order; an image's tag alone when only
    the tag changed, and its size right after it as 'size'."""
    before = dict(_leaves(old))
    after = dict(_leaves(new))
    changes: list[Change] = []
    previous: tuple[str, ...] = ()
    for path in _image_first([*after, *(p for p in before if p not in after)]):
        was, now = before.get(path, ...), after.get(path, ...)
        if was is not ... and now is not ... and json.dumps(was) == json.dumps(now):
            continue
        if _opened(path, was, after) or _opened(path, now, before):
            continue  # an empty {} that now holds (or held) a value: the value is the change
        what = _what(path)
        if path[-1:] == ("image",) and isinstance(was, str) and isinstance(now, str):
            (old_repository, old_tag), (new_repository, new_tag) = _image_parts(was), _image_parts(now)
            if old_repository == new_repository:
                changes.append(Change(what, old_tag, new_tag))
            else:  # another repository: named from where the two part ways ('…/bark-gpu:2' for ghcr.io/x/bark-gpu:2)
                common = os.path.commonprefix([was, now]).rpartition("/")[0]
                cut = len(common) + 1 if common else 0
                changes.append(Change(what, was[cut:], now[cut:]))
            previous = path
            continue
        if path[-1:] == ("size",) and previous[:-1] == path[:-1]:
            what = "size"  # of the image just named
        shown_old = None if was is ... else _shown(path, was)
        shown_new = None if now is ... else _shown(path, now)
        if shown_old is not None and shown_old == shown_new:  # rounded alike (32.3 GiB): the exact values
            shown_old, shown_new = json.dumps(was), json.dumps(now)
        if was is not ... and now is not ... and (shown_old is None or shown_new is None):
            changes.append(Change(what, None, None))
        elif was is ...:
            changes.append(Change(what, None, shown_new or "(long)"))
        elif now is ...:
            changes.append(Change(what, shown_old or "(long)", None))
        else:
            changes.append(Change(what, shown_old, shown_new))
        previous = path
    return changes


def only_images_differ(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether every difference lies under dockerImages: a bump, not an edit."""
    def rest(data: Mapping[str, Any]) -> str:
        return json.dumps({key: value for key, value in data.items() if key != "dockerImages"})

    return rest(old) == rest(new)
