"""The upstream index (``manifests.json``): which ids, folders and external ports are taken.

Loading it is the only I/O here that touches the network, through an injected ``httpx.AsyncClient``;
everything else is pure.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from wizard.errors import IndexUnavailable, InvalidIndex, ManifestSyntaxError
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
    reason: str | None = None  # why the cached copy stands in for the URL (None: offline)

    def age_note(self, now: float | None = None) -> str:
        if not self.from_cache or self.fetched_at is None:
            return f"upstream index: {self.source} ({len(self.entries)} services)"
        age = describe_age((now or time.time()) - self.fetched_at)
        why = f"{self.source} could not be loaded ({self.reason}), so " if self.reason else ""
        return (f"upstream index: {why}a cached copy of {self.source} from {age} is used ({len(self.entries)} "
                "services); it may miss the newest services")


def describe_age(seconds: float) -> str:
    seconds = max(0, int(seconds))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def entry_folder(entry: dict[str, Any]) -> str:
    """The folder of an index entry. The generator builds its icon (or banner) URL from the folder's name,
    which catches folders that do not match ids; the name may be percent-encoded or hold a raw space."""
    for key in ("icon", "banner"):
        url = entry.get(key)
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            parts = [unquote(p) for p in urlparse(url).path.split("/") if p]
            if len(parts) >= 2 and parts[-2].strip():
                return parts[-2]
    interfaces = entry.get("interfaces")
    first = interfaces[0] if isinstance(interfaces, list) and interfaces else "?"
    return service_folder_name(str(first), str(entry.get("id", "")))


def folder_key(folder: str) -> str:
    """Folders compare without case and outer spaces: on a case-insensitive disk, and to a reader, ' a-b' and
    'A-b' are the folder 'a-b'."""
    return folder.strip().casefold()


def ids_in_use(index: RegistryIndex) -> dict[str, dict[str, Any]]:
    """Lowercased id -> entry; ids compare without case because one real id has an uppercase letter."""
    return {str(e.get("id", "")).lower(): e for e in index.entries}


def folders_in_use(index: RegistryIndex) -> set[str]:
    return {entry_folder(e) for e in index.entries}


def folder_holder(index: RegistryIndex, folder: str, *, skip_ids: Iterable[str] = ()) -> dict[str, Any] | None:
    """The entry whose folder is ``folder`` (see ``folder_key``), leaving out the entries of ``skip_ids``."""
    skip = {str(i).lower() for i in skip_ids}
    wanted = folder_key(folder)
    return next((e for e in index.entries
                 if folder_key(entry_folder(e)) == wanted and str(e.get("id", "")).lower() not in skip), None)


def folder_collision(index: RegistryIndex, folder: str, *, skip_ids: Iterable[str] = (), service_id: str = "") -> str | None:
    """A message naming the service whose folder this is (its name, folder and id), or None when it is free."""
    holder = folder_holder(index, folder, skip_ids=skip_ids)
    if holder is None:
        return None
    held = entry_folder(holder)
    shown = held if held == held.strip() else f"'{held}'"  # a leading space is there, and must be seen
    example = f", e.g. '{service_id}-2' or one naming your variant" if service_id else ""
    return (f"the folder '{folder}' ({{first interface}}-{{id}}) is taken by '{holder.get('name', '?')}' ({shown}, "
            f"id {holder.get('id', '?')}); writing it would replace that service: pick another id{example}")


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


# --- loading --------------------------------------------------------------------------------------

MAX_INDEX_BYTES = 32 * 1024 * 1024  # the real index is 250 KB for 47 services: far more is not an index


def parse_index(data: bytes | str, source: str) -> list[dict[str, Any]]:
    """The entries of an index; InvalidIndex (or ManifestSyntaxError, for JSON that does not parse) saying why
    it is not one."""
    if len(data) > MAX_INDEX_BYTES:
        raise InvalidIndex(f"{source} has {len(data)} bytes; a registry index is far smaller "
                           f"(at most {MAX_INDEX_BYTES} bytes are read)")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as error:
        raise ManifestSyntaxError(source, 1, error.start + 1, "the file is not UTF-8 text") from None
    entries = parse_json(text, source, duplicates=True)  # read as the daemon reads it
    if not isinstance(entries, list):
        raise InvalidIndex(f"{source} is not a registry index: it holds a JSON {type(entries).__name__}, not a list "
                           "of manifests")
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            what = "a manifest without an id" if isinstance(entry, dict) else f"a JSON {type(entry).__name__}"
            raise InvalidIndex(f"{source} is not a registry index: entry {number} is {what}, not a manifest")
    return entries


def _read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_INDEX_BYTES:  # before reading it: a huge file is never loaded
            raise InvalidIndex(f"{path} has {path.stat().st_size} bytes; a registry index is far smaller "
                               f"(at most {MAX_INDEX_BYTES} bytes are read)")
        return path.read_bytes()
    except OSError as error:
        raise InvalidIndex(f"cannot read the index {path}: {error.strerror or error}",
                           hint="check the --index path") from None


def cache_path(source: str) -> Path:
    """One cache file per URL, so a failing URL can only ever fall back to its own copy."""
    return cache_dir() / f"index-{hashlib.sha256(source.encode('utf-8')).hexdigest()[:24]}.json"


def _write_cache(entries: list[dict[str, Any]], source: str) -> None:
    path = cache_path(source)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"source": source, "fetched_at": time.time(), "entries": entries}),
                             encoding="utf-8")
        temporary.replace(path)
    except OSError:
        pass  # a cache we cannot write only costs the next offline run its copy


def cached_index(source: str, *, reason: str | None = None) -> RegistryIndex | None:
    """The copy cached when ``source`` was last loaded, or None; never another URL's."""
    path = cache_path(source)
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        if cached.get("source") != source or not isinstance(cached.get("fetched_at"), (int, float)):
            return None
        entries = parse_index(json.dumps(cached["entries"]), str(path))
    except (OSError, ValueError, KeyError, AttributeError, RecursionError, IndexUnavailable, ManifestSyntaxError):
        return None
    return RegistryIndex(tuple(entries), source, cached["fetched_at"], from_cache=True, reason=reason)


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


