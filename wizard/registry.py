"""The upstream registry: its index (``manifests.json``) and the checks of service folders.

The index answers which ids, folders and external ports are taken. Loading it is the only I/O here
that touches the network, through an injected ``httpx.AsyncClient``; everything else is pure.
"""

from __future__ import annotations

import json
import random
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from wizard.errors import IndexUnavailable, InvalidInput, ManifestSyntaxError
from wizard.manifest import (
    parse_json,
    problem_line,
    read_json_file,
    read_manifest,
    registry_dict,
    service_folder_name,
)
from wizard.settings import cache_dir
from wizard.svg_check import check_logo

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


# --- checking service folders ---------------------------------------------------------------------

LOGO_WARN_BYTES = 100 * 1024
SKIPPED_DIRS = {"node_modules", "__pycache__"}


@dataclass(frozen=True)
class Finding:
    path: str
    severity: str  # "error" | "warning"
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "severity": self.severity, "message": self.message}


@dataclass
class FolderReport:
    folder: Path
    findings: list[Finding] = field(default_factory=list)
    manifest: dict[str, Any] | None = None  # as read, for checks across folders

    def add(self, name: str, severity: str, message: str, line: int | None = None) -> None:
        path = self.folder / name if name else self.folder
        self.findings.append(Finding(str(path), severity, message, line))


def _key_line(text: str, key: str) -> int | None:
    """The line of a top-level key in a manifest's text, so CI annotations point at it."""
    needle = f'"{key}"'
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def _check_manifest(report: FolderReport) -> None:
    path = report.folder / "manifest.json"
    if _not_a_file(report, "manifest.json"):
        return
    if not path.is_file():
        report.add("manifest.json", "error", "manifest.json is missing; every service folder needs one")
        return
    try:
        data = read_json_file(path)
    except ManifestSyntaxError as error:
        report.add("manifest.json", "error", error.detail + " (the JSON does not parse)", error.line)
        return
    if not isinstance(data, dict):
        report.add("manifest.json", "error", f"a manifest is a JSON object {{ ... }}, not a {type(data).__name__}")
        return
    report.manifest = data
    text = path.read_text(encoding="utf-8")
    try:
        manifest, problems = read_manifest(data)
    except InvalidInput as error:
        for problem in error.problems:
            report.add("manifest.json", "error", problem, _key_line(text, problem.split(".")[0].split(":")[0]))
        return
    for where, message in problems:
        report.add("manifest.json", "error", problem_line(where, message), _key_line(text, where.split(".")[0]))
    for key in manifest.unknown_key_paths():
        report.add("manifest.json", "warning", f"unknown key '{key}' (kept as is; check its spelling)",
                   _key_line(text, key.split(".")[-1]))
    normal = registry_dict(manifest)
    for key, value in data.items():
        if normal.get(key) != value:
            report.add("manifest.json", "warning", f"'{key}' is written as {json.dumps(value)}; the registry writes "
                       f"{json.dumps(normal.get(key))}", _key_line(text, key))
    interfaces = data.get("interfaces")
    if isinstance(interfaces, list) and interfaces and isinstance(data.get("id"), str):
        expected = service_folder_name(str(interfaces[0]), data["id"])
        if report.folder.name != expected:
            report.add("", "error", f"the folder is named '{report.folder.name}' but its manifest says "
                       f"'{expected}' (first interface + '-' + id); rename the folder or fix the id")


def _not_a_file(report: FolderReport, name: str) -> bool:
    if (report.folder / name).exists() and not (report.folder / name).is_file():
        report.add(name, "error", f"{name} is a folder or a special file; it must be a plain file")
        return True
    return False


def _check_readme(report: FolderReport) -> None:
    path = report.folder / "README.md"
    if _not_a_file(report, "README.md"):
        return
    if not path.is_file():
        report.add("README.md", "error", "README.md is missing; describe the service, how to use it and its license")
    elif not path.read_bytes().strip():
        report.add("README.md", "error", "README.md is empty; describe the service, how to use it and its license")


def _check_logo(report: FolderReport) -> None:
    path = report.folder / "logo.svg"
    if _not_a_file(report, "logo.svg"):
        return
    if not path.is_file():
        report.add("logo.svg", "error", "logo.svg is missing; add a 256x256 SVG logo")
        return
    data = path.read_bytes()
    for severity, message in check_logo(data):
        report.add("logo.svg", severity, message)
    if len(data) > LOGO_WARN_BYTES:
        report.add("logo.svg", "warning", f"logo.svg is {len(data) / 1024:.0f} KB; keep logos under 100 KB "
                   "(embedded bitmaps make them large)")


def check_folder(folder: Path) -> FolderReport:
    report = FolderReport(folder)
    _check_manifest(report)
    _check_readme(report)
    _check_logo(report)
    return report


def _service_folders(path: Path) -> tuple[list[Path], list[Finding]]:
    """The service folders a path names: itself, its manifest's folder, or the folders of a checkout."""
    if path.is_file():
        if path.name == "manifest.json":
            return [path.parent], []
        return [], [Finding(str(path), "error", "not a service folder nor a manifest.json; name a folder")]
    if not path.is_dir():
        return [], [Finding(str(path), "error", "no such file or folder")]
    if (path / "manifest.json").exists():
        return [path], []
    folders, notes = [], []
    for child in sorted(path.iterdir()):
        if not child.is_dir() or child.name.startswith(".") or child.name in SKIPPED_DIRS:
            continue
        if (child / "manifest.json").exists():
            folders.append(child)
        elif (child / "logo.svg").exists() or (child / "README.md").exists():
            notes.append(Finding(str(child), "warning", "looks like a service folder but holds no manifest.json"))
    if not folders and not notes:
        notes.append(Finding(str(path), "error", "holds no service folder (no manifest.json found one level down)"))
    return folders, notes


def _cross_checks(reports: Sequence[FolderReport]) -> list[Finding]:
    findings: list[Finding] = []
    by_id: dict[str, list[FolderReport]] = {}
    by_port: dict[int, list[FolderReport]] = {}
    for report in reports:
        data = report.manifest or {}
        if isinstance(data.get("id"), str):
            by_id.setdefault(data["id"].lower(), []).append(report)
        if isinstance(data.get("defaultExternalPort"), int) and not isinstance(data["defaultExternalPort"], bool):
            by_port.setdefault(data["defaultExternalPort"], []).append(report)
    for service_id, group in by_id.items():
        for report in group if len(group) > 1 else ():
            others = ", ".join(r.folder.name for r in group if r is not report)
            findings.append(Finding(str(report.folder / "manifest.json"), "error",
                                    f"id '{service_id}' is also used by {others}; ids must be unique"))
    for port, group in by_port.items():
        for report in group if len(group) > 1 else ():
            others = ", ".join(r.folder.name for r in group if r is not report)
            findings.append(Finding(str(report.folder / "manifest.json"), "warning",
                                    f"defaultExternalPort {port} is also used by {others}; the two cannot run at once"))
    return findings


def validate_paths(paths: Sequence[Path]) -> list[Finding]:
    """Every finding for the given service folders or registry checkouts, errors and warnings."""
    findings: list[Finding] = []
    reports: list[FolderReport] = []
    seen: set[Path] = set()
    for path in paths:
        folders, notes = _service_folders(Path(path))
        findings += notes
        for folder in folders:
            if folder.resolve() in seen:
                continue
            seen.add(folder.resolve())
            reports.append(check_folder(folder))
    for report in reports:
        findings += report.findings
    return findings + _cross_checks(reports)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
