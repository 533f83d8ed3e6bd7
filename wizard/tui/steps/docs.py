"""Step 6: the README (rendered as Markdown, editable) and the logo (placeholder or an SVG file)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import (
    Button,
    Input,
    Markdown,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from wizard.service.plan import ServicePlan
from wizard.tui.editing import logo_problems
from wizard.tui.keys import FieldButton, FieldInput, FieldTextArea
from wizard.tui.messages import DocsChanged
from wizard.tui.steps.base import StepScreen
from wizard.tui.widgets import Notice


class DocsStep(StepScreen):
    NAME = "docs"
    INTRO = "The README people read in Prem, and the logo. Edit the TODO lines: only you know the answers."
    FIRST_FOCUS = "#readme-tabs Tabs"  # open on the rendered README; ← → switch to editing it

    def compose_step(self) -> ComposeResult:
        with TabbedContent(id="readme-tabs"):
            with TabPane("Preview", id="tab-preview"):
                yield Markdown("", id="readme-preview")
            with TabPane("Edit", id="tab-edit"):
                yield FieldTextArea("", id="readme-edit", soft_wrap=True)
        yield Notice("", id="readme-diverged")
        with Horizontal(classes="actions"):
            yield FieldButton("Regenerate from the answers", id="regenerate-readme", classes="small hidden")
        yield Static("Logo", classes="field-label")
        yield Static("leave empty for a placeholder with the service's initials, or give an SVG file",
                     classes="field-help")
        yield FieldInput(self.state.draft.logo_path or "", placeholder="~/logos/my-service.svg", id="logo-path")
        yield Notice("", id="logo-note")

    def show_state(self, plan: ServicePlan) -> None:
        edited = self.state.draft.readme is not None
        self.query_one("#regenerate-readme").set_class(not edited, "hidden")
        diverged = self.state.readme_divergence()
        self.query_one("#readme-diverged", Notice).say(
            ("! Your README was written before these answers changed; it may state the old values:\n"
             + "\n".join(f"  {line}" for line in diverged[:6])) if diverged else
            ("Edited by you: changes to the answers no longer reach it (Regenerate to start again from them)."
             if edited else ""), "error" if diverged else "")
        text = self.state.readme_text()
        editor = self.query_one("#readme-edit", TextArea)
        if editor.text != text:
            editor.load_text(text)
            self.query_one("#readme-preview", Markdown).update(text)
        logo_path = self.query_one("#logo-path", Input).value
        if logo_path != getattr(self, "shown_logo", None):
            self._show_logo(logo_path)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        text = event.text_area.text
        if text != self.state.readme_text():
            self.post_message(DocsChanged(readme=text))
        self.query_one("#readme-preview", Markdown).update(text)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "regenerate-readme":
            event.stop()
            self.post_message(DocsChanged(regenerate=True))
            return
        # StepScreen's own handler gets the message too: Textual calls each class's handler

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "logo-path":
            self._show_logo(event.value)
            self.post_message(DocsChanged(logo_path=event.value.strip() or ""))

    def _show_logo(self, value: str) -> None:
        self.shown_logo = value
        problems = logo_problems(value.strip())
        note = self.query_one("#logo-note", Notice)
        if not value.strip():
            note.say("a 256x256 placeholder will be made")
        elif problems:
            note.say("✘ " + "; ".join(problems), "error")
        else:
            note.say("✔ the logo is a well-formed, square SVG", "success")
