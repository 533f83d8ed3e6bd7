"""The checks of service folders, as `validate` runs them: one finding per problem, with its file and line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.errors import InvalidInput, ManifestSyntaxError
from wizard.registry.logo import check_logo
from wizard.service.manifest import (
    parse_json,
    problem_line,
    read_manifest,
    registry_dict,
    service_folder_name,
)

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


def _check_manifest(report: FolderReport, content: bytes | None) -> None:
    path = report.folder / "manifest.json"
    if content is None:
        report.add("manifest.json", "error", "manifest.json is missing; every service folder needs one")
        return
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        report.add("manifest.json", "error", "the file is not UTF-8 text (the JSON does not parse)")
        return
    try:
        data = parse_json(text, str(path))
    except ManifestSyntaxError as error:
        report.add("manifest.json", "error", error.detail + " (the JSON does not parse)", error.line)
        return
    if not isinstance(data, dict):
        report.add("manifest.json", "error", f"a manifest is a JSON object {{ ... }}, not a {type(data).__name__}")
        return
    report.manifest = data
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


def _check_readme(report: FolderReport, content: bytes | None) -> None:
    if content is None:
        report.add("README.md", "error", "README.md is missing; describe the service, how to use it and its license")
    elif not content.strip():
        report.add("README.md", "error", "README.md is empty; describe the service, how to use it and its license")


def _check_logo(report: FolderReport, content: bytes | None) -> None:
    if content is None:
        report.add("logo.svg", "error", "logo.svg is missing; add a 256x256 SVG logo")
        return
    for severity, message in check_logo(content):
        report.add("logo.svg", severity, message)
    if len(content) > LOGO_WARN_BYTES:
        report.add("logo.svg", "warning", f"logo.svg is {len(content) / 1024:.0f} KB; keep logos under 100 KB "
                   "(embedded bitmaps make them large)")


CHECKS = {"manifest.json": _check_manifest, "README.md": _check_readme, "logo.svg": _check_logo}


def check_files(folder: Path, files: Mapping[str, bytes | None]) -> FolderReport:
    """The findings for a service folder's files held in memory (None: the file is absent)."""
    report = FolderReport(Path(folder))
    for name, check in CHECKS.items():
        check(report, files.get(name))
    return report


def check_folder(folder: Path) -> FolderReport:
    report = FolderReport(folder)
    for name, check in CHECKS.items():
        path = folder / name
        if path.exists() and not path.is_file():
            report.add(name, "error", f"{name} is a folder or a special file; it must be a plain file")
            continue
        check(report, path.read_bytes() if path.is_file() else None)
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
