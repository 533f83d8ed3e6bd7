"""Step 7: the whole folder as it will be written (its name and place, manifest.json, README.md, logo.svg),
what `validate` finds in it, what the plan left out, and every open question.

Open questions are what `validate` cannot judge but would ship as it is: the README's TODO placeholder lines,
an image whose lookup failed (a typed size does not make the reference right), and a README edited before
the answers it states changed. Review does not go on while one is open: each has its own way to settle it,
and "Allow and go on" lets the TODO lines and the failed lookups go as they are.
Findings an edited service already had upstream are shown as such; they stop nothing.
"""

from __future__ import annotations

from pathlib import Path

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.markup import escape
from textual.widgets import Button, Collapsible, Static

from wizard.registry.checks import todo_lines
from wizard.service.answers import label_for
from wizard.service.plan import ServicePlan
from wizard.service.render import initials
from wizard.tui.keys import FieldButton
from wizard.tui.messages import (
    DocsChanged,
    FilledAccepted,
    NextRequested,
    StepRequested,
)
from wizard.tui.steps.base import StepScreen


def open_questions(plan: ServicePlan) -> list[tuple[int, str]]:
    """(line, what to write) for each TODO placeholder of the README the plan would write."""
    readme = plan.files.get("README.md")
    return todo_lines(readme.decode("utf-8", errors="replace")) if readme else []


