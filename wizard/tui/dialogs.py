"""Modal dialogs: a choice among buttons, and the help screen."""

from __future__ import annotations

import time
from importlib.resources import files

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from wizard.draft import Draft
from wizard.tui.keys import FieldButton


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
                    yield FieldButton(label, id=choice_id, variant="primary" if index == 0 else "default")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id)

    def action_cancel(self) -> None:
        self.dismiss(self.choices[-1][0])


def resume_dialog(saved: Draft) -> ChoiceDialog:
    from wizard.registry.index import (
        describe_age,  # with httpx behind it: not for every start-up
    )

    when = describe_age(time.time() - (saved.saved_at or time.time()))
    return ChoiceDialog(f"You have a saved draft of [b]{escape(saved.title)}[/b] from {when}.\nResume it?",
                        [("resume", "Resume draft"), ("new", "Start a new service")], id="resume-dialog")


def quit_dialog() -> ChoiceDialog:
    return ChoiceDialog("Quit? Your answers are kept as a draft for `prem-new-service --resume`, unless you "
                        "discard them. (Ctrl+Q again: keep them and quit.)",
                        [("save", "Keep the draft and quit"), ("discard", "Discard the answers"), ("cancel", "Cancel")],
                        id="quit-dialog")


def unwritten_dialog(state) -> ChoiceDialog:
    """Done (or Next) on the last step with answers that are not in a folder yet."""
    question = ("Your answers changed after the folder was written; they are not in it yet."
                if state.written_folder is not None else "The service folder is not written yet.")
    write = "Save changes" if state.editing else "Write the folder"
    return ChoiceDialog(f"{question} Write it now?",
                        [("write", write), ("save", "Keep the draft and quit"), ("cancel", "Stay here")],
                        id="unwritten-dialog")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        from textual.widgets import (
            Markdown,  # its parser is worth loading only once help is asked for
        )

        text = files("wizard.templates").joinpath("help.md").read_text(encoding="utf-8")
        with VerticalScroll(id="help"):
            yield Markdown(text)
            yield FieldButton("Close (Esc)", id="close-help")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
