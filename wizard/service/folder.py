"""Writing a service folder: all at once or not at all.

``write_service_folder`` builds the folder in a temporary sibling and renames it into place, so a full disk, a
permission error or Ctrl-C leaves nothing half-written. ``replace_files`` rewrites files of an existing folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from wizard.errors import FolderExists, ScaffoldError


def _write_all(folder: Path, files_by_path: Mapping[str, bytes]) -> None:
    for relative, content in files_by_path.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
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
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=parent))
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
            handle, temporary = tempfile.mkstemp(prefix=f".{Path(name).name}.", suffix=".partial", dir=folder)
            staged.append((temporary, folder / name))
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
