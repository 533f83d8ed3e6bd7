"""One run of the plain prompts: the draft being filled, and what the steps ask and call through.

The draft holds only what the person typed; sizes looked up sit beside it in ``draft.sizes``. Everything
derived (an id from the name, a free external port, the defaults) comes from ``plan_service``, asked as
often as a question needs it: it is pure and quick.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.draft import Draft
from wizard.prompts.asking import Questions
from wizard.prompts.outside import LookUpSize, Publish
from wizard.registry.index import RegistryIndex
from wizard.service.fields import STEP_TITLES as SHARED_STEP_TITLES
from wizard.service.plan import PlanContext, ServicePlan, plan_service
from wizard.service.rules import DEVICES
from wizard.settings import Settings

# Every interactive front end's order; the first five are the field table's steps.
STEP_TITLES = {**SHARED_STEP_TITLES, "write": "Write"}
STEP_ORDER = tuple(STEP_TITLES)
EMPTY = (None, "", [])


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
        if value in EMPTY:
            self.answers.pop(key, None)
        else:
            self.answers[key] = value

    def header(self, step: str) -> None:
        number = STEP_ORDER.index(step) + 1
        self.out(f"\nStep {number} of {len(STEP_ORDER)}: {STEP_TITLES[step]}")

    # --- the plan -------------------------------------------------------------------------------

    def looked_up_sizes(self) -> dict[str, int]:
        """device -> bytes, for each image whose size was looked up (a size typed by hand is an answer)."""
        return {device: self.draft.sizes[reference] for device in DEVICES
                if (reference := self.answers.get(f"{device}_image")) in self.draft.sizes}

    def plan(self, answers: Mapping[str, Any] | None = None, *, own_readme: bool = True,
             logo: bytes | None = None) -> ServicePlan:
        """The plan of the answers so far (or of ``answers``); with ``own_readme=False`` the README is the
        generated one even when the draft holds the contributor's."""
        from wizard.hub.card import facts_from_dict

        context = PlanContext(index=self.index, sizes=self.looked_up_sizes(),
                              readme=self.draft.readme if own_readme else None, logo=logo,
                              facts=facts_from_dict(self.draft.model))
        return plan_service(self.answers if answers is None else answers, context)

    def plan_with(self, key: str, value: Any) -> ServicePlan:
        """The plan were ``key`` answered ``value`` (left out when empty): what a question checks against."""
        answers = {k: v for k, v in self.answers.items() if k != key}
        if value not in EMPTY:
            answers[key] = value
        return self.plan(answers)

    def full_plan(self) -> ServicePlan:
        """The plan with the contributor's logo read, for the review and the write."""
        logo = None
        if self.draft.logo_path:
            try:
                logo = Path(self.draft.logo_path).read_bytes()
            except OSError as error:
                self.out(f"  cannot read the logo {self.draft.logo_path} ({error.strerror}); using the placeholder")
                self.draft.logo_path = None
        return self.plan(logo=logo)

    def drop_out_of_place(self) -> None:
        """Answers whose field no longer applies (tokens per second once chat is unticked) are removed, each
        with the plan's note, so nothing disappears unsaid."""
        plan = self.plan()
        gone = [key for key in self.answers if key not in plan.answers and self.answers[key] not in EMPTY]
        for key in gone:
            self.answers.pop(key)
        if gone:
            for note in plan.dropped:
                self.out(f"  {note}")
