"""The frame every step shares: header, step list, the step's own fields, preview, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from wizard.tui.widgets import ManifestPreview, StepList, StepNav

if TYPE_CHECKING:
    from wizard.tui.app import WizardApp


class StepScreen(Screen):
    NAME: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    INTRO: ClassVar[str] = ""
    NEXT_LABEL: ClassVar[str] = "Next ▶"
    # Keyboard users start typing at once: the step's first field, not the step list, has the focus.
    AUTO_FOCUS = "#step Input, #step SelectionList, #step TextArea, #step Button"
    WIDE_ENOUGH: ClassVar[int] = 110  # columns for step list, fields and manifest side by side

    @property
    def wizard(self) -> WizardApp:
        return self.app  # type: ignore[return-value]

    @property
    def answers(self) -> dict:
        return self.wizard.draft.answers

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="frame"):
            yield StepList(self.wizard.step_titles, self.NAME, self.wizard.step_states())
            with VerticalScroll(id="step"):
                yield Static(f"[b]{self.TITLE}[/b]", classes="step-title")
                if self.INTRO:
                    yield Static(self.INTRO, classes="step-intro")
                yield from self.compose_step()
                yield StepNav(back=self.NAME != "identity", next_label=self.NEXT_LABEL)
            yield ManifestPreview(id="preview", classes="" if self.wizard.show_preview else "hidden")
        yield Footer()

    def compose_step(self) -> ComposeResult:
        yield from ()

    def on_resize(self) -> None:
        self.refresh_frame()

    def on_mount(self) -> None:
        self.sub_title = f"step {list(self.wizard.step_titles).index(self.NAME) + 1} of {len(self.wizard.step_titles)}"

    def on_screen_resume(self) -> None:
        self.refresh_frame()
        self.on_step_shown()

    def on_input_submitted(self, event) -> None:
        """Enter in a field moves on to the next one, as in a paper form."""
        self.focus_next()

    def on_step_shown(self) -> None:
        """Hook: the step is on screen again; bring derived views up to date."""

    def refresh_frame(self) -> None:
        if not self.is_mounted:
            return
        self.query_one(StepList).refresh_states(self.wizard.step_states())
        preview = self.query_one(ManifestPreview)
        preview.set_class(not self.wizard.show_preview, "hidden")
        # Too narrow for both side by side: the manifest takes the step's place until F2 again.
        narrow = self.app.size.width < self.WIDE_ENOUGH
        self.query_one("#step").set_class(self.wizard.show_preview and narrow, "hidden")
        preview.set_class(narrow, "full")
        if self.wizard.show_preview:
            preview.show(*self.wizard.preview())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "next":
            event.stop()
            self.wizard.action_next_step()
        elif event.button.id == "back":
            event.stop()
            self.wizard.action_previous_step()

    def extra_problems(self) -> list[str]:
        """Problems beyond the answers' rules (a logo that does not parse, a lookup still running)."""
        return []
