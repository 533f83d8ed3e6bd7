"""The service folders a pull request carries: read, checked by the core, and gathered file by file.

The findings are not judged here: an error can be one the upstream already has in that folder, which only
the upstream's files can tell (``wizard.publish.base``). What cannot be a folder at all stops here, before
any network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from wizard.errors import InvalidInput, ManifestSyntaxError
from wizard.publish.plan import ServiceFolder
from wizard.registry.checks import CHECKS, Finding, check_files
from wizard.registry.layout import name_findings
from wizard.registry.plain_files import (
    NotPlain,
    folder_content,
    read_plain,
    read_service_file,
)
from wizard.service.json_input import parse_json


def _folder_of(path: Path) -> Path:
    if path.is_file() and path.name == "manifest.json":
        return path.parent
    if path.is_dir() and not (path / "manifest.json").exists():
        raise InvalidInput([f"{path}: not a service folder (it holds no manifest.json)"],
                           hint="name each service folder, e.g. ./chat-my-model")
    if not path.exists():
        raise InvalidInput([f"{path}: no such folder"], hint="name each service folder, e.g. ./chat-my-model")
    return path


def folder_manifest(folder: Path) -> dict:
    """The folder's manifest.json as a JSON object, read without following a link (bad input: exit 2)."""

    path = folder / "manifest.json"
    data = read_service_file(path)
    if data is None:
        raise InvalidInput([f"{folder}: not a service folder (it holds no manifest.json)"],
                           hint="name a service folder, e.g. ./chat-dolly-v2-12b")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ManifestSyntaxError(str(path), 1, error.start + 1, "the file is not UTF-8 text") from None
    parsed = parse_json(text, str(path))
    if not isinstance(parsed, dict):
        raise InvalidInput([f"{path}: a manifest is a JSON object {{ ... }}, not a {type(parsed).__name__}"])
    return parsed


def folder_docs(folder: Path) -> tuple[str | None, bytes | None]:
    """The folder's README text and logo bytes as an edit starts from them; a link, a special file or a
    README that is not UTF-8 is bad input, named."""
    readme, logo = read_service_file(folder / "README.md"), read_service_file(folder / "logo.svg")
    try:
        return (readme.decode("utf-8") if readme is not None else None), logo
    except UnicodeDecodeError:
        raise InvalidInput([f"{folder / 'README.md'}: not UTF-8 text"],
                           hint="save it as UTF-8 (or remove it to have one written), then run it again") from None


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every regular file of a service folder by its path inside it, hidden files and tool caches left out.

    A link, a special file or an oversized file stops here, before anything is sent (``plain_files``).
    """
    content = folder_content(folder)
    if content.refused:
        raise InvalidInput([f"{folder}/{why}" for why in content.refused.values()],
                           hint="a pull request carries only the folder's own regular files; nothing was sent")
    return content.files


def folder_findings(name: str, files: Mapping[str, bytes | None]) -> tuple[Finding, ...]:
    """What `validate` says of a service folder's files held in memory, its name included, with paths
    "{name}/{file}": the baseline an edit, a bump or a pull request is judged against."""
    folder = Path(name)
    return tuple(check_files(folder, files).findings + name_findings(folder))


def baseline_of(folder: Path) -> tuple[Finding, ...]:
    """``folder_findings`` of a folder on disk, as it is before a change."""
    return folder_findings(folder.name, {name: _plain_or_none(folder / name) for name in CHECKS})


def _plain_or_none(path: Path) -> bytes | None:
    try:
        return read_plain(path)
    except NotPlain:
        return None  # judged as absent in the baseline; `validate` and publishing refuse it by name


def _manifest_of(folder: Path, findings: Sequence[Finding]):
    """The manifest as written (rules it breaks are findings); a file that is no manifest at all stops here."""
    from wizard.service.manifest import read_manifest

    try:
        data = parse_json((read_plain(folder / "manifest.json") or b"").decode("utf-8"))
        if isinstance(data, dict):
            return read_manifest(data)[0]
    except (UnicodeDecodeError, ManifestSyntaxError, InvalidInput, NotPlain):
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
