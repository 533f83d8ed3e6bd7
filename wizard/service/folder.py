"""Writing a service folder: all at once or not at all.

``write_service_folder`` builds the folder in a temporary sibling and renames it into place, so a full disk, a
permission error or Ctrl-C leaves nothing half-written. ``replace_files`` rewrites files of an existing folder.

The temporary names come from ``tempfile``, which makes folders 0700 and files 0600 whatever the umask; what
lands in a registry checkout must not be private to its writer, so a new folder or file gets the modes the
user's umask gives (0755 and 0644 under 022), and a file written over an existing one keeps that file's mode,
as an editor saving it would.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from wizard.errors import FolderExists, ScaffoldError


def current_umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode(default: int, existing: Path | None = None) -> int:
    if existing is not None:
        try:
            return existing.stat().st_mode & 0o7777
        except OSError:
            pass
    return default & ~current_umask()


def _write_all(folder: Path, files_by_path: Mapping[str, bytes]) -> None:
    for relative, content in files_by_path.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)  # open() and mkdir() already follow the umask
        with open(target, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())


def write_service_folder(target: Path, files_by_path: Mapping[str, bytes], *, force: bool = False) -> Path:
    """Write the folder at ``target`` atomically; with ``force``, replace an existing one (also atomically)."""
    target = Path(target)
    if target.exists() and not force:
        raise FolderExists(f"{target} already exists", hint="pick another --out, or pass --force to replace it")
    parent = target.parent
    left = parent / f".{target.name}.replaced"
    if left.is_dir() and not target.exists():  # a run killed between its two renames: this is the folder
        left.rename(target)
        if not force:
            raise FolderExists(f"{target} already exists (put back from {left.name}, where a killed run had "
                               "set it aside)", hint="pick another --out, or pass --force to replace it")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=parent))
        staging.chmod(_mode(0o777))
    except OSError as error:
        raise ScaffoldError(f"cannot write into {parent}: {error.strerror}", hint="check the folder and its permissions") from None
    backup: Path | None = None
    try:
        _write_all(staging, files_by_path)
        if target.exists():
            backup = parent / f".{target.name}.replaced"
            shutil.rmtree(backup, ignore_errors=True)
            target.rename(backup)
        staging.rename(target)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if backup is not None and backup.exists() and not target.exists():
            backup.rename(target)
        if isinstance(error, OSError):
            raise ScaffoldError(
                f"could not write {target}: {error.strerror or error}; nothing was left behind",
                hint="free some disk space or fix the permissions, then run the same command again",
            ) from None
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
    return target


def replace_files(folder: Path, files_by_path: Mapping[str, bytes]) -> None:
    """Every file written beside its target first, then all renamed over them: a failure while writing
    changes nothing, and other files in the folder (samples, images the README shows) stay."""
    staged: list[tuple[str, Path]] = []
    try:
        for name, content in files_by_path.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{Path(name).name}.", suffix=".partial", dir=target.parent)
            staged.append((temporary, target))
            os.fchmod(handle, _mode(0o666, target if target.is_file() else None))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
        for temporary, target in staged:
            os.replace(temporary, target)
    except OSError as error:
        raise ScaffoldError(f"could not write into {folder}: {error.strerror or error}",
                            hint="check the folder's permissions and free space, then run the same command again") from None
    finally:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)


def update_service_folder(folder: Path, files_by_path: Mapping[str, bytes], *, new_name: str | None = None) -> Path:
    """Rewrite the given files of an existing folder in place (see ``replace_files``). With ``new_name``, the
    folder is renamed first (its id or interface changed)."""
    folder = Path(folder)
    if new_name and new_name != folder.name:
        target = folder.parent / new_name
        if target.exists():
            raise FolderExists(f"{target} already exists", hint="choose another id, or remove that folder first")
        folder.rename(target)
        folder = target
    replace_files(folder, files_by_path)
    return folder


def _same_text(new: bytes, old: bytes | None) -> bool:
    # a README held as text was read with universal newlines: CRLF and LF are the same text
    return old is not None and new.replace(b"\r\n", b"\n") == old.replace(b"\r\n", b"\n")


def edited_files(folder: Path, files_by_path: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files of an edit that differ from the folder's own. manifest.json is written over its own text
    (``json_text``): indent, key order and last line ending stay, only the changed values' lines differ. An
    unchanged edit gives {}: nothing to write."""
    from wizard.service.json_text import edited_json_bytes

    changed = {}
    for name, content in files_by_path.items():
        path = Path(folder) / name
        current = path.read_bytes() if path.is_file() else None
        if name == "manifest.json":
            content = edited_json_bytes(current, json.loads(content))
        if content != current and not (name.endswith(".md") and _same_text(content, current)):
            changed[name] = content
    return changed
