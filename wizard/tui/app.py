"""WizardApp: the state (``state.WizardState``), the step on show, and the handlers that change them.

Screens render the state and post messages; the handlers here and in ``workers`` own the state. Every
rule comes from the core, through the one plan ``state.plan()`` makes.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from wizard.draft import Draft, discard_draft, saved_draft_or_notice
from wizard.service.rules import DEVICES
from wizard.settings import Settings
from wizard.tui import messages as m
from wizard.tui.dialogs import HelpScreen, resume_dialog
from wizard.tui.editing import EditTarget, edit_draft
from wizard.tui.hub_work import FromHub
from wizard.tui.leaving import Leaving, run_and_report
from wizard.tui.services import Services, default_services
from wizard.tui.state import WizardState
from wizard.tui.steps import STEP_TITLES, STEPS, step_screen
from wizard.tui.steps.base import StepScreen
from wizard.tui.testing_work import Testing
from wizard.tui.workers import NetworkWork
from wizard.tui.writing import write_plan

__all__ = ["EditTarget", "WizardApp", "edit_draft", "run_and_report"]


class WizardApp(Leaving, NetworkWork, Testing, FromHub, App):
    CSS_PATH = "wizard.tcss"
    TITLE = "prem-new-service"
    SUB_TITLE = "add a service to the Prem registry"
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "toggle_preview", "Manifest"),
        Binding("ctrl+b", "previous_step", "Back"),
        Binding("ctrl+n", "next_step", "Next"),
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
        Binding("ctrl+c", "interrupt", "Interrupt", show=False, priority=True),
    ]

    def __init__(self, settings: Settings, *, services: Services | None = None, draft: Draft | None = None,
                 resume: bool = False, offer_resume: bool = True, show_preview: bool = False,
                 saved_at_source: Path | None = None, editing: EditTarget | None = None, in_browser: bool = False):
        super().__init__()
        self.settings = settings
        self.services = services or default_services(settings)
        self.state = WizardState(draft or Draft(), steps=STEPS, editing=editing, size_kind=settings.size_kind)
        self.resume, self.offer_resume = resume, offer_resume
        self.show_preview = show_preview
        self.in_browser = in_browser  # served by `serve`: the footer's actions get buttons too
        self.step_titles = STEP_TITLES
        self.draft_file = saved_at_source
        self.farewell: list[str] = []  # what the CLI prints on stdout once the terminal is back
        self._draft_timer = None

    def get_driver_class(self):
        from wizard.tui.terminal import driver_for_this_terminal

        return driver_for_this_terminal() or super().get_driver_class()

    @property
    def draft(self) -> Draft:
        return self.state.draft

    # --- start and stop -----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.call_after_refresh(self.load_index)  # after the first frame: typing needs no index
        saved, notice = saved_draft_or_notice(self.draft_file) if (self.resume or self.offer_resume) else (None, None)
        if notice:
            self.notify(notice, severity="warning", timeout=12, markup=False)
        if self.resume:
            if saved is None and notice is None:
                self.notify("No saved draft was found; starting a new service.", severity="warning")
            self._start(saved)
        elif saved is not None and not saved.is_empty() and (self.draft.is_empty() or self.state.editing):
            self.push_screen(resume_dialog(saved), lambda choice: self._start(saved if choice == "resume" else None))
        else:
            self._start(None)

    def _start(self, saved: Draft | None) -> None:
        if saved is not None:
            self.state.draft = saved
        for device in DEVICES:  # a resumed reference whose size was never found
            self.look_up_size(device)
        self.go(self.draft.step if self.draft.step in STEP_TITLES else STEPS[0], push=True)

    # --- steps --------------------------------------------------------------------------------

    @property
    def step_screen(self) -> StepScreen | None:
        return self.screen if isinstance(self.screen, StepScreen) else None

    def refresh_screen(self) -> None:
        if self.step_screen is not None:
            self.step_screen.refresh_frame()

    def go(self, step: str, *, push: bool = False) -> None:
        if not self.is_screen_installed(step):
            self.install_screen(step_screen(step)(), name=step)
        self.draft.step = step
        if push or not isinstance(self.screen, StepScreen):
            self.push_screen(step)
        else:
            self.switch_screen(step)

    def problems(self, step: str) -> list[str]:
        found = self.state.problems(step)
        if self.is_screen_installed(step) and (screen := self.get_screen(step)).is_mounted:
            found += screen.extra_problems()
        return found

    def step_states(self) -> dict[str, str]:
        return self.state.step_states(self.problems)

    def action_next_step(self) -> None:
        if (screen := self.step_screen) is None:
            return
        for key, value in screen.unsent_answers().items():  # typed in a burst that ended in Ctrl+N
            self.on_answer_changed(m.AnswerChanged(key, value))
        step = screen.NAME
        self.state.visit(step)
        if problems := self.problems(step):
            self.notify("Fix these before going on:\n" + "\n".join(f"• {p}" for p in problems),
                        title=f"{self.step_titles[step]} has problems", severity="error", timeout=8, markup=False)
            screen.refresh_frame()
            return
        following = self.state.step_after(step)
        if following is not None:
            self.save()
            self.go(following)
        else:
            self.leave_from_the_last_step()

    def action_previous_step(self) -> None:
        if (screen := self.step_screen) is not None and (before := self.state.step_before(screen.NAME)):
            self.save()
            self.go(before)

    def on_next_requested(self, message: m.NextRequested) -> None:
        self.action_next_step()

    def on_back_requested(self, message: m.BackRequested) -> None:
        self.action_previous_step()

    def on_step_requested(self, message: m.StepRequested) -> None:
        if (current := self.step_screen) is not None:
            self.state.visit(current.NAME)
        self.state.back_to_review = message.back_to_review
        self.save()
        self.go(message.step)

    def action_toggle_preview(self) -> None:
        self.show_preview = not self.show_preview
        self.refresh_screen()
        if self.step_screen is not None:
            self.step_screen.preview_toggled(self.show_preview)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # --- answers, docs and writing ------------------------------------------------------------

    def on_answer_changed(self, message: m.AnswerChanged) -> None:
        self.state.set_answer(message.key, message.value)
        if (device := message.key.removesuffix("_image")) in DEVICES:
            self.look_up_size(device)
        self.save_soon()
        self.refresh_screen()

    def on_docs_changed(self, message: m.DocsChanged) -> None:
        self.state.set_docs(message.readme, message.logo_path, regenerate=message.regenerate, keep=message.keep)
        self.save_soon()
        self.refresh_screen()

    def on_write_requested(self, message: m.WriteRequested) -> None:
        state = self.state
        written = write_plan(state.plan(), message.out, editing=state.editing, force=message.force)
        if written.ok:
            state.written_folder = written.folder
            if state.editing:
                state.editing = EditTarget(written.folder, state.editing.original)
            else:
                self.draft.out = message.out
            self.cancel_draft_save()
            discard_draft(self.draft_file)
            state.dirty = False
        self.get_screen("publish").show_written(written.text, written.ok, offer_force=written.offer_force,
                                                proposed=written.proposed)

