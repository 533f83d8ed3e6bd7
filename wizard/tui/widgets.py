"""Small reusable widgets: an answer field with its message, the step list, the manifest preview."""

from __future__ import annotations

from typing import Any

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from wizard.service.answers import BY_KEY, check_answer
from wizard.tui.messages import AnswerChanged, StepRequested

STATE_MARKS = {"done": "✔", "errors": "✘", "todo": "·", "current": "▶"}


class AnswerField(Vertical):
    """A labelled input for one answer; shows the core's message as it is typed."""

    DEFAULT_CSS = """
    AnswerField { height: auto; margin-bottom: 1; }
    AnswerField > .field-label { text-style: bold; }
    AnswerField > .field-help { color: $text-muted; }
    AnswerField > .field-message { color: $error; height: auto; }
    AnswerField > .field-message.empty { display: none; }
    """

    def __init__(self, key: str, value: Any = None, *, placeholder: str = "", password: bool = False, id: str | None = None):
        super().__init__(id=id or f"field-{key}")
        self.key = key
        self.initial = "" if value is None else str(value)
        self.placeholder = placeholder
        self.password = password

    def compose(self) -> ComposeResult:
        answer = BY_KEY.get(self.key)
        yield Static(answer.label if answer else self.key, classes="field-label")
        if answer:
            yield Static(answer.help, classes="field-help")
        yield Input(self.initial, placeholder=self.placeholder, password=self.password, id=f"input-{self.key}")
        yield Static("", classes="field-message empty")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def on_mount(self) -> None:
        if self.initial:
            self.show_message(self.initial)

    def show_message(self, value: str) -> str | None:
        message = check_answer(self.key, value) if value.strip() else None
        shown = self.query_one(".field-message", Static)
        shown.update(f"✘ {message}" if message else "")
        shown.set_class(not message, "empty")
        return message

    def set_value(self, value: Any) -> None:
        """Fill the field from outside (a suggestion, a looked-up size) as if typed."""
        self.input.value = "" if value is None else str(value)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        value = event.value
        self.show_message(value)
        self.post_message(AnswerChanged(self.key, value.strip() or None))


class StepList(OptionList):
    """The sidebar: every step with its state. Choosing one jumps to it."""

    DEFAULT_CSS = """
    StepList { width: 24; height: 1fr; border: none; border-right: vkey $panel; }
    """

    def __init__(self, steps: dict[str, str], current: str, states: dict[str, str]):
        super().__init__(id="steps")
        self.steps, self.current, self.states = steps, current, states

    def on_mount(self) -> None:
        self.refresh_states(self.states)

    def refresh_states(self, states: dict[str, str]) -> None:
        self.states = states
        highlighted = list(self.steps).index(self.current)
        self.clear_options()
        for number, (name, title) in enumerate(self.steps.items(), start=1):
            mark = STATE_MARKS["current"] if name == self.current else STATE_MARKS[states.get(name, "todo")]
            self.add_option(Option(f"{mark} {number}. {title}", id=name))
        self.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id != self.current:
            self.post_message(StepRequested(event.option.id))


class ManifestPreview(VerticalScroll):
    """The manifest.json being built, always one key (F2) away."""

    DEFAULT_CSS = """
    ManifestPreview { width: 45%; border-left: vkey $panel; padding: 0 1; }
    ManifestPreview > #preview-problems { color: $warning; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-json")
        yield Static("", id="preview-problems")

    shown_manifest = ""

    def show(self, text: str, problems: list[str]) -> None:
        self.shown_manifest = text
        self.query_one("#preview-json", Static).update(Syntax(text, "json", theme="ansi_dark", word_wrap=True))
        self.query_one("#preview-problems", Static).update("\n".join(f"• {p}" for p in problems[:8]))


class StepNav(Horizontal):
    DEFAULT_CSS = """
    StepNav { height: 3; margin-top: 1; }
    StepNav > Button { margin-right: 2; }
    """

    def __init__(self, *, back: bool = True, next_label: str = "Next ▶"):
        super().__init__(classes="step-nav")
        self.back, self.next_label = back, next_label

    def compose(self) -> ComposeResult:
        if self.back:
            yield Button("◀ Back", id="back")
        yield Button(self.next_label, id="next", variant="primary")


class Notice(Static):
    """A line of status under a control: info, success or error."""

    DEFAULT_CSS = """
    Notice { height: auto; }
    Notice.error { color: $error; }
    Notice.success { color: $success; }
    Notice.busy { color: $accent; }
    """

    def say(self, text: str, kind: str = "") -> None:
        self.set_classes(kind)
        self.update(text)


def exists(widget: Widget, selector: str) -> bool:
    return bool(widget.query(selector))
