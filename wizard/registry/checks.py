"""The checks of service folders, as `validate` runs them: one finding per problem, with its file and line.

Three contracts are checked: the field table's rules (``wizard.service``), what the Prem Daemon reads
(``daemon``: a missing or mistyped value there is an error naming what breaks) and what the registry's index
generator reads (``layout``). Findings that fit real data, where nothing breaks, are warnings: a logo a few
percent off square, TODO lines left in the README, two services sharing an external port.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.errors import InvalidInput, ManifestSyntaxError
from wizard.registry.daemon import DUPLICATE_ID, daemon_breaks
from wizard.registry.finding import Finding, has_errors
from wizard.registry.layout import SKIPPED_DIRS, service_folders, takes_note
from wizard.registry.logo import check_logo
from wizard.service.manifest import (
    parse_json,
    problem_line,
    read_manifest,
    registry_dict,
    service_folder_name,
)
from wizard.service.rules import shown

__all__ = ["CHECKS", "SKIPPED_DIRS", "TODO_MESSAGE", "Finding", "FolderReport", "check_files", "check_folder",
           "has_errors", "is_todo", "todo_lines", "validate_paths"]

# --- checking service folders ---------------------------------------------------------------------

LOGO_WARN_BYTES = 100 * 1024
# the generated README's placeholders: "> **TODO:** …" lines, "(TODO: …)" where a value was not known, and
# "# TODO: …" comments in the usage examples
TODO = re.compile(r"^\s*>\s*\*\*TODO:?\*\*:?\s*(?P<line>.*)$|\(TODO:\s*(?P<inline>[^)]*)\)"
                  r"|^\s*#\s*TODO:\s*(?P<comment>.*)$")
TODO_MESSAGE = "a TODO placeholder is left"


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


def _named_path(problem: str) -> str:
    """The field path a problem names first: 'modelInfo must be an object { ... }' -> 'modelInfo'."""
    return re.split(r"[\s:]", problem, maxsplit=1)[0]


def _add_rule_problems(report: FolderReport, text: str, data: dict[str, Any], problems: list[tuple[str, str]]) -> None:
    """The field rules' problems, each with what the Prem Daemon does with the value when the value breaks the
    daemon's contract too; a break of the contract that no rule reported is a finding of its own."""
    breaks = {broken.path: broken for broken in daemon_breaks(data)}
    for where, message in problems:
        if broken := breaks.pop(where, None):
            message = f"{message}; {broken.behaviour}"
        report.add("manifest.json", "error", message, _key_line(text, where.split(".")[0]))
    for broken in breaks.values():
        report.add("manifest.json", "error", broken.message, _key_line(text, broken.path.split(".")[0]))


def _missing(name: str, folder: Path, advice: str) -> str:
    because = takes_note(folder.name)
    return f"{name} is missing: {because}; {advice}" if because else f"{name} is missing; {advice}"


def _check_manifest(report: FolderReport, content: bytes | None) -> None:
    path = report.folder / "manifest.json"
    if content is None:
        report.add("manifest.json", "error", _missing("manifest.json", report.folder, "every service folder needs one"))
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
        _add_rule_problems(report, text, data, [(_named_path(p), p) for p in error.problems])
        return
    _add_rule_problems(report, text, data, [(where, problem_line(where, message)) for where, message in problems])
    for key in manifest.unknown_key_paths():
        report.add("manifest.json", "warning", f"unknown key '{key}' (kept as is; check its spelling)",
                   _key_line(text, key.split(".")[-1]))
    normal = registry_dict(manifest)
    for key, value in data.items():
        if normal.get(key) != value:
            report.add("manifest.json", "warning", f"'{key}' is written as {json.dumps(value)}; the registry writes "
                       f"{json.dumps(normal.get(key))}", _key_line(text, key))
    port = data.get("defaultExternalPort")
    if isinstance(port, int) and not isinstance(port, bool) and 0 < port < PRIVILEGED_BELOW:
        report.add("manifest.json", "warning", f"defaultExternalPort {port} is a privileged port (below "
                   f"{PRIVILEGED_BELOW}): the daemon binds it on the user's machine, where only root may, and a "
                   "system service (ssh is 22, http 80) may hold it; pick a free one from 8100-9999",
                   _key_line(text, "defaultExternalPort"))
    interfaces = data.get("interfaces")
    if isinstance(interfaces, list) and interfaces and isinstance(data.get("id"), str):
        expected = service_folder_name(str(interfaces[0]), data["id"])
        if report.folder.name != expected:
            report.add("", "error", f"the folder is named '{report.folder.name}' but its manifest says "
                       f"'{expected}' (first interface + '-' + id); rename the folder or fix the id")


