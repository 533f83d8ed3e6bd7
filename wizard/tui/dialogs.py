"""Modal dialogs: a choice among buttons, and the help screen."""

from __future__ import annotations

import time
from importlib.resources import files

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown, Static

from wizard.draft import Draft
from wizard.registry.index import describe_age


class ChoiceDialog(ModalScreen[str]):
    """A question with buttons; dismisses with the id of the button pressed (Escape: the last one)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str]], *, id: str | None = None):
        super().__init__(id=id)
        self.question, self.choices = question, choices

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(id="choices"):
                for index, (choice_id, label) in enumerate(self.choices):
                    yield Button(label, id=choice_id, variant="primary" if index == 0 else "default")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)

    def action_cancel(self) -> None:
        self.dismiss(self.choices[-1][0])


def resume_dialog(saved: Draft) -> ChoiceDialog:
    when = describe_age(time.time() - (saved.saved_at or time.time()))
    return ChoiceDialog(f"You have a saved draft of [b]{saved.title}[/b] from {when}.\nResume it?",
                        [("resume", "Resume draft"), ("new", "Start a new service")], id="resume-dialog")


def quit_dialog() -> ChoiceDialog:
    return ChoiceDialog("You have answers that are not saved yet. Save them as a draft before quitting?",
                        [("save", "Save and quit"), ("discard", "Quit without saving"), ("cancel", "Cancel")],
                        id="quit-dialog")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        text = files("wizard.templates").joinpath("help.md").read_text(encoding="utf-8")
        with VerticalScroll(id="help"):
            yield Markdown(text)
            yield Button("Close (Esc)", id="close-help")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
