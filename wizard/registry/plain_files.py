"""A service folder's files as a pull request may carry them: regular files inside the folder, within a size.

A symbolic link is never followed: `ln -s /proc/self/environ env.txt` would put the process environment (a
GitHub token with it) into a public pull request, and a README.md linking to /etc/passwd the password file.
Device files, FIFOs and sockets are refused too, and so is a file over its size limit, before it is read.
Files are opened with O_NOFOLLOW and checked again once open, so a link swapped in meanwhile is refused.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1024 * 1024
# Real upstream logos reach 1 MB; a README or manifest over 1 MiB is not documentation.
LIMITS = {"manifest.json": MIB, "README.md": MIB, "logo.svg": 2 * MIB}
OTHER_LIMIT = 2 * MIB
SKIPPED_NAMES = {"__pycache__", "node_modules"}


class NotPlain(Exception):
    """The path is not a regular file the folder may carry; ``message`` says what it is instead."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _size(count: int) -> str:
    return f"{count / MIB:.1f} MiB" if count >= MIB else f"{count / 1024:.0f} KiB"


def read_plain(path: Path, name: str | None = None) -> bytes | None:
    """The bytes of ``path`` if it is a regular file within its limit; None if it does not exist.

    Raises ``NotPlain`` for a link (naming its target), a special file or a file over the limit.
    """
    name = name or path.name
    limit = LIMITS.get(name, OTHER_LIMIT)
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL in the path names nothing
        return None
    if stat.S_ISLNK(info.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise NotPlain(f"{name} is a symbolic link (to {target}); a pull request carries only regular files: "
                       "put the file itself in the folder")
    if not stat.S_ISREG(info.st_mode):
        raise NotPlain(f"{name} is {_kind(info.st_mode)}; it must be a regular file")
    if info.st_size > limit:
        raise NotPlain(f"{name} is {_size(info.st_size)}; the limit is {_size(limit)}")
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise NotPlain(f"{name} cannot be read ({error.strerror})") from None
    with os.fdopen(handle, "rb") as stream:
        opened = os.fstat(stream.fileno())
        if not stat.S_ISREG(opened.st_mode):
            raise NotPlain(f"{name} is {_kind(opened.st_mode)}; it must be a regular file")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise NotPlain(f"{name} is over the limit of {_size(limit)}")
    return data


@dataclass
class FolderContent:
    files: dict[str, bytes] = field(default_factory=dict)  # path inside the folder -> bytes
    refused: dict[str, str] = field(default_factory=dict)  # path inside the folder -> why it is not carried


def folder_content(folder: Path) -> FolderContent:
    """Every regular file of ``folder`` by its path inside it, without following a link anywhere; hidden files
    and tool caches are left out, and everything else that is not a regular file is refused, with the reason."""
    content = FolderContent()

    def walk(directory: Path, prefix: str) -> None:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            content.refused[prefix or "."] = f"{prefix or directory.name} cannot be listed ({error.strerror})"
            return
        for entry in entries:
            if entry.name.startswith(".") or entry.name in SKIPPED_NAMES:
                continue
            relative = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if relative in LIMITS:  # a folder where one of the service's files belongs
                    content.refused[relative] = f"{relative} is a folder; it must be a regular file"
                else:
                    walk(Path(entry.path), f"{relative}/")
                continue
            try:
                data = read_plain(Path(entry.path), relative if prefix else entry.name)
            except NotPlain as refused:
                content.refused[relative] = refused.message
                continue
            if data is not None:
                content.files[relative] = data

    walk(folder, "")
    return content


def read_service_file(path: Path) -> bytes | None:
    """``read_plain`` for a front end: a file that may not be carried is bad input, named (exit 2)."""
    from wizard.errors import InvalidInput

    try:
        return read_plain(path)
    except NotPlain as refused:
        raise InvalidInput([f"{path.parent}/{refused.message}"],
                           hint="put the file itself in the folder (no links, no special files), then run it again")\
            from None
