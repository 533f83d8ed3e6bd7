"""The index the registry's generator would publish with the contributor's folders in it (premAI-io/prem-registry,
``generate.py``): each folder's manifest.json, ``documentation`` set to its README text, ``icon`` and ``banner`` set
to the URLs of ``logo.svg`` and ``banner.svg`` (or null). The Prem Daemon keeps the first service of each id it
meets, so an upstream service with a folder's id stays upstream's unless the user asks otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

PICTURES = ("logo.svg", "banner.svg")
PICTURE_KEYS = {"logo.svg": "icon", "banner.svg": "banner"}


@dataclass(frozen=True)
class LocalService:
    """One folder as the generator reads it, with the picture files it serves."""

    folder: str  # the folder's own name, as the generator puts it in the URL
    entry: dict[str, Any]
    pictures: dict[str, bytes] = field(default_factory=dict)  # "logo.svg" -> bytes

    @property
    def id(self) -> str:
        return str(self.entry.get("id", ""))


def picture_url(base_url: str, folder: str, name: str) -> str:
    return f"{base_url.rstrip('/')}/{quote(folder)}/{name}"


def generator_entry(folder: str, manifest: Mapping[str, Any], readme: str, pictures: Iterable[str],
                    base_url: str) -> dict[str, Any]:
    """The index entry ``generate.py`` writes for a folder: its keys in the manifest's order, then the three
    the generator sets (a manifest's own ``documentation`` or ``icon`` is overwritten, as upstream)."""
    entry = dict(manifest)
    entry["documentation"] = readme
    present = set(pictures)
    for name, key in PICTURE_KEYS.items():
        entry[key] = picture_url(base_url, folder, name) if name in present else None
    return entry


@dataclass(frozen=True)
class MergedIndex:
    entries: tuple[dict[str, Any], ...]
    added: tuple[str, ...]  # ids of the folders now in the index
    replaced: tuple[str, ...]  # ids whose upstream entry a folder took the place of
    shadowed: tuple[str, ...]  # ids a folder shares with upstream, left as upstream's

    def document(self) -> bytes:
        return (json.dumps(list(self.entries), indent=4, ensure_ascii=False) + "\n").encode("utf-8")


def merged_index(upstream: Sequence[Mapping[str, Any]], local: Sequence[LocalService], *,
                 replace_upstream: bool = False) -> MergedIndex:
    """Upstream's entries, then the folders'. A folder whose id upstream has is left out (the daemon would keep
    upstream's anyway) or, with ``replace_upstream``, put in upstream's place so an edit can be tried."""
    by_id = {service.id: service for service in local}
    upstream_ids = {str(entry.get("id")) for entry in upstream if isinstance(entry, Mapping)}
    entries: list[dict[str, Any]] = []
    replaced: list[str] = []
    for entry in upstream:
        own = by_id.get(str(entry.get("id")))
        if own is not None and replace_upstream:
            entries.append(own.entry)
            replaced.append(own.id)
        else:
            entries.append(dict(entry))
    added = [service.id for service in local if service.id not in upstream_ids]
    entries += [by_id[service_id].entry for service_id in added]
    shadowed = [] if replace_upstream else [s.id for s in local if s.id in upstream_ids]
    return MergedIndex(tuple(entries), tuple(added), tuple(replaced), tuple(shadowed))


def read_local_service(folder: Path, base_url: str) -> LocalService:
    """A folder read as the generator reads it: a manifest that is not a JSON object, a README that is not
    UTF-8, or a file that may not be carried is bad input, named (exit 2)."""
    from wizard.publish.folders import folder_docs, folder_manifest
    from wizard.registry.plain_files import read_service_file

    manifest = folder_manifest(folder)
    readme, _ = folder_docs(folder)
    pictures = {name: data for name in PICTURES if (data := read_service_file(folder / name)) is not None}
    # the generator fails on a folder without README.md; here the service is still tried, with no text
    entry = generator_entry(folder.name, manifest, readme or "", pictures, base_url)
    return LocalService(folder.name, entry, pictures)


def files_state(folders: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """What a change to any file of the folders changes: each file's path, size and modification time."""
    state: list[tuple[str, int, int]] = []
    for folder in folders:
        try:
            names = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
        except OSError:
            state.append((str(folder), -1, -1))
            continue
        for path in names:
            try:
                info = path.lstat()
            except OSError:
                continue
            state.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(state)


def changed_files(before: Sequence[tuple[str, int, int]], after: Sequence[tuple[str, int, int]]) -> list[str]:
    """The paths added, removed or changed between two ``files_state`` readings."""
    old, new = {p: rest for p, *rest in before}, {p: rest for p, *rest in after}
    return sorted(p for p in old.keys() | new.keys() if old.get(p) != new.get(p))
