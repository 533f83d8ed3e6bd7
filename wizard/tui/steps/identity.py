"""Step 1: name, id, beta, description. Until an id is typed, the plan suggests one from the name and the
id field shows it; nothing is typed in for you, so the id follows the name until you write your own."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from wizard.tui.keys import FieldButton, FieldInput
from wizard.tui.messages import HubRequested
from wizard.tui.steps.base import StepScreen
from wizard.tui.widgets import Notice


class IdentityStep(StepScreen):
    NAME = "identity"
    INTRO = "What is the service called, and what does it do?"
    FIRST_FOCUS = "#input-name"  # typing every answer is the common way; the model's row is two Shift+Tabs up

    def compose_before(self) -> ComposeResult:
        model = self.state.draft.model or {}
        yield Static("Start from a Hugging Face model (optional)", classes="field-label")
        with Horizontal(id="hf-row"):
            yield FieldInput(str(model.get("repo_id", "")), id="input-hf",
                             placeholder="ORG/NAME, e.g. databricks/dolly-v2-12b")
            yield FieldButton("Fill in", id="hf-fill", classes="small")
        yield Notice("", id="hf-note")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        # Textual calls StepScreen's handler as well (each class in the MRO gets the message), so no super() here
        if event.button.id == "hf-fill":
            event.stop()
            self.post_message(HubRequested(self.query_one("#input-hf", FieldInput).value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "input-hf":  # Enter in the model's row fills in, as its button does
            event.stop()
            self.post_message(HubRequested(event.value))

    def show_hub(self, text: str, kind: str) -> None:
        self.query_one("#hf-note", Notice).say(text, kind)
