"""Write a file so that a reader, a crash or a kill sees the old file or the new one, never half of either.

The bytes go to ``.{prefix}.{pid}.{random}.tmp`` beside the file and are renamed over it. A kill between the
two leaves that temporary file, a crumb: ``sweep_crumbs`` removes those of processes that are gone (or old
enough), so each writer cleans up after the ones that were cut short.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from wizard.processes import process_running

CRUMB_AGE = 60.0  # seconds: a save takes milliseconds, so an older temporary file is a killed save's


def sync_folder(folder: Path) -> None:
    """A rename is durable only once its folder is synced: else a power loss may undo it."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def write_atomically(path: Path, data: bytes | str, *, prefix: str, durable: bool = False) -> Path:
    """Replace ``path`` with ``data`` (text is written as UTF-8); ``durable`` syncs the file and its folder
    before returning, for a commit point that must outlive a power loss."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{prefix}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if durable:
        sync_folder(path.parent)
    return path


def sweep_crumbs(folder: Path, prefix: str) -> int:
    """Remove the temporary files ``write_atomically`` left behind when a write was killed before its rename
    (``.{prefix}.PID.*.tmp`` of a process that is gone, or any old enough); a write running now keeps its own."""
    removed = 0
    for crumb in folder.glob(f".{prefix}.*.tmp"):
        owner = crumb.name[len(prefix) + 2:].split(".")[0]
        try:
            if owner.isdigit() and process_running(int(owner)) and time.time() - crumb.stat().st_mtime < CRUMB_AGE:
                continue
            crumb.unlink()
            removed += 1
        except OSError:
            continue
    return removed
