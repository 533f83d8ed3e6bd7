"""One run of the plain prompts: the draft being filled, and what the steps ask and call through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.draft import Draft
from wizard.prompts.asking import Questions
from wizard.prompts.outside import LookUpSize, Publish
from wizard.registry.index import RegistryIndex
from wizard.settings import Settings

# Every interactive front end's order; the first four are the core's ``answers.STEPS``.
STEP_TITLES = {
    "identity": "Identity",
    "interfaces": "Interfaces",
    "images": "Images",
    "resources": "Resources",
    "docs": "Docs",
    "review": "Review",
    "write": "Write",
}
STEP_ORDER = tuple(STEP_TITLES)


@dataclass
class Session:
    settings: Settings
    questions: Questions
    draft: Draft
    index: RegistryIndex | None
    look_up_size: LookUpSize | None
    publish: Publish | None
    out: Callable[[str], None]

    @property
    def answers(self) -> dict[str, Any]:
        return self.draft.answers

    def set(self, key: str, value: Any) -> None:
        """An answer, or its removal when it is left empty."""
        if value in (None, "", []):
            self.answers.pop(key, None)
        else:
            self.answers[key] = value

    def header(self, step: str) -> None:
        number = STEP_ORDER.index(step) + 1
        self.out(f"\nStep {number} of {len(STEP_ORDER)}: {STEP_TITLES[step]}")
