"""Step 6: manifest.json exactly as it will be written, and what `validate` finds in the folder."""

from __future__ import annotations

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from wizard.tui.steps.base import StepScreen

EDITABLE = ("identity", "interfaces", "images", "resources", "docs")


class ReviewStep(StepScreen):
    NAME = "review"
    TITLE = "Review"
    INTRO = "Check everything once more. Jump to a step to change it; you come back here after."
    NEXT_LABEL = "Looks good ▶"
    AUTO_FOCUS = "#step"  # the page itself: arrows scroll the manifest from its top, Tab reaches the buttons

    def compose_step(self) -> ComposeResult:
        yield Static("", id="review-manifest")
        yield Static("", id="review-findings")
        with Horizontal(id="review-edit"):
            yield Static("Edit:", classes="field-label")
            for step in EDITABLE:
                yield Button(self.wizard.step_titles[step], id=f"edit-{step}", classes="small")

    def on_step_shown(self) -> None:
        text, problems = self.wizard.preview()
        self.shown_manifest = text
        self.query_one("#review-manifest", Static).update(Syntax(text, "json", theme="ansi_dark", word_wrap=True))
        findings = problems or [str(f).split(": ", 1)[-1] for f in self.wizard.check_rendered()]
        body = "\n".join(f"• {line}" for line in findings) if findings else "✔ validate finds nothing to fix"
        self.query_one("#review-findings", Static).update(body)
        self.query_one("#review-findings").set_class(bool(findings), "has-findings")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("edit-"):
            event.stop()
            self.wizard.edit_from_review(event.button.id.removeprefix("edit-"))
            return
        super().on_button_pressed(event)

    def extra_problems(self) -> list[str]:
        text, problems = self.wizard.preview()
        return problems + [str(f).split(": ", 1)[-1] for f in self.wizard.check_rendered() if f.severity == "error"]
