"""The frame every step shares: header, step list, the step's fields (from the field table), preview, footer."""

from __future__ import annotations

from typing import ClassVar, cast

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from wizard.service.fields import Field, asked_for, fields_of
from wizard.service.plan import ServicePlan
from wizard.tui.fields import KEPT, FieldWidget, field_widget
from wizard.tui.messages import BackRequested, NextRequested
from wizard.tui.state import WizardHost, WizardState
from wizard.tui.widgets import ManifestPreview, Notice, StepList, StepNav


class StepScreen(Screen):
    NAME: ClassVar[str] = ""
    INTRO: ClassVar[str] = ""
    NEXT_LABEL: ClassVar[str] = "Next ▶"
    # Keyboard users start typing at once: the step's first field, not the step list, has the focus. It is
    # given after the first layout: given before it, Textual cannot tell the field is in view and scrolls.
    FIRST_FOCUS: ClassVar[str] = "#step Input, #step SelectionList, #step TextArea, #step Switch, #step Button"
    AUTO_FOCUS = ""
    WIDE_ENOUGH: ClassVar[int] = 110  # columns for step list, fields and manifest side by side

    @property
    def wizard(self) -> WizardHost:
        return cast(WizardHost, self.app)

    @property
    def state(self) -> WizardState:
        return self.wizard.state

    @property
    def answers(self) -> dict:
        return self.state.draft.answers

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="frame"):
            yield StepList(self.wizard.step_titles, self.NAME, self.wizard.step_states())
            with VerticalScroll(id="step"):
                yield Static(f"[b]{self.wizard.step_titles[self.NAME]}[/b]", classes="step-title")
                if self.INTRO:
                    yield Static(self.INTRO, classes="step-intro")
                yield from self.compose_step()
                yield StepNav(back=self.NAME != self.state.steps[0], next_label=self.NEXT_LABEL,
                              actions=self.wizard.in_browser)
            yield ManifestPreview(id="preview", classes="" if self.wizard.show_preview else "hidden")
        yield Footer()

    def compose_step(self) -> ComposeResult:
        """One widget per field the table gives this step, each followed by the step's own extras."""
        yield from self.compose_before()
        plan = self.state.plan()
        conditions = self.state.conditions(plan)
        for field in fields_of(self.NAME):
            widget = field_widget(field, self.answers.get(field.key))
            widget.display = asked_for(field, conditions)
            widget.disabled = not widget.display
            yield widget
            # an answer filled in from a model's card says so until it is changed or accepted
            yield Notice("", id=f"mark-{field.key}")
            yield from self.compose_after(field)
        if fields_of(self.NAME):
            yield Notice("", id="nothing-asked")

    def compose_before(self) -> ComposeResult:
        """A step's own widgets above its fields."""
        yield from ()

    def compose_after(self, field: Field) -> ComposeResult:
        yield from ()

    def on_resize(self) -> None:
        self.refresh_frame()

    def on_mount(self) -> None:
        self.title = self.wizard.step_titles[self.NAME]
        self.sub_title = f"step {list(self.wizard.step_titles).index(self.NAME) + 1} of {len(self.wizard.step_titles)}"

    def focus_first(self) -> None:
        """Arriving on the step: its top in view (title and question), the focus on its first field."""
        first = next((w for w in self.query(self.FIRST_FOCUS) if w.focusable), None)
        if first is not None:
            first.focus(scroll_visible=False)
        self.query_one("#step").scroll_home(animate=False)

    def on_screen_resume(self) -> None:
        self.refresh_frame()
        # after the layout: before it, a field cannot tell whether it is in view
        self.call_after_refresh(self.focus_first)

    def preview_toggled(self, shown: bool) -> None:
        """F2: where the manifest takes the step's place, the focus goes with it and comes back after."""
        narrow = self.app.size.width < self.WIDE_ENOUGH
        preview = self.query_one(ManifestPreview)
        if shown and narrow:
            self.focus_before_preview = self.focused
            preview.focus(scroll_visible=False)
        elif not shown and (self.focused is None or self.focused is preview):
            before = getattr(self, "focus_before_preview", None)
            if before is not None and before.is_attached and before.focusable:
                before.focus()
            else:
                self.focus_first()

    def refresh_frame(self) -> None:
        """Render the state: step marks, which fields are asked, what the plan derived, the preview."""
        if not self.is_mounted:
            return
        plan = self.state.plan()
        self.query_one(StepList).refresh_states(self.wizard.step_states())
        conditions = self.state.conditions(plan)
        fields = [w for w in self.query(".field") if isinstance(w, FieldWidget)]
        marks = self.state.draft.filled_in
        for widget in fields:
            widget.show_plan(plan, asked_for(widget.field, conditions))
            text = f"◆ {marks[widget.field.key]}" if widget.field.key in marks and widget.display else ""
            self.query_one(f"#mark-{widget.field.key}", Notice).say(text, "field-mark")
        if fields:
            nothing = not any(widget.display for widget in fields)
            self.query_one("#nothing-asked", Notice).say("Nothing on this step applies to this service." if nothing else "")
        self.show_state(plan)
        preview = self.query_one(ManifestPreview)
        show_preview = self.wizard.show_preview
        preview.set_class(not show_preview, "hidden")
        # Too narrow for both side by side: the manifest takes the step's place until F2 again.
        narrow = self.app.size.width < self.WIDE_ENOUGH
        self.query_one("#step").set_class(show_preview and narrow, "hidden")
        preview.set_class(narrow, "full")
        if show_preview:
            preview.show(plan.manifest_text, self.state.blocking(plan), plan.dropped)

    def show_answers(self, keys) -> None:
        """Put answers given from outside (a model's) into their fields, as if typed."""
        for widget in self.query(".field"):
            if isinstance(widget, FieldWidget) and widget.field.key in keys and hasattr(widget, "set_value"):
                widget.set_value(self.answers.get(widget.field.key))

    def show_state(self, plan: ServicePlan) -> None:
        """Hook: render what the step shows beyond its fields."""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "next":
            event.stop()
            self.post_message(NextRequested())
        elif event.button.id == "back":
            event.stop()
            self.post_message(BackRequested())
        elif (event.button.id or "").startswith("action-"):
            event.stop()  # the footer's keys as buttons, for a browser that keeps Ctrl+N and Ctrl+Q to itself
            self.call_later(self.run_action, f"app.{event.button.id.removeprefix('action-')}")

    def unsent_answers(self) -> dict[str, str | None]:
        """What the fields hold that the state has not been told yet: a burst of keys ending in Ctrl+N reaches the
        app's binding before the AnswerChanged of its last keys, which is posted one widget further down."""
        unsent = {}
        for widget in self.query(".field"):
            if not isinstance(widget, FieldWidget) or not widget.display or (value := widget.typed()) == KEPT:
                continue
            current = self.answers.get(widget.key)
            if value != (None if current is None else str(current)):
                unsent[widget.key] = value
        return unsent

    def extra_problems(self) -> list[str]:
        """Problems beyond the answers' rules (a logo that does not parse, a lookup still running)."""
        return []