class ReviewStep(StepScreen):
    NAME = "review"
    INTRO = "Check everything once more. Jump to a step to change it; you come back here after."
    NEXT_LABEL = "Looks good ▶"
    FIRST_FOCUS = "#step"  # the page itself: arrows scroll the folder from its top, Tab reaches the buttons
    shown_manifest = ""
    allowed: tuple | None = None  # the TODO lines and failed lookups the contributor let go, as they were then

    def compose_step(self) -> ComposeResult:
        yield Static("", id="review-folder")
        yield Static("", id="review-questions", markup=False)
        with Horizontal(id="review-question-actions", classes="actions"):
            yield FieldButton("Write them on Docs", id="edit-docs-todo", classes="small")
            yield FieldButton("Fix the image", id="edit-images-lookup", classes="small")
            yield FieldButton("Regenerate README", id="regenerate-readme", classes="small")
            yield FieldButton("Keep my README", id="keep-readme", classes="small")
            yield FieldButton("Accept the filled-in answers", id="accept-filled", classes="small")
            yield FieldButton("Allow and go on", id="allow-todo", variant="warning", classes="small")
        yield Static("manifest.json", classes="field-label")
        yield Static("", id="review-manifest", markup=False)
        with Collapsible(title="README.md", id="review-readme-box", collapsed=False):
            yield Static("", id="review-readme", markup=False)
        yield Static("", id="review-logo", markup=False)
        yield Static("", id="review-notes", markup=False)
        yield Static("", id="review-findings", markup=False)
        with Horizontal(id="review-edit"):
            yield Static("Edit:", classes="field-label")
            steps = list(self.wizard.step_titles)
            for step in steps[:steps.index(self.NAME)]:
                yield FieldButton(self.wizard.step_titles[step], id=f"edit-{step}", classes="small")

    # --- open questions ---------------------------------------------------------------------------

    def allowable(self, plan: ServicePlan) -> tuple:
        return tuple(open_questions(plan)), tuple(self.state.lookup_doubts())

    def questions(self, plan: ServicePlan) -> tuple[list[tuple[int, str]], list[str], list[str]]:
        """(TODO lines, failed lookups, README divergence) still open; allowing holds for them as they were."""
        todo, doubts = self.allowable(plan)
        if self.allowed is not None and (todo, doubts) == self.allowed:
            todo, doubts = (), ()
        return list(todo), list(doubts), self.state.readme_divergence()

    def question_lines(self, plan: ServicePlan, questions=None) -> list[str]:
        todo, doubts, diverged = questions or self.questions(plan)
        lines = [f"README.md line {number}: TODO: {what}" for number, what in todo]
        lines += doubts
        if diverged:
            lines.append("README.md was edited before the answers changed; it may state old values ("
                         + "; ".join(diverged[:3]) + "): regenerate it, or keep yours")
        lines += [f"◆ {label_for(key)}, {source}: accept it, or change it on its step"
                  for key, source in self.state.draft.filled_in.items()]
        return lines

    # --- rendering ------------------------------------------------------------------------------

    def show_state(self, plan: ServicePlan) -> None:
        self.show_folder(plan)
        todo, doubts, diverged = asked = self.questions(plan)
        questions = self.question_lines(plan, asked)
        shown = self.query_one("#review-questions", Static)
        shown.update(f"Open questions ({len(questions)}): Prem would ship these as they are.\n"
                     + "\n".join(f"  ? {line}" for line in questions))
        shown.display = bool(questions)
        self.query_one("#review-question-actions").display = bool(questions)
        for button, needed in (("#edit-docs-todo", todo), ("#edit-images-lookup", doubts),
                               ("#regenerate-readme", diverged), ("#keep-readme", diverged),
                               ("#allow-todo", todo or doubts), ("#accept-filled", self.state.draft.filled_in)):
            self.query_one(button).display = bool(needed)
        notes = self.query_one("#review-notes", Static)
        lines = [f"Note: {note}" for note in plan.dropped]
        lines += [f"Note: {message} (already so in this service; it stops nothing)"
                  for messages in plan.inherited.values() for message in messages]
        notes.update("\n".join(lines))
        notes.display = bool(lines)
        found = [f"• {line}" for line in self.state.blocking(plan)] or [
            f"• {line}" for line in self.state.findings(plan)]
        body = "\n".join(found) if found else "✔ validate finds nothing to fix"
        if not found and questions:
            body += f", but {len(questions)} open question(s) above need an answer"
        self.query_one("#review-findings", Static).update(body)
        self.query_one("#review-findings").set_class(bool(found) or bool(questions), "has-findings")

    def show_folder(self, plan: ServicePlan) -> None:
        state = self.state
        if plan.folder is None:
            where = "Folder: not named yet (it needs the first interface and the id)"
        else:
            parent = state.editing.folder.parent if state.editing else Path(state.draft.out or self.wizard.settings.out)
            where = f"Folder: [b]{escape(str(parent / plan.folder))}/[/b]  ({', '.join(sorted(plan.files)) or 'no files yet'})"
        self.query_one("#review-folder", Static).update(where)
        if plan.manifest_text != self.shown_manifest:
            self.shown_manifest = plan.manifest_text
            self.query_one("#review-manifest", Static).update(
                Syntax(self.shown_manifest, "json", theme="ansi_dark", word_wrap=True))
        readme = plan.files.get("README.md")
        text = readme.decode("utf-8", errors="replace") if readme else state.readme_text()
        self.query_one("#review-readme", Static).update(text)
        box = self.query_one("#review-readme-box", Collapsible)
        origin = "edited by you" if state.draft.readme is not None else "written from the answers"
        box.title = f"README.md ({len(text.splitlines())} lines, {origin})"
        if state.draft.logo_path:
            logo = f"logo.svg: your file {state.draft.logo_path}"
        else:
            name = str(plan.answers.get("name") or "")
            logo = f"logo.svg: a 256x256 placeholder with the initials '{initials(name)}'" if name else \
                "logo.svg: a 256x256 placeholder with the service's initials"
        self.query_one("#review-logo", Static).update(logo)

    def extra_problems(self) -> list[str]:
        lines = self.question_lines(self.state.plan())
        return lines + ["answer the open questions above, or press 'Allow and go on'"] if lines else []

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        actions = {
            "allow-todo": lambda: (setattr(self, "allowed", self.allowable(self.state.plan())),
                                   self.post_message(NextRequested())),
            "edit-docs-todo": lambda: self.post_message(StepRequested("docs", back_to_review=True)),
            "edit-images-lookup": lambda: self.post_message(StepRequested("images", back_to_review=True)),
            "regenerate-readme": lambda: self.post_message(DocsChanged(regenerate=True)),
            "keep-readme": lambda: self.post_message(DocsChanged(keep=True)),
            "accept-filled": lambda: self.post_message(FilledAccepted()),
        }
        if button in actions:
            event.stop()
            actions[button]()
            return
        if button.startswith("edit-"):
            event.stop()
            self.post_message(StepRequested(button.removeprefix("edit-"), back_to_review=True))
            return
        # StepScreen's own handler gets the message too: Textual calls each class's handler
