"""One widget per kind of field in the table; label, help, placeholder and rule come from its ``Field``.

Each widget posts ``AnswerChanged`` with what was typed, and ``show_plan(plan, asked)`` renders what the plan
says of it: hidden where its ``when`` does not hold, and a value the plan derived (an id suggested from
the name, a size looked up, a port picked, a default) shown as the placeholder, never typed in for you.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static
from textual.widgets.selection_list import Selection

from wizard.service.fields import Field
from wizard.service.plan import TYPED, ServicePlan
from wizard.service.rules import INTERFACES
from wizard.tui.keys import FieldInput, FieldSelectionList, FieldSwitch, FieldTextArea
from wizard.tui.messages import AnswerChanged
from wizard.units import human_bytes

SAID_OF = {"picked": "picked: free in the upstream index", "default": "the default",
           "looked up": "looked up from the container registry"}


KEPT = "\0kept"  # FieldWidget.typed(): no typing of its own to report


class FieldWidget:
    """Mixed into every field widget (before its container, so CSS sees the container): its table entry,
    and hiding where it is not asked. Every field widget has the class "field"."""

    field: Field
    display: bool
    disabled: bool

    def typed(self) -> str | None:
        """What the field holds as its AnswerChanged would say it, or KEPT: nothing typed since the last one."""
        return KEPT

    def show_plan(self, plan: ServicePlan, asked: bool) -> None:
        if self.display != asked:
            self.display = asked
            self.disabled = not asked  # a hidden field takes no focus

    def show_message(self, value: Any, message: str | None = None) -> str | None:
        """The rule's message for ``value`` (or the plan's ``message``), else what the entry resolves to."""
        typed = str(value).strip()
        message = message or (self.field.message(value) if typed else None)
        shown = self.query_one(".field-message", Static)
        text = f"✘ {message}" if message else (resolved(self.field, typed) if typed else "")
        if text != getattr(self, "shown_text", None):  # a needless update lays the step out again, each key
            self.shown_text = text
            shown.update(text)
        shown.set_class(not text, "empty")
        shown.set_class(not message, "resolved")
        return message


def resolved(field: Field, typed: str) -> str:
    """What an entry in people's units is stored as (`14.5GB` -> 13829 MiB), when it is not the text itself."""
    try:
        value = field.read(typed)
    except (ValueError, OverflowError):  # RuleBroken is a ValueError
        return ""
    if not isinstance(value, int) or isinstance(value, bool) or str(value) == typed:
        return ""
    if field.kind == "size":
        return f"= {value} bytes ({human_bytes(value)})"
    if field.key == "memory":
        return f"= {value} MiB ({value / 1024:.1f} GiB)"
    return f"= {value}"


