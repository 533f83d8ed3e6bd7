"""Small reusable widgets: the step list, the manifest preview, the step buttons, a notice line.
(The fields themselves are in ``fields.py``.)"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from wizard.tui.keys import FieldButton
from wizard.tui.messages import StepRequested

STATE_MARKS = {"done": "✔", "errors": "✘", "todo": "·", "current": "▶"}


class StepList(OptionList):
    """The sidebar: every step with its state. Choosing one jumps to it."""

    # Focused or not, the same border: a border that appears on focus moves every row under the mouse.
    DEFAULT_CSS = """
    StepList, StepList:focus { width: 24; height: 1fr; border: none; border-right: vkey $panel; }
    StepList:focus { border-right: vkey $accent; }
    """

    def __init__(self, steps: dict[str, str], current: str, states: dict[str, str]):
        super().__init__(id="steps")
        self.steps, self.current, self.states = steps, current, states

    def prompts(self, states: dict[str, str]) -> list[str]:
        return [f"{STATE_MARKS['current'] if name == self.current else STATE_MARKS[states.get(name, 'todo')]} "
                f"{number}. {title}" for number, (name, title) in enumerate(self.steps.items(), start=1)]

    def on_mount(self) -> None:
        self.add_options([Option(prompt, id=name) for prompt, name in zip(self.prompts(self.states), self.steps)])
        self.highlighted = list(self.steps).index(self.current)

    def refresh_states(self, states: dict[str, str]) -> None:
        """Only the rows whose mark changed are redrawn: rebuilding the list on every key made typing lag."""
        if states == self.states:
            return
        for index, (old, new) in enumerate(zip(self.prompts(self.states), self.prompts(states))):
            if old != new:
                self.replace_option_prompt_at_index(index, new)
        self.states = states

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id != self.current:
            self.post_message(StepRequested(event.option.id))


class ManifestPreview(VerticalScroll):
    """The manifest.json being built, always one key (F2) away."""

    DEFAULT_CSS = """
    ManifestPreview { width: 45%; border-left: vkey $panel; padding: 0 1; }
    ManifestPreview > #preview-problems { color: $warning; }
    ManifestPreview > #preview-notes { color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-json")
        yield Static("", id="preview-problems", markup=False)
        yield Static("", id="preview-notes", markup=False)

    shown_manifest = ""
    shown_notes: tuple[str, ...] = ()

    def show(self, text: str, problems: list[str], notes: list[str] | None = None) -> None:
        from rich.syntax import (
            Syntax,  # pygments: loaded once the manifest is first shown
        )

        self.shown_manifest, self.shown_notes = text, tuple(notes or ())
        self.query_one("#preview-json", Static).update(Syntax(text, "json", theme="ansi_dark", word_wrap=True))
        self.query_one("#preview-problems", Static).update("\n".join(f"• {p}" for p in problems[:8]))
        self.query_one("#preview-notes", Static).update("\n".join(f"Note: {n}" for n in self.shown_notes))


class StepNav(Horizontal):
    DEFAULT_CSS = """
    StepNav { height: 3; margin-top: 1; }
    StepNav > Button { margin-right: 2; }
    """

    # the footer's actions as buttons (in a browser, Ctrl+N and Ctrl+Q are the browser's own)
    ACTIONS = (("toggle_preview", "Manifest"), ("help", "Help"), ("request_quit", "Quit"))

    def __init__(self, *, back: bool = True, next_label: str = "Next ▶", actions: bool = False):
        super().__init__(classes="step-nav")
        self.back, self.next_label, self.actions = back, next_label, actions

    def compose(self) -> ComposeResult:
        if self.back:
            yield FieldButton("◀ Back", id="back")
        yield FieldButton(self.next_label, id="next", variant="primary")
        if self.actions:
            for action, label in self.ACTIONS:
                yield FieldButton(label, id=f"action-{action}", classes="small")


class Notice(Static):
    """A line of status under a control: info, success or error."""

    DEFAULT_CSS = """
    Notice { height: auto; }
    Notice.error { color: $error; }
    Notice.success { color: $success; }
    Notice.busy { color: $accent; }
    """

    def __init__(self, text: str = "", *, id: str | None = None):
        super().__init__(text, id=id, markup=False)  # it says values from outside: never parsed as markup
        self.display = bool(text)

    said: tuple[str, str] | None = None

    def say(self, text: str, kind: str = "") -> None:
        if self.said == (text, kind):
            return  # said already: updating again would lay the step out again on every key
        self.said = (text, kind)
        self.set_classes(kind)
        self.update(text)
        self.display = bool(text)  # nothing to say: no empty line


def exists(widget: Widget, selector: str) -> bool:
    return bool(widget.query(selector))
