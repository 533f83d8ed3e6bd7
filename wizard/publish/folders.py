"""The service folders a pull request carries: read, checked by the core, and gathered file by file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from wizard.errors import InvalidInput
from wizard.publish.plan import ServiceFolder

Progress = Callable[[str, str], None]
SKIPPED_NAMES = {"__pycache__", "node_modules"}


def _folder_of(path: Path) -> Path:
    if path.is_file() and path.name == "manifest.json":
        return path.parent
    if path.is_dir() and not (path / "manifest.json").exists():
        raise InvalidInput([f"{path}: not a service folder (it holds no manifest.json)"],
                           hint="name each service folder, e.g. ./chat-my-model")
    return path


def _folder_files(folder: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(p.startswith(".") or p in SKIPPED_NAMES for p in relative.parts):
            files[relative.as_posix()] = path.read_bytes()
    return files


def read_service_folders(paths: Sequence[Path], progress: Progress) -> list[ServiceFolder]:
    """The folders as they will be committed, after the core's checks; errors stop before any network."""
    from wizard.registry.checks import validate_paths
    from wizard.service.manifest import read_manifest_file

    folders = [_folder_of(Path(p)) for p in paths]
    if not folders:
        raise InvalidInput(["no service folder was given"], hint="name at least one folder")
    findings = validate_paths(folders)
    errors = [str(f) for f in findings if f.severity == "error"]
    if errors:
        raise InvalidInput(errors, hint="fix these, then run the same command again; nothing was sent to GitHub")
    for finding in findings:
        progress("check", str(finding))
    services = [ServiceFolder(f, read_manifest_file(f / "manifest.json"), _folder_files(f)) for f in folders]
    progress("check", f"{len(services)} service folder(s) pass the registry's checks")
    return services
