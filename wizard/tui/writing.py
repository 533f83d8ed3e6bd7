"""Writing the plan's files: a new service folder, or an edited one saved in place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wizard.errors import FolderExists, WizardError
from wizard.service.folder import update_service_folder, write_service_folder
from wizard.service.plan import ServicePlan
from wizard.tui.state import EditTarget


@dataclass(frozen=True)
class Written:
    text: str  # what to tell the person
    ok: bool
    folder: Path | None = None
    offer_force: bool = False  # the folder exists: offer to replace it


def as_it_was(files: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """An edited manifest keeps the original file's last line ending, so an unchanged save changes no byte."""
    try:
        ended = (folder / "manifest.json").read_bytes().endswith(b"\n")
    except OSError:
        return files
    manifest = files["manifest.json"]
    return files if ended else {**files, "manifest.json": manifest.rstrip(b"\n")}


def write_plan(plan: ServicePlan, out: str, *, editing: EditTarget | None, force: bool = False) -> Written:
    if plan.manifest is None or plan.folder is None:
        return Written("The answers are not complete yet; see Review.", False)
    try:
        if editing:
            # rename only when the id or first interface changed, never to tidy a name someone chose
            renamed = plan.folder != editing.original_folder_name
            target = update_service_folder(editing.folder, as_it_was(plan.files, editing.folder),
                                           new_name=plan.folder if renamed else None)
        else:
            target = write_service_folder(Path(out or ".").expanduser() / plan.folder, plan.files, force=force)
    except FolderExists as error:
        return Written(f"✘ {error.message}. Replace it, or choose another folder.", False, offer_force=True)
    except (WizardError, OSError) as error:
        return Written(f"✘ {error}", False)
    return Written(f"✔ Wrote {target} (manifest.json, README.md, logo.svg)", True, target)
