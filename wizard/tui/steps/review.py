"""Step 7: manifest.json exactly as it will be written, what `validate` finds in the folder, and what the
plan left out (a field that no longer applies after a change)."""

from __future__ import annotations

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from wizard.service.plan import ServicePlan
from wizard.tui.messages import StepRequested
from wizard.tui.steps.base import StepScreen


class ReviewStep(StepScreen):
    NAME = "review"
    TITLE = "Review"
    INTRO = "Check everything once more. Jump to a step to change it; you come back here after."
    NEXT_LABEL = "Looks good ▶"
    FIRST_FOCUS = "#step"  # the page itself: arrows scroll the manifest from its top, Tab reaches the buttons
    shown_manifest = ""

    def compose_step(self) -> ComposeResult:
        yield Static("", id="review-manifest")
        yield Static("", id="review-notes")
        yield Static("", id="review-findings")
        with Horizontal(id="review-edit"):
            yield Static("Edit:", classes="field-label")
            steps = list(self.wizard.step_titles)
            for step in steps[:steps.index(self.NAME)]:
                yield Button(self.wizard.step_titles[step], id=f"edit-{step}", classes="small")

    def show_state(self, plan: ServicePlan) -> None:
        if plan.manifest_text != self.shown_manifest:
            self.shown_manifest = plan.manifest_text
            self.query_one("#review-manifest", Static).update(
                Syntax(self.shown_manifest, "json", theme="ansi_dark", word_wrap=True))
        notes = self.query_one("#review-notes", Static)
        notes.update("\n".join(f"Note: {note}" for note in plan.dropped))
        notes.display = bool(plan.dropped)
        found = [f"• {line}" for line in self.state.blocking(plan)] or [
            f"• {line}" for line in self.state.findings(plan)]
        body = "\n".join(found) if found else "✔ validate finds nothing to fix"
        self.query_one("#review-findings", Static).update(body)
        self.query_one("#review-findings").set_class(bool(found), "has-findings")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("edit-"):
            event.stop()
            self.post_message(StepRequested(event.button.id.removeprefix("edit-"), back_to_review=True))
            return
        super().on_button_pressed(event)
