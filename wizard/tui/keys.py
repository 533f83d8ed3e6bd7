"""Keys in the order they were typed, and one meaning of Enter on every field.

Textual hands a printable key to the focused widget at once, but resolves a bound key (Backspace, the
arrows, Tab) only after it has bubbled through every container up to the app. When the app is busy, a
burst of keys (a held key, a paste without bracketed paste) then arrives out of order: Backspaces land
after the letters typed behind them, or a Tab lands after the next field's text. So each field widget
here runs its own bindings, Tab and Enter as the key reaches it, and a key that reaches a field after the
focus has moved on is passed on to the widget that has the focus now, as it would have been had the
person typed slower.

Enter moves to the next field everywhere: in a text field, on a switch, in a list of choices. Space
ticks and switches; on a button, Enter presses it; in a text of several lines it starts a new line.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.strip import Strip
from textual.widgets import Button, Input, RadioSet, SelectionList, Switch, TextArea
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

FOCUS_MOVES = ("tab", "shift+tab")


class InOrder:
    """Mixed in before a Textual widget (a plain class, so CSS still sees the widget's own type): its keys
    are handled in the order they arrive."""

    ENTER_MOVES_ON: ClassVar[bool] = True

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        # screen.focused changes at once; has_focus only when the Focus event comes round
        if screen.focused is not None and screen.focused is not self:
            # typed while the focus was here, resolved after it moved on: it belongs to the field now focused
            event.stop()
            event.prevent_default()
            screen.focused._forward_event(events.Key(event.key, event.character))
            return
        if event.key in FOCUS_MOVES or (event.key == "enter" and self.ENTER_MOVES_ON):
            event.stop()
            event.prevent_default()
            self.moving_on(event.key)
            screen.focus_previous() if event.key == "shift+tab" else screen.focus_next()
            return
        bindings = self._bindings.key_to_bindings.get(event.key)
        if bindings:
            event.stop()
            event.prevent_default()
            await self.run_action(bindings[0].action)
            return
        await super()._on_key(event)

    def moving_on(self, key: str) -> None:
        """Hook: the focus leaves by ``key`` (Enter submits an Input first)."""


class FieldInput(InOrder, Input):
    def moving_on(self, key: str) -> None:
        if key == "enter":
            self.post_message(self.Submitted(self, self.value))


class FieldButton(InOrder, Button):
    """A button in the order of keys too: a burst's Shift+Tab passing over it, and the text behind it, reach the
    field the focus lands on instead of ending on the button."""

    ENTER_MOVES_ON = False  # Enter presses it


class FieldTextArea(InOrder, TextArea):
    ENTER_MOVES_ON = False  # a new line; Tab moves on


class FieldSwitch(InOrder, Switch, inherit_bindings=False):
    BINDINGS = [Binding("space", "toggle_switch", "Toggle", show=False)]


class FieldSelectionList(InOrder, SelectionList[str], inherit_bindings=False):
    BINDINGS = [Binding(key, action, show=False) for key, action in (
        ("space", "select"), ("down", "cursor_down"), ("up", "cursor_up"), ("home", "first"), ("end", "last"),
        ("pagedown", "page_down"), ("pageup", "page_up"))]

    def render_line(self, y: int) -> Strip:
        """An unticked box is empty, not a dimmer X: ticked and unticked differ without colour (NO_COLOR)."""
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset[1] + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if selection.value in self._selected or len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        segments[1] = Segment(" " * len(segments[1].text), segments[1].style)
        return Strip(segments, strip.cell_length)


class FieldRadioSet(InOrder, RadioSet, inherit_bindings=False):
    BINDINGS = [Binding("down,right", "next_button", show=False), Binding("space", "toggle_button", show=False),
                Binding("up,left", "previous_button", show=False)]
