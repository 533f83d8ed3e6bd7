"""Step 4: memory (with an estimate for those who do not know), tokens per second, ports."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Select

from wizard.service.estimate import BYTES_PER_PARAMETER, billions, estimate_memory_mib
from wizard.service.fields import Field
from wizard.tui.fields import AnswerField
from wizard.tui.keys import FieldButton, FieldInput
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
            yield FieldButton("Estimate", id="estimate")
        yield Notice(ESTIMATE_PROMPT, id="estimate-note")

    estimated: str | None = None  # the memory the last estimate typed in, while it is still the answer
    model_shown: str | None = None  # the model whose parameter count the estimate row was given

    def show_state(self, plan) -> None:
        self.offer_the_models_estimates()
        if self.estimated is not None and self.answers.get("memory") != self.estimated:
            self.estimated = None  # another memory was typed: the estimate's line would describe the wrong one
            self.query_one("#estimate-note", Notice).say(ESTIMATE_PROMPT)

    def offer_the_models_estimates(self) -> None:
        """A model filled in on step 1 gives the estimate row its parameter count and precision, and the note
        its memory at every precision, so another precision is one choice and a press away."""
        model = self.state.draft.model or {}
        count, repo_id = model.get("parameters"), model.get("repo_id")
        if not isinstance(count, int) or count <= 0 or repo_id == self.model_shown:
            return
        self.model_shown = repo_id
        given = billions(count)
        self.query_one("#estimate-params", Input).value = given
        if model.get("precision") in BYTES_PER_PARAMETER:
            self.query_one("#estimate-precision", Select).value = model["precision"]
        each = " · ".join(f"{p} {estimate_memory_mib(float(given), p)} MiB" for p in BYTES_PER_PARAMETER)
        self.query_one("#estimate-note", Notice).say(f"{repo_id}: {given}B parameters: {each}. Pick another "
                                                     "precision and Estimate to use it.", "info")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "estimate":
            return  # StepScreen's own handler gets the message too
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
