"""The upstream index (``manifests.json``): which ids, folders and external ports are taken.

Loading it is the only I/O here that touches the network, through an injected ``httpx.AsyncClient``;
everything else is pure.
"""

from __future__ import annotations

import json
import random
import time
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from wizard.errors import IndexUnavailable, ManifestSyntaxError
from wizard.service.manifest import (
    parse_json,
    service_folder_name,
)
from wizard.settings import cache_dir

if TYPE_CHECKING:
    import httpx

FREE_PORT_RANGE = range(8100, 10000)


# --- the index ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryIndex:
    entries: tuple[dict[str, Any], ...]
    source: str
    fetched_at: float | None = None  # epoch seconds; None for a file read now
    from_cache: bool = False

    def age_note(self, now: float | None = None) -> str:
        if not self.from_cache or self.fetched_at is None:
            return f"upstream index: {self.source} ({len(self.entries)} services)"
        return (
            f"upstream index: cached copy of {self.source} from {describe_age((now or time.time()) - self.fetched_at)} "
            f"({len(self.entries)} services); it may miss the newest services"
        )


def describe_age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def entry_folder(entry: dict[str, Any]) -> str:
    """The folder of an index entry. The icon URL names it, which catches folders that do not match ids."""
    icon = entry.get("icon")
    if isinstance(icon, str) and icon.startswith("http"):
        parts = [p for p in urlparse(icon).path.split("/") if p]
        if len(parts) >= 2:
            return parts[-2]
    interfaces = entry.get("interfaces") or ["?"]
    return service_folder_name(str(interfaces[0]), str(entry.get("id", "")))


def ids_in_use(index: RegistryIndex) -> dict[str, dict[str, Any]]:
    """Lowercased id -> entry; ids compare without case because one real id has an uppercase letter."""
    return {str(e.get("id", "")).lower(): e for e in index.entries}


def folders_in_use(index: RegistryIndex) -> set[str]:
    return {entry_folder(e) for e in index.entries}


def ports_in_use(index: RegistryIndex) -> Counter[int]:
    return Counter(e["defaultExternalPort"] for e in index.entries if isinstance(e.get("defaultExternalPort"), int))


def id_collision(index: RegistryIndex, service_id: str) -> str | None:
    """A message naming the service that already uses this id, or None when it is free."""
    taken = ids_in_use(index).get(service_id.lower())
    if taken is None:
        return None
    return (
        f"the id '{service_id}' is taken by '{taken.get('name', '?')}' ({entry_folder(taken)}); "
        f"pick another, e.g. '{service_id}-2' or one naming your variant"
    )


def port_collision(index: RegistryIndex, port: int) -> str | None:
    users = [e for e in index.entries if e.get("defaultExternalPort") == port]
    if not users:
        return None
    names = ", ".join(sorted(entry_folder(e) for e in users))
    return f"external port {port} is used by {names}; leave it out to get a free one"


def free_external_port(index: RegistryIndex, *, seed: str = "", taken: Iterable[int] = ()) -> int:
    """A port no upstream service uses. Random (seeded by the service id) so two contributors rarely collide."""
    used = set(ports_in_use(index)) | set(taken)
    free = [p for p in FREE_PORT_RANGE if p not in used]
    if not free:
        raise IndexUnavailable("no free external port is left in 8100-9999", hint="give one with --external-port")
    return random.Random(zlib.crc32(seed.encode())).choice(free)


def parse_index(text: str, source: str) -> list[dict[str, Any]]:
    data = parse_json(text, source)
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise IndexUnavailable(f"{source} is not a registry index (a JSON list of manifests)")
    return data


def _cache_paths() -> tuple[Path, Path]:
    folder = cache_dir()
    return folder / "manifests.json", folder / "manifests.meta.json"


def _write_cache(text: str, source: str) -> None:
    data_path, meta_path = _cache_paths()
    try:
        data_path.parent.mkdir(parents=True, exist_ok=True)
        for path, content in ((data_path, text), (meta_path, json.dumps({"source": source, "fetched_at": time.time()}))):
            temporary = path.with_suffix(".tmp")
            temporary.write_text(content, encoding="utf-8")
            temporary.replace(path)
    except OSError:
        pass  # a cache we cannot write only costs the next offline run its copy


def cached_index() -> RegistryIndex | None:
    data_path, meta_path = _cache_paths()
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        entries = parse_index(data_path.read_text(encoding="utf-8"), str(data_path))
    except (OSError, ValueError, IndexUnavailable, ManifestSyntaxError):
        return None
    return RegistryIndex(tuple(entries), meta.get("source", "?"), meta.get("fetched_at"), from_cache=True)


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


async def load_index(source: str, *, client: httpx.AsyncClient | None = None, offline: bool = False) -> RegistryIndex:
    """The upstream index from a URL (cached for offline use), a local file, or the last cached copy."""
    if not _is_url(source):
        path = Path(source).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise IndexUnavailable(f"cannot read the index {path}: {error.strerror}", hint="check the --index path") from None
        return RegistryIndex(tuple(parse_index(text, str(path))), str(path))
    if not offline and client is not None:
        import httpx

        try:
            response = await client.get(source, follow_redirects=True)
            response.raise_for_status()
            entries = parse_index(response.text, source)
        except (httpx.HTTPError, IndexUnavailable, ManifestSyntaxError) as error:
            cached = cached_index()
            if cached is None:
                raise IndexUnavailable(
                    f"cannot load the upstream index {source}: {error}",
                    hint="check your connection, pass --index FILE, or --offline to skip the checks",
                ) from None
            return cached
        _write_cache(response.text, source)
        return RegistryIndex(tuple(entries), source, time.time())
    cached = cached_index()
    if cached is None:
        raise IndexUnavailable(
            "offline, and no cached copy of the upstream index exists yet",
            hint="run once with a connection, or pass --index FILE",
        )
    return cached


