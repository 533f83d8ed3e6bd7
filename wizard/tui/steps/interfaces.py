"""Step 2: the interfaces the service speaks, each explained in one line; the first names the folder."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.markup import escape
from textual.widgets import Static

from wizard.service.fields import Field
from wizard.service.manifest import service_folder_name
from wizard.service.plan import ServicePlan
from wizard.tui.steps.base import StepScreen


class InterfacesStep(StepScreen):
    NAME = "interfaces"
    INTRO = ("Which Prem interfaces does the service speak? Pick at least one (Space to tick). "
             "The first names the folder.")

    def compose_after(self, field: Field) -> ComposeResult:
        yield Static("", id="interfaces-order", classes="field-help")

    def show_state(self, plan: ServicePlan) -> None:
        chosen = self.answers.get("interfaces") or []
        if not chosen:
            text = "None chosen yet."
        else:
            text = f"Folder: [b]{escape(service_folder_name(chosen[0], str(plan.answers.get('id', '<id>'))))}[/b]"
        self.query_one("#interfaces-order", Static).update(text)
