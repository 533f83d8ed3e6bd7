"""An existing service folder opened in the wizard, and the logo a contributor points at."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from wizard.draft import Draft
from wizard.registry.logo import check_logo
from wizard.service.answers import answers_from_manifest
from wizard.service.fields import STEPS as ASKING_STEPS
from wizard.service.manifest import read_manifest, service_folder_name


@dataclass(frozen=True)
class EditTarget:
    """An existing service folder being edited: its manifest as read, every unknown key included."""

    folder: Path
    original: dict[str, Any]

    @cached_property
    def baseline(self) -> tuple[Any, ...]:
        """What `validate` finds in the folder as it was when the edit began: none of it stops a save."""
        from wizard.publish.folders import baseline_of

        return baseline_of(self.folder)

    @property
    def original_folder_name(self) -> str:
        interfaces = self.original.get("interfaces") or ["?"]
        return service_folder_name(str(interfaces[0]), str(self.original.get("id", "")))


def edit_draft(target: EditTarget) -> Draft:
    """A draft holding every answer of the existing service, its README and its logo."""
    read_manifest(target.original)  # a manifest that is not one at all is refused here, before the wizard
    from wizard.publish.folders import folder_docs

    readme_text, logo = folder_docs(target.folder)  # a link is refused, never shown nor saved back
    return Draft(
        # numbers as the fields show them, so showing a field changes no answer
        answers={k: (str(v) if isinstance(v, int) and not isinstance(v, bool) else v)
                 for k, v in answers_from_manifest(target.original).items()},
        visited=[*ASKING_STEPS, "docs"],
        readme=readme_text,
        logo_path=str(target.folder / "logo.svg") if logo is not None else None,
        out=str(target.folder.parent),
    )


def logo_problems(path_text: str | None) -> list[str]:
    if not path_text:
        return []
    path = Path(path_text).expanduser()
    try:
        data = path.read_bytes()
    except OSError as error:
        return [f"cannot read {path}: {error.strerror}"]
    return [message for severity, message in check_logo(data) if severity == "error"]
