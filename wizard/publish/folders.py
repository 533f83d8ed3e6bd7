"""The service folders a pull request carries: read, checked by the core, and gathered file by file.

The findings are not judged here: an error can be one the upstream already has in that folder, which only
the upstream's files can tell (``wizard.publish.base``). What cannot be a folder at all stops here, before
any network.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from wizard.errors import InvalidInput
from wizard.publish.plan import ServiceFolder
from wizard.registry.checks import CHECKS, Finding, check_files
from wizard.registry.layout import name_findings

SKIPPED_NAMES = {"__pycache__", "node_modules"}


def _folder_of(path: Path) -> Path:
    if path.is_file() and path.name == "manifest.json":
        return path.parent
    if path.is_dir() and not (path / "manifest.json").exists():
        raise InvalidInput([f"{path}: not a service folder (it holds no manifest.json)"],
                           hint="name each service folder, e.g. ./chat-my-model")
    if not path.exists():
        raise InvalidInput([f"{path}: no such folder"], hint="name each service folder, e.g. ./chat-my-model")
    return path


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file of a service folder by its path inside it, hidden files and tool caches left out."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(p.startswith(".") or p in SKIPPED_NAMES for p in relative.parts):
            files[relative.as_posix()] = path.read_bytes()
    return files


def folder_findings(name: str, files: Mapping[str, bytes | None]) -> tuple[Finding, ...]:
    """What `validate` says of a service folder's files held in memory, its name included, with paths
    "{name}/{file}": the baseline an edit, a bump or a pull request is judged against."""
    folder = Path(name)
    return tuple(check_files(folder, files).findings + name_findings(folder))


def baseline_of(folder: Path) -> tuple[Finding, ...]:
    """``folder_findings`` of a folder on disk, as it is before a change."""
    return folder_findings(folder.name, {name: (folder / name).read_bytes() if (folder / name).is_file() else None
                                         for name in CHECKS})


def _manifest_of(folder: Path, findings: Sequence[Finding]):
    """The manifest as written (rules it breaks are findings); a file that is no manifest at all stops here."""
    from wizard.service.manifest import read_manifest

    try:
        data = json.loads((folder / "manifest.json").read_bytes())
        if isinstance(data, dict):
            return read_manifest(data)[0]
    except (ValueError, InvalidInput):
        pass
    errors = [str(f) for f in findings if f.severity == "error" and f.path.endswith("manifest.json")
              and Path(f.path).parent == folder] or [f"{folder / 'manifest.json'}: not a manifest"]
    raise InvalidInput(errors, hint="fix the manifest, then run the same command again; nothing was sent to GitHub")


def read_service_folders(paths: Sequence[Path]) -> tuple[list[ServiceFolder], list[Finding]]:
    """The folders as they will be committed, and what the core's checks find in them."""
    from wizard.registry.checks import validate_paths

    folders = [_folder_of(Path(p)) for p in paths]
    if not folders:
        raise InvalidInput(["no service folder was given"], hint="name at least one folder")
    findings = validate_paths(folders)
    services = [ServiceFolder(f, _manifest_of(f, findings), folder_files(f)) for f in folders]
    return services, findings
