"""The wizard's state: the draft, what the lookups found, the plan made from them, and where Next goes.

Plain data and plain methods, no widget and no worker: the app's handlers change it and screens read it.
Every rule comes from the core through ``plan_service``; the plan is made again whenever what it is made
from changes. What was typed stays in ``draft.answers``; a looked-up size stays in ``draft.sizes`` (by
image reference, so a new reference simply has none) and a picked port only in the plan.
"""

from __future__ import annotations

import json
from collections import ChainMap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from wizard.draft import Draft
from wizard.hub.card import facts_from_dict
from wizard.service.answers import (
    help_for,
    label_for,
    step_problems,
)
from wizard.service.fields import STEPS as ASKING_STEPS
from wizard.service.plan import PlanContext, ServicePlan, plan_service
from wizard.service.render import render_readme
from wizard.service.rules import DEVICES
from wizard.settings import Settings
from wizard.tui.editing import EditTarget, logo_problems

NOT_WRITTEN_YET = "# Documentation\n\nThe README is written for you once the earlier steps are complete."


class WizardState:
    def __init__(self, draft: Draft, *, steps: list[str], editing: EditTarget | None = None,
                 size_kind: str = "unpacked"):
        self.draft = draft
        self.steps = steps
        self.editing = editing
        self.index: Any = None  # RegistryIndex, once loaded
        self.index_note = ""
        self.found: dict[str, Any] = {}  # image reference -> what its lookup found (ImageSize)
        self.failed: dict[str, Any] = {}  # image reference -> why its lookup failed (ImageError)
        self.looking_up: dict[str, str] = {}  # device -> the reference whose lookup is running
        self.size_kind = size_kind  # the figure a lookup writes, from the settings, until one is chosen
        self.kinds: dict[str, str] = {}  # image reference -> the figure chosen for it on the Images step
        self.dirty = False  # answers changed since the start, or since the folder was written
        self.back_to_review = False
        self.written_folder: Path | None = None
        self.trial: Any = None  # the last test of the written folder (wizard.testing.run.Trial)
        self.pr_url: str | None = None
        self.publish_stages: list[tuple[str, str]] = []
        self._made: tuple[str, ServicePlan] | None = None
        if editing is not None and draft.readme is not None and draft.readme_base is None:
            # the service's README was written for its answers as they are: a change to them may date it
            draft.readme_base = self.generated_readme()

    # --- answers ------------------------------------------------------------------------------

    def set_answer(self, key: str, value: Any) -> None:
        # while an answer is marked it is the model's, so any other value is a change (a resumed draft too)
        before = self.draft.answers.get(key)
        if key in self.draft.filled_in and value != before and str(value) != str(before):
            self.draft.filled_in.pop(key)  # changed: the answer is the contributor's now
        if value is None:
            self.draft.answers.pop(key, None)
        else:
            self.draft.answers[key] = value
        self.dirty = True

    def set_docs(self, readme: str | None, logo_path: str | None, *, regenerate: bool = False,
                 keep: bool = False) -> None:
        if keep:
            self.keep_readme()
        if regenerate:
            self.draft.readme = self.draft.readme_base = None
        elif readme is not None:
            if self.draft.readme is None:  # the first edit: remember what the answers gave, to tell a divergence
                self.draft.readme_base = self.generated_readme()
            self.draft.readme = readme
        if logo_path is not None:
            self.draft.logo_path = logo_path or None
        self.dirty = True

    # --- image sizes --------------------------------------------------------------------------

    def reference(self, device: str) -> str | None:
        return self.draft.answers.get(f"{device}_image")

    @property
    def looked_up(self) -> dict[str, int]:
        """device -> the size looked up for the reference typed now (none once the reference changes)."""
        return {d: self.draft.sizes[ref] for d in DEVICES if (ref := self.reference(d)) in self.draft.sizes}

    def lookup_running(self, device: str) -> bool:
        return device in self.looking_up and self.looking_up[device] == self.reference(device)

    def lookup_started(self, device: str, reference: str) -> None:
        self.looking_up[device] = reference
        self.failed.pop(reference, None)

    def lookup_ended(self, device: str, reference: str, *, found: Any = None, error: Any = None) -> None:
        if self.looking_up.get(device) == reference:
            del self.looking_up[device]
        if found is not None:
            self.found[reference] = found
            self.draft.sizes[reference] = found.size_for(self.kind_of(reference))
        else:
            self.failed[reference] = error

    def kind_of(self, reference: str) -> str:
        """Which looked-up figure is written for ``reference``: "unpacked" or "download"."""
        return self.kinds.get(reference, self.size_kind)

    def choose_size_kind(self, device: str, kind: str) -> None:
        reference = self.reference(device)
        found = self.found.get(reference) if reference else None
        if found is None or self.kind_of(reference) == kind:
            return
        self.kinds[reference] = kind
        self.draft.sizes[reference] = found.size_for(kind)
        self.dirty = True

    def forget_other_sizes(self) -> None:
        """Before a save: sizes of references no longer typed are not worth keeping."""
        typed = {self.reference(d) for d in DEVICES}
        self.draft.sizes = {ref: size for ref, size in self.draft.sizes.items() if ref in typed}

    # --- the plan -----------------------------------------------------------------------------

    def _logo(self) -> bytes | None:
        try:
            return Path(self.draft.logo_path).expanduser().read_bytes() if self.draft.logo_path else None
        except OSError:
            return None  # said on the Docs step (logo_problems); the plan goes on with the placeholder

    def plan(self) -> ServicePlan:
        pending = any(self.lookup_running(d) for d in DEVICES)
        key = json.dumps([self.draft.answers, self.looked_up, pending, self.draft.readme, self.draft.logo_path,
                          id(self.index), id(self.editing), self.draft.model], sort_keys=True, default=str)
        if self._made is None or self._made[0] != key:
            context = PlanContext(index=self.index, sizes=self.looked_up, sizes_pending=pending,
                                  original=self.editing.original if self.editing else None,
                                  readme=self.draft.readme, logo=self._logo(),
                                  baseline=self.editing.baseline if self.editing else (),
                                  facts=facts_from_dict(self.draft.model))
            self._made = (key, plan_service(self.draft.answers, context))
        return self._made[1]

    def conditions(self, plan: ServicePlan) -> Mapping[str, Any]:
        """The answers a field's ``when`` reads; an edited service's type is never asked but counts."""
        original = self.editing.original if self.editing else {}
        kind = {"service_type": original["serviceType"]} if "serviceType" in original else {}
        return ChainMap(plan.answers, kind)

    def problems(self, step: str) -> list[str]:
        """What stops the step from being done, each naming its field (the screen adds its own)."""
        plan = self.plan()
        if step in ASKING_STEPS:
            return step_problems(step, plan.problems, plan.missing)
        if step == "docs":
            return [f"Logo: {p}" for p in logo_problems(self.draft.logo_path)]
        if step == "review":
            return self.blocking(plan) + [line for line in self.findings(plan) if line.startswith("✘")]
        return []

    def blocking(self, plan: ServicePlan) -> list[str]:
        missing = [f"{label_for(key)}: missing ({help_for(key)})" for key in plan.missing]
        return plan.problem_lines() + missing

    def findings(self, plan: ServicePlan) -> list[str]:
        return [f"{'✘' if f.severity == 'error' else '!'} {Path(f.path).name}: {f.message}" for f in plan.findings]

    def generated_readme(self) -> str | None:
        """The README the answers give now, whatever was typed on Docs (None while they are incomplete)."""
        plan = self.plan()
        return render_readme(plan.manifest) if plan.manifest is not None else None

    def readme_divergence(self) -> list[str]:
        """The generated lines that changed since the README was edited: facts it may now state wrongly."""
        base, now = self.draft.readme_base, self.generated_readme()
        if self.draft.readme is None or base is None or now is None or base == now:
            return []
        before, after = base.splitlines(), now.splitlines()
        return [f"now {line.strip()!r}" for line in after if line not in before and line.strip()] or [
            "the generated README changed"]

    def keep_readme(self) -> None:
        """The contributor read the divergence and keeps their README as it is."""
        self.draft.readme_base = self.generated_readme()
        self.dirty = True

    def lookup_doubts(self) -> list[str]:
        """Images whose lookup failed: a typed size does not make the reference right."""
        doubts = []
        for device in DEVICES:
            reference = self.reference(device)
            if reference and reference in self.failed and reference not in self.draft.sizes:
                doubts.append(f"{label_for(f'{device}_image')}: {reference} could not be looked up "
                              f"({self.failed[reference]}); Prem cannot pull an image that does not exist")
        return doubts

    # --- writing and leaving ------------------------------------------------------------------

    def unwritten_changes(self) -> bool:
        """Leaving now would lose answers: the folder is not written, or they changed since it was."""
        return not self.draft.is_empty() and (self.written_folder is None or self.dirty)

    def outcome(self, *, saved: Path | None, discarded: bool, resume: str) -> list[str]:
        """What the person is told on the way out: the folder, the pull request, where the answers are."""
        lines = []
        if self.written_folder is not None:
            folder = self.written_folder.resolve()
            lines.append(f"Wrote {folder}")
            lines.append(f"Pull request: {self.pr_url}" if self.pr_url else
                         f"Not published yet: `prem-new-service publish {folder}` opens the pull request.")
            if self.dirty:
                lines.append("Answers changed after the folder was written are not in it.")
        else:
            lines.append("Nothing was written.")
        if saved is not None:
            lines.append(f"Your answers are saved in {saved}; `{resume}` carries on from them.")
        elif discarded:
            lines.append("The answers were discarded.")
        return lines

    def readme_text(self) -> str:
        if self.draft.readme is not None:
            return self.draft.readme
        readme = self.plan().files.get("README.md")
        return readme.decode("utf-8") if readme is not None else NOT_WRITTEN_YET

    # --- moving between steps -----------------------------------------------------------------

    def step_states(self, problems: Callable[[str], list[str]]) -> dict[str, str]:
        states = {}
        for step in self.steps:
            if step not in self.draft.visited:
                states[step] = "todo"
            elif step in ("review", "publish"):
                states[step] = "done"
            else:
                states[step] = "errors" if problems(step) else "done"
        return states

    def visit(self, step: str) -> None:
        if step not in self.draft.visited:
            self.draft.visited.append(step)

    def step_after(self, step: str) -> str | None:
        if step == self.steps[-1]:
            return None
        if self.back_to_review and step != "review":
            self.back_to_review = False
            return "review"
        return self.steps[self.steps.index(step) + 1]

    def step_before(self, step: str) -> str | None:
        return self.steps[self.steps.index(step) - 1] if self.steps.index(step) > 0 else None


class WizardHost(Protocol):
    """What a step screen reads from the app; steps never import the app itself."""

    state: WizardState
    settings: Settings
    show_preview: bool
    in_browser: bool
    step_titles: dict[str, str]

    def step_states(self) -> dict[str, str]: ...
