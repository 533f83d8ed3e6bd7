"""Step 4: memory (with an estimate for those who do not know), tokens per second, ports."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Select

from wizard.service.estimate import BYTES_PER_PARAMETER, estimate_memory_mib
from wizard.service.fields import Field
from wizard.tui.fields import AnswerField
from wizard.tui.keys import FieldInput
from wizard.tui.steps.base import StepScreen
from wizard.tui.widgets import Notice

ESTIMATE_PROMPT = "Don't know? Give the parameter count and precision, then Estimate."


class ResourcesStep(StepScreen):
    NAME = "resources"
    INTRO = "What the service needs to run, and where it listens."

    def compose_after(self, field: Field) -> ComposeResult:
        if field.key != "memory":
            return
        with Horizontal(id="estimate-row"):
            yield FieldInput(placeholder="parameters, in billions (7 for 7B)", id="estimate-params", type="number")
            yield Select([(p, p) for p in BYTES_PER_PARAMETER], value="fp16/bf16", allow_blank=False,
                         id="estimate-precision")
            yield Button("Estimate", id="estimate")
        yield Notice(ESTIMATE_PROMPT, id="estimate-note")

    estimated: str | None = None  # the memory the last estimate typed in, while it is still the answer

    def show_state(self, plan) -> None:
        if self.estimated is not None and self.answers.get("memory") != self.estimated:
            self.estimated = None  # another memory was typed: the estimate's line would describe the wrong one
            self.query_one("#estimate-note", Notice).say(ESTIMATE_PROMPT)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "estimate":
            return super().on_button_pressed(event)
        event.stop()
        note = self.query_one("#estimate-note", Notice)
        try:
            params = float(self.query_one("#estimate-params", Input).value)
            mib = estimate_memory_mib(params, str(self.query_one("#estimate-precision", Select).value))
        except ValueError as error:
            note.say(f"✘ {error}" if "billions" in str(error) or "precision" in str(error)
                     else "✘ give the parameter count as a number of billions, e.g. 7 or 13.5", "error")
            return
        self.query_one("#field-memory", AnswerField).set_value(mib)
        self.estimated = str(mib)
        note.say(f"✔ about {mib} MiB ({mib / 1024:.1f} GiB): weights plus a fifth for activations and cache", "success")