PRIVILEGED_BELOW = 1024


# a README is text: tabs, line ends and form feeds are the only control characters Markdown has any use for
BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def todo_lines(text: str) -> list[tuple[int, str]]:
    """(line number, what to write) for each TODO placeholder of a README."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if match := TODO.search(line):
            found.append((number, next(part for part in match.groups() if part is not None).strip()))
    return found


def is_todo(finding: Finding) -> bool:
    """A README's TODO placeholder: `publish` and the wizard's Review refuse while one is left."""
    return finding.message.startswith(TODO_MESSAGE)


def _check_readme(report: FolderReport, content: bytes | None) -> None:
    advice = "describe the service, how to use it and its license"
    if content is None:
        report.add("README.md", "error", _missing("README.md", report.folder, advice))
        return
    if not content.strip():
        report.add("README.md", "error", f"README.md is empty; {advice}")
        return
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        report.add("README.md", "error", "README.md is not UTF-8 text (the index and the Prem App show it as "
                   "text); save it as UTF-8", line)
        return
    if bad := BINARY.search(text):
        report.add("README.md", "error", f"README.md holds a control character ({shown(bad.group())}), so it is not "
                   "text; save the Markdown as plain UTF-8 text", text.count("\n", 0, bad.start()) + 1)
        return
    for number, what in todo_lines(text):
        quoted = what if len(what) <= 80 else what[:77] + "…"
        report.add("README.md", "warning", f"{TODO_MESSAGE}: {quoted!r}; write it or remove the line: the index "
                   "shows the README as the service's documentation", number)


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
    """The findings for a folder on disk: its three files, and any entry a pull request may not carry (a
    link, a special file, a file over its size limit), each named. No link is followed."""
    from wizard.registry.plain_files import folder_content

    report = FolderReport(folder)
    content = folder_content(folder)
    for name, why in content.refused.items():
        report.add(name, "error", why)
    for name, check in CHECKS.items():
        if name not in content.refused:
            check(report, content.files.get(name))
    return report


def _manifest_only(folder: Path) -> FolderReport:
    """A folder that is not judged, read only for the checks across folders."""
    report = FolderReport(folder)
    try:
        from wizard.registry.plain_files import NotPlain, read_plain

        data = parse_json((read_plain(folder / "manifest.json") or b"").decode("utf-8"), duplicates=True)
    except (OSError, UnicodeDecodeError, ManifestSyntaxError, NotPlain):
        return report
    report.manifest = data if isinstance(data, dict) else None
    return report


def _cross_checks(reports: Sequence[FolderReport], judged: Collection[FolderReport]) -> list[Finding]:
    """Duplicate ids and external ports, reported on the judged folders of each group."""
    findings: list[Finding] = []
    judged_ids = {id(report) for report in judged}
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
            if id(report) in judged_ids:
                findings.append(Finding(str(report.folder / "manifest.json"), "error",
                                        f"id '{service_id}' is also used by {others}; ids must be unique: {DUPLICATE_ID}"))
    for port, group in by_port.items():
        for report in group if len(group) > 1 else ():
            others = ", ".join(r.folder.name for r in group if r is not report)
            if id(report) in judged_ids:
                findings.append(Finding(str(report.folder / "manifest.json"), "warning", f"defaultExternalPort {port} "
                                        f"is also used by {others}; the two cannot run at once"))
    return findings


def validate_paths(paths: Sequence[Path], *, changed: Collection[str] | None = None) -> list[Finding]:
    """Every finding for the given service folders or registry checkouts, errors and warnings.

    ``changed``: judge only a checkout's folders of these names; the others count only across folders (a
    duplicate id or port is reported when it involves a judged folder).
    """
    findings: list[Finding] = []
    judged: list[FolderReport] = []
    others: list[FolderReport] = []
    seen: set[Path] = set()
    for path in paths:
        folders, unjudged, notes = service_folders(Path(path), changed)
        findings += notes
        for folder, reports, read in [*((f, judged, check_folder) for f in folders),
                                      *((f, others, _manifest_only) for f in unjudged)]:
            if folder.resolve() not in seen:
                seen.add(folder.resolve())
                reports.append(read(folder))
    for report in judged:
        findings += report.findings
    return findings + _cross_checks([*judged, *others], judged)
