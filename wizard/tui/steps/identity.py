"""Step 1: name, id (suggested from the name until edited), description, beta."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Switch

from wizard.manifest import suggest_id
from wizard.tui.messages import AnswerChanged
from wizard.tui.steps.base import StepScreen
from wizard.tui.widgets import AnswerField


class IdentityStep(StepScreen):
    NAME = "identity"
    TITLE = "Identity"
    INTRO = "What is the service called, and what does it do?"

    def compose_step(self) -> ComposeResult:
        yield AnswerField("name", self.answers.get("name"), placeholder="Dolly v2 12B")
        yield AnswerField("id", self.answers.get("id"), placeholder="dolly-v2-12b")
        yield AnswerField("description", self.answers.get("description"),
                          placeholder="Dolly v2 12B, developed by Databricks, is an instruction-following model…")
        with Horizontal(id="beta-row"):
            yield Switch(value=self.answers.get("beta", True) is not False, id="beta")
            yield Label("Beta: mark the service as new (the registry suggests it)")

    def id_follows_name(self) -> bool:
        current = self.answers.get("id")
        return not current or current == suggest_id(self.wizard.previous_name)

    def on_answer_changed(self, message: AnswerChanged) -> None:
        if message.key == "name":
            follow = self.id_follows_name()
            self.wizard.previous_name = message.value or ""
            if follow:
                self.query_one("#field-id", AnswerField).set_value(suggest_id(message.value or ""))

    def on_switch_changed(self, event: Switch.Changed) -> None:
        self.post_message(AnswerChanged("beta", event.value))
