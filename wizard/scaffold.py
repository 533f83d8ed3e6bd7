"""A service folder: rendered as ``{relative path: bytes}``, written all at once or not at all.

``render_service`` is pure. ``write_service_folder`` builds the folder in a temporary sibling and
renames it into place, so a full disk, a permission error or Ctrl-C leaves nothing half-written.
"""

from __future__ import annotations

import colorsys
import os
import shutil
import tempfile
import zlib
from collections.abc import Mapping
from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template

from wizard.errors import FolderExists, ScaffoldError
from wizard.manifest import INTERFACES, TEXT_GENERATING_INTERFACES, Manifest, registry_json

SERVICE_FILES = ("manifest.json", "README.md", "logo.svg")


@cache
def _template(name: str) -> Template:
    return Template(files("wizard.templates").joinpath(name).read_text(encoding="utf-8"))


def human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def describe_memory(mib: int | None) -> str:
    if mib is None:
        return "not stated (TODO: measure the memory the service needs)"
    return f"{mib / 1024:.2f} GiB ({mib} MiB)"


def render_readme(manifest: Manifest) -> str:
    fields = {
        "id": manifest.id,
        "external_port": str(manifest.default_external_port),
        "default_port": str(manifest.default_port or "not set"),
    }
    usage = "\n".join(
        _template(f"usage/{interface}.md").substitute(fields) for interface in manifest.interfaces if interface in INTERFACES
    )
    rows = [
        f"| {device.upper()} | `{image.image}` | {human_bytes(image.size)} ({image.size} bytes) |"
        for device, image in (manifest.docker_images or {}).items()
    ] or ["| - | no Docker image: a binary service | - |"]
    tokens = manifest.model_info.tokens_per_second
    tokens_line = (
        f"- **Tokens per second**: {tokens}\n"
        if tokens is not None and TEXT_GENERATING_INTERFACES & set(manifest.interfaces)
        else ""
    )
    return _template("README.md.tmpl").substitute(
        fields,
        description=manifest.description.strip(),
        memory=describe_memory(manifest.model_info.memory_requirements),
        image_rows="\n".join(rows),
        usage=usage.rstrip(),
        interfaces=", ".join(f"`{i}`" for i in manifest.interfaces),
        tokens_line=tokens_line,
    )


def logo_colours(service_id: str) -> tuple[str, str]:
    """A background colour derived from the id (stable across runs) and a readable text colour on it."""
    hue = (zlib.crc32(service_id.encode()) % 360) / 360
    red, green, blue = colorsys.hls_to_rgb(hue, 0.42, 0.55)
    background = f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return background, "#111111" if luminance > 0.55 else "#ffffff"


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").replace("_", " ").split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words[:2]) or "?"
    return letters.upper()


def render_logo(manifest: Manifest) -> str:
    background, foreground = logo_colours(manifest.id)
    letters = initials(manifest.name)
    return _template("logo.svg.tmpl").substitute(
        name=escape(manifest.name),
        background=background,
        foreground=foreground,
        initials=escape(letters),
        font_size="112" if len(letters) < 2 else "96",
    )


def render_service(manifest: Manifest, *, readme: str | None = None, logo: bytes | None = None) -> dict[str, bytes]:
    """The files of the service folder, by path relative to it."""
    return {
        "manifest.json": registry_json(manifest).encode("utf-8"),
        "README.md": (readme if readme is not None else render_readme(manifest)).encode("utf-8"),
        "logo.svg": logo if logo is not None else render_logo(manifest).encode("utf-8"),
    }


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
