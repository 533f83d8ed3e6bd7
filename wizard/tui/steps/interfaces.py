"""Step 2: the interfaces the service speaks, each explained in one line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from wizard.service.rules import INTERFACES
from wizard.tui.messages import AnswerChanged
from wizard.tui.steps.base import StepScreen


class InterfacesStep(StepScreen):
    NAME = "interfaces"
    TITLE = "Interfaces"
    INTRO = ("Which Prem interfaces does the service speak? Pick at least one (Space to tick). "
             "The first names the folder.")

    def compose_step(self) -> ComposeResult:
        chosen = self.answers.get("interfaces") or []
        yield SelectionList[str](
            *(Selection(f"[b]{name}[/b]  {about}", name, name in chosen) for name, about in INTERFACES.items()),
            id="interfaces",
        )
        yield Static("", id="interfaces-order", classes="field-help")

    def on_mount(self) -> None:
        self._show_order(self.answers.get("interfaces") or [])

    def _show_order(self, chosen: list[str]) -> None:
        text = f"Folder: [b]{chosen[0]}-{self.answers.get('id', '<id>')}[/b]" if chosen else "None chosen yet."
        self.query_one("#interfaces-order", Static).update(text)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        previous = self.answers.get("interfaces") or []
        selected = set(event.selection_list.selected)
        # keep the order they were ticked in: the first one names the folder
        chosen = [name for name in previous if name in selected] + [n for n in INTERFACES if n in selected and n not in previous]
        self._show_order(chosen)
        self.post_message(AnswerChanged("interfaces", chosen or None))
