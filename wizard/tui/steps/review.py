"""Step 7: manifest.json exactly as it will be written, what `validate` finds in the folder, what the plan left
out (a field that no longer applies after a change), and the README's TODO lines as open questions.

The TODO placeholder lines of the generated README would ship into the index's documentation as they are, so
Review does not go on while they remain, unless the contributor allows them (a button: "Allow and go on").
Findings an edited service already had upstream are shown as such; they stop nothing.
"""

from __future__ import annotations

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from wizard.registry.checks import todo_lines
from wizard.service.plan import ServicePlan
from wizard.tui.messages import NextRequested, StepRequested
from wizard.tui.steps.base import StepScreen


def open_questions(plan: ServicePlan) -> list[tuple[int, str]]:
    """(line, what to write) for each TODO placeholder of the README the plan would write."""
    readme = plan.files.get("README.md")
    return todo_lines(readme.decode("utf-8", errors="replace")) if readme else []


class ReviewStep(StepScreen):
    NAME = "review"
    TITLE = "Review"
    INTRO = "Check everything once more. Jump to a step to change it; you come back here after."
    NEXT_LABEL = "Looks good ▶"
    FIRST_FOCUS = "#step"  # the page itself: arrows scroll the manifest from its top, Tab reaches the buttons
    shown_manifest = ""
    allowed_todo: tuple[tuple[int, str], ...] | None = None  # the TODO lines the contributor let go, as they were

    def compose_step(self) -> ComposeResult:
        yield Static("", id="review-manifest")
        yield Static("", id="review-notes")
        yield Static("", id="review-findings")
        yield Static("", id="review-todo")
        with Horizontal(id="review-todo-actions", classes="actions"):
            yield Button("Write them on Docs", id="edit-docs-todo", classes="small")
            yield Button("Allow and go on", id="allow-todo", variant="warning", classes="small")
        with Horizontal(id="review-edit"):
            yield Static("Edit:", classes="field-label")
            steps = list(self.wizard.step_titles)
            for step in steps[:steps.index(self.NAME)]:
                yield Button(self.wizard.step_titles[step], id=f"edit-{step}", classes="small")

    def todo_left(self, plan: ServicePlan) -> list[tuple[int, str]]:
        """The open questions not yet allowed (allowing holds for the lines as they were then)."""
        questions = open_questions(plan)
        return [] if self.allowed_todo is not None and tuple(questions) == self.allowed_todo else questions

    def show_state(self, plan: ServicePlan) -> None:
        if plan.manifest_text != self.shown_manifest:
            self.shown_manifest = plan.manifest_text
            self.query_one("#review-manifest", Static).update(
                Syntax(self.shown_manifest, "json", theme="ansi_dark", word_wrap=True))
        notes = self.query_one("#review-notes", Static)
        lines = [f"Note: {note}" for note in plan.dropped]
        lines += [f"Note: {message} (already so in this service; it stops nothing)"
                  for messages in plan.inherited.values() for message in messages]
        notes.update("\n".join(lines))
        notes.display = bool(lines)
        found = [f"• {line}" for line in self.state.blocking(plan)] or [
            f"• {line}" for line in self.state.findings(plan)]
        body = "\n".join(found) if found else "✔ validate finds nothing to fix"
        self.query_one("#review-findings", Static).update(body)
        self.query_one("#review-findings").set_class(bool(found), "has-findings")
        questions = self.todo_left(plan)
        todo = self.query_one("#review-todo", Static)
        todo.update(f"Open questions: README.md still has {len(questions)} TODO line(s), which Prem would show "
                    "as they are:\n" + "\n".join(f"  line {number}: {what}" for number, what in questions))
        todo.display = bool(questions)
        self.query_one("#review-todo-actions").display = bool(questions)

    def extra_problems(self) -> list[str]:
        questions = self.todo_left(self.state.plan())
        if not questions:
            return []
        return [f"README.md line {number}: TODO: {what}" for number, what in questions] + [
            "write them on the Docs step, or press 'Allow and go on'"]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button == "allow-todo":
            event.stop()
            self.allowed_todo = tuple(open_questions(self.state.plan()))
            self.post_message(NextRequested())
            return
        if button == "edit-docs-todo":
            event.stop()
            self.post_message(StepRequested("docs", back_to_review=True))
            return
        if button.startswith("edit-"):
            event.stop()
            self.post_message(StepRequested(button.removeprefix("edit-"), back_to_review=True))
            return
        super().on_button_pressed(event)