class AnswerField(FieldWidget, Vertical):
    """A labelled input for one answer; shows the core's message as it is typed."""

    DEFAULT_CSS = """
    AnswerField { height: auto; margin-bottom: 1; }
    AnswerField > .field-label { text-style: bold; }
    AnswerField > .field-help { color: $text-muted; }
    AnswerField > .field-message { color: $error; height: auto; }
    AnswerField > .field-message.resolved { color: $text-muted; }
    AnswerField > .field-message.empty { display: none; }
    """

    def __init__(self, field: Field, value: Any = None):
        super().__init__(id=f"field-{field.key}", classes="field")
        self.field, self.key = field, field.key
        self.initial = "" if value is None else str(value)
        self.placeholder = field.placeholder or field.example

    def compose(self) -> ComposeResult:
        yield Static(self.field.label, classes="field-label")
        yield Static(self.field.help, classes="field-help")
        yield FieldInput(self.initial, placeholder=self.placeholder, id=f"input-{self.key}")
        yield Static("", classes="field-message empty", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def on_mount(self) -> None:
        if self.initial:
            self.show_message(self.initial)

    def show_plan(self, plan: ServicePlan, asked: bool) -> None:
        super().show_plan(plan, asked)
        source = plan.sources.get(self.key)
        derived = source is not None and source != TYPED and self.key in plan.answers
        placeholder = f"{plan.answers[self.key]}  ({SAID_OF.get(source, source)})" if derived else self.placeholder
        if self.input.placeholder != placeholder:
            self.input.placeholder = placeholder
        # what the index says of a typed value (an id or port taken) is shown as it is typed, as the rules are
        said = plan.problems.get(self.key)
        self.show_message(self.input.value, said[0] if said else None)

    def typed(self) -> str | None:
        return self.input.value.strip() or None

    def set_value(self, value: Any) -> None:
        """Fill the field from outside (an estimate) as if typed."""
        self.input.value = "" if value is None else str(value)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.show_message(event.value)
        self.post_message(AnswerChanged(self.key, event.value.strip() or None))


class FlagField(FieldWidget, Horizontal):
    DEFAULT_CSS = """
    FlagField { height: auto; margin-bottom: 1; }
    FlagField > Vertical { height: auto; padding: 0 1; }
    FlagField .field-label { text-style: bold; }
    FlagField .field-help { color: $text-muted; }
    """

    def __init__(self, field: Field, value: Any = None):
        super().__init__(id=f"field-{field.key}", classes="field")
        self.field, self.key = field, field.key
        self.initial = (field.default if value is None else value) is True

    def compose(self) -> ComposeResult:
        yield FieldSwitch(value=self.initial, id=f"input-{self.key}")
        with Vertical():
            yield Static(self.field.label, classes="field-label")
            yield Static(self.field.help, classes="field-help")

    def on_switch_changed(self, event: FieldSwitch.Changed) -> None:
        event.stop()
        # off is the daemon's own default: a field without one is left out rather than written as false
        value = True if event.value else (False if self.field.default is not None else None)
        self.post_message(AnswerChanged(self.key, value))


class LinesField(FieldWidget, Vertical):
    """Text over several lines: one item a line (KEY=VALUE pairs, commands), or one long text (a template);
    the core reads the text either way."""

    DEFAULT_CSS = """
    LinesField { height: auto; margin-bottom: 1; }
    LinesField > .field-label { text-style: bold; }
    LinesField > .field-help { color: $text-muted; }
    LinesField > TextArea { height: 5; }
    LinesField > .field-message { color: $error; height: auto; }
    LinesField > .field-message.empty { display: none; }
    """

    def __init__(self, field: Field, value: Any = None):
        super().__init__(id=f"field-{field.key}", classes="field")
        self.field, self.key = field, field.key
        self.text = "\n".join(map(str, value)) if isinstance(value, list) else str(value or "")

    def compose(self) -> ComposeResult:
        yield Static(self.field.label, classes="field-label")
        yield Static(f"{self.field.help}, e.g. {self.field.example}", classes="field-help")
        yield FieldTextArea(self.text, id=f"input-{self.key}", soft_wrap=False)
        yield Static("", classes="field-message empty", markup=False)

    def on_mount(self) -> None:
        if self.text.strip():
            self.show_message(self.text)

    def typed(self) -> str | None:
        text = self.query_one(FieldTextArea).text
        if text == self.text:
            return KEPT  # loaded, or its change already sent
        return text if text.strip() else None

    def on_text_area_changed(self, event: FieldTextArea.Changed) -> None:
        event.stop()
        if event.text_area.text == self.text:
            return  # loaded, not typed
        self.text = event.text_area.text
        self.show_message(self.text)
        self.post_message(AnswerChanged(self.key, self.text if self.text.strip() else None))


class InterfacesField(FieldWidget, Vertical):
    """Every Prem interface explained in one line; ticked in order, since the first names the folder."""

    DEFAULT_CSS = """
    InterfacesField { height: auto; }
    """

    def __init__(self, field: Field, value: Any = None):
        super().__init__(id=f"field-{field.key}", classes="field")
        self.field, self.key = field, field.key
        self.chosen = list(value) if isinstance(value, list) else []

    def compose(self) -> ComposeResult:
        yield FieldSelectionList(
            *(Selection(f"[b]{name}[/b]  {about}", name, name in self.chosen) for name, about in INTERFACES.items()),
            id="interfaces",
        )

    def set_value(self, value: Any) -> None:
        """Tick ``value`` from outside (a model's pipeline), in its order, as if chosen."""
        self.chosen = list(value) if isinstance(value, list) else []
        listing = self.query_one(FieldSelectionList)
        listing.deselect_all()
        for name in self.chosen:
            listing.select(name)

    def on_selection_list_selected_changed(self, event: FieldSelectionList.SelectedChanged) -> None:
        event.stop()
        selected = set(event.selection_list.selected)
        self.chosen = [n for n in self.chosen if n in selected] + [n for n in INTERFACES
                                                                   if n in selected and n not in self.chosen]
        self.post_message(AnswerChanged(self.key, list(self.chosen) or None))


WIDGETS: dict[str, type[FieldWidget]] = {"text": AnswerField, "long_text": LinesField, "image": AnswerField,
                                         "size": AnswerField, "flag": FlagField, "lines": LinesField,
                                         "interfaces": InterfacesField}


def field_widget(field: Field, value: Any) -> FieldWidget:
    return WIDGETS[field.kind](field, value)
