"""The registry's layout, as its index generator reads it (premAI-io/prem-registry, ``generate.py``).

The generator lists the checkout's top level and takes every folder whose name contains an interface name
(``any(s in folder_path for s in APPS)``, the eight interfaces). For each it opens ``manifest.json`` and
``README.md`` (a missing one stops the whole run, so ``manifests.json`` is not built for anyone), sets
``documentation`` to the README's text and ``icon`` to ``…/{branch}/{folder}/logo.svg``, the folder's name as
it is. Hence: such a folder holds both files, and its name has no blank at either end.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from wizard.registry.finding import Finding
from wizard.service.rules import INTERFACES

SKIPPED_DIRS = {"node_modules", "__pycache__"}
SERVICE_FILES = ("manifest.json", "README.md", "logo.svg")


def generator_interface(name: str) -> str | None:
    """The interface name the generator finds in a folder's name (so it takes the folder), or None."""
    return next((interface for interface in INTERFACES if interface in name), None)


def takes_note(name: str) -> str:
    """Why a missing manifest.json or README.md breaks the index, for a folder the generator takes."""
    interface = generator_interface(name)
    if interface is None:
        return ""
    return (f"the registry's index generator opens manifest.json and README.md in every top-level folder whose "
            f"name holds an interface name ('{interface}' here), so without it manifests.json is not built at all")


def name_findings(folder: Path) -> list[Finding]:
    """The generator writes the folder's name as it is into the icon's address; a blank at an end is invisible
    in listings and easily lost by tools and people."""
    name = folder.name
    if name == name.strip():
        return []
    where = "starts" if name != name.lstrip() else "ends"
    if name != name.lstrip() and name != name.rstrip():
        where = "starts and ends"
    return [Finding(str(folder), "error", f"the folder name {name!r} {where} with a blank: the index generator puts "
                    f"it as it is into the logo's address ('…/{name}/logo.svg'); rename the folder to "
                    f"{name.strip()!r}")]


def _is_service_folder(path: Path) -> bool:
    """A folder named on the command line is a service folder when it holds a manifest, or holds a README or
    logo and no folder below holds a manifest (then it is a checkout)."""
    if (path / "manifest.json").exists():
        return True
    if not any((path / name).exists() for name in SERVICE_FILES):
        return False
    return not any((child / "manifest.json").exists() for child in path.iterdir() if child.is_dir())


def service_folders(path: Path, changed: Collection[str] | None = None
                    ) -> tuple[list[Path], list[Path], list[Finding]]:
    """(folders to judge, other service folders, findings about the layout) for a path given to `validate`:
    a service folder, a file of one, or a checkout. ``changed``: the names of a checkout's folders to judge;
    its other service folders are returned apart (their ids and ports still count across folders)."""
    if path.is_file():
        if path.name == "manifest.json" or _is_service_folder(path.parent):
            return [path.parent], [], name_findings(path.parent)
        return [], [], [Finding(str(path), "error", "not a service folder nor a file of one; name a folder")]
    if not path.is_dir():
        return [], [], [Finding(str(path), "error", "no such file or folder")]
    if _is_service_folder(path):
        return [path], [], name_findings(path)
    judged, others, notes = [], [], []
    for child in sorted(path.iterdir()):
        taken = generator_interface(child.name) is not None
        if not child.is_dir() or child.name in SKIPPED_DIRS or child.name.startswith(".") and not taken:
            continue
        has_manifest = (child / "manifest.json").exists()
        if changed is not None and child.name not in changed:
            if has_manifest:
                others.append(child)
            continue
        if has_manifest or taken:
            judged.append(child)
            notes += name_findings(child)
        elif (child / "logo.svg").exists() or (child / "README.md").exists():
            notes.append(Finding(str(child), "warning", "looks like a service folder but holds no manifest.json "
                                 "(the index generator skips it: its name holds no interface name)"))
    if not judged and not notes and changed is None:
        notes.append(Finding(str(path), "error", "holds no service folder (no manifest.json found one level down)"))
    return judged, others, notes
