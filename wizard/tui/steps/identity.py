"""Step 1: name, id (suggested from the name until edited), description, beta."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Switch

from wizard.service.rules import suggest_id
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

    def on_mount(self) -> None:
        answers = self.answers
        # a resumed or edited service whose id is not its name's slug was chosen by hand: leave it alone
        follows = answers.get("id") == suggest_id(answers.get("name") or "")
        # Every id we suggested: each comes back as a change of the id field, possibly after the next
        # keystroke in the name has made a newer one. Any other id was typed by hand.
        self.suggested_ids = {answers.get("id")} if follows else set()
        self.id_edited = bool(answers.get("id")) and not follows

    def on_answer_changed(self, message: AnswerChanged) -> None:
        if message.key == "id":
            self.id_edited = bool(message.value) and message.value not in self.suggested_ids
        elif message.key == "name" and not self.id_edited:
            suggestion = suggest_id(message.value or "")
            self.suggested_ids.add(suggestion)
            self.query_one("#field-id", AnswerField).set_value(suggestion)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        self.post_message(AnswerChanged("beta", event.value))