async def _download(client: httpx.AsyncClient, source: str) -> bytes:
    """The body, read no further than MAX_INDEX_BYTES."""
    body = bytearray()
    async with client.stream("GET", source, follow_redirects=True) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > MAX_INDEX_BYTES:
                raise InvalidIndex(f"{source} sends more than {MAX_INDEX_BYTES} bytes; a registry index is far "
                                   "smaller")
    return bytes(body)


async def load_index(source: str, *, client: httpx.AsyncClient | None = None, offline: bool = False) -> RegistryIndex:
    """The upstream index from a URL (cached for offline use), a local file, or that URL's cached copy.

    Raises InvalidIndex for a file that cannot be read or is no index, ManifestSyntaxError for one that does not
    parse, and IndexUnavailable for a URL that fails with no cached copy (the reason in the message)."""
    if not _is_url(source):
        path = Path(source).expanduser()
        return RegistryIndex(tuple(parse_index(_read_file(path), str(path))), str(path))
    if not offline and client is not None:
        import httpx

        try:
            entries = parse_index(await _download(client, source), source)
        except (httpx.HTTPError, IndexUnavailable, ManifestSyntaxError) as error:
            reason = error.message if isinstance(error, (IndexUnavailable, ManifestSyntaxError)) else \
                str(error) or type(error).__name__
            cached = cached_index(source, reason=reason)
            if cached is None:
                raise IndexUnavailable(
                    f"cannot load the upstream index {source}: {reason}",
                    hint="check your connection, pass --index FILE, or --offline to skip the checks",
                ) from None
            return cached
        _write_cache(entries, source)
        return RegistryIndex(tuple(entries), source, time.time())
    cached = cached_index(source)
    if cached is None:
        raise IndexUnavailable(
            f"offline, and no cached copy of the upstream index {source} exists yet",
            hint="run once with a connection, or pass --index FILE",
        )
    return cached
