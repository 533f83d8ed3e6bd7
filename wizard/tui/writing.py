"""Writing the plan's files: a new service folder, or an edited one saved in place.

An edited folder gets only the files that differ from what it holds, and its manifest.json is written over
its own text (``wizard.service.json_text``): its indent, key order and last line ending stay, and only the
lines of the values that changed differ. A save that changes nothing writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wizard.errors import FolderExists, WizardError
from wizard.service.folder import (
    edited_files,
    update_service_folder,
    write_service_folder,
)
from wizard.service.plan import ServicePlan
from wizard.tui.editing import EditTarget


@dataclass(frozen=True)
class Written:
    text: str  # what to tell the person
    ok: bool
    folder: Path | None = None
    offer_force: bool = False  # the folder exists: offer to replace it
    proposed: tuple[str, str] | None = None  # the pull request's title and body, to offer for editing


def proposed_for(folder: Path) -> tuple[str, str] | None:
    from wizard.publish.pipeline import proposed_pull_request

    try:
        return proposed_pull_request([folder])
    except WizardError:
        return None  # the folder's own problems are said when publishing


def write_plan(plan: ServicePlan, out: str, *, editing: EditTarget | None, force: bool = False) -> Written:
    if plan.manifest is None or plan.folder is None:
        return Written("The answers are not complete yet; see Review.", False)
    try:
        if editing:
            # rename only when the id or first interface changed, never to tidy a name someone chose
            renamed = plan.folder != editing.original_folder_name
            changed = edited_files(editing.folder, plan.files)
            if not changed and not renamed:
                return Written(f"✔ Nothing changed: {editing.folder} is as it was (nothing written)", True,
                               editing.folder, proposed=proposed_for(editing.folder))
            target = update_service_folder(editing.folder, changed, new_name=plan.folder if renamed else None)
            return Written(f"✔ Saved {target} ({', '.join(changed) or 'renamed'})", True, target,
                           proposed=proposed_for(target))
        target = write_service_folder(Path(out or ".").expanduser() / plan.folder, plan.files, force=force)
    except FolderExists as error:
        return Written(f"✘ {error.message}. Replace it, or choose another folder.", False, offer_force=True)
    except (WizardError, OSError) as error:
        return Written(f"✘ {error}", False)
    return Written(f"✔ Wrote {target} (manifest.json, README.md, logo.svg)", True, target, proposed=proposed_for(target))
