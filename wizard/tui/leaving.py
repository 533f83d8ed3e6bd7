"""Leaving the app, and the draft that keeps what was typed: quit, Ctrl+C, Done, and what is said after.

Every way out goes through ``finish``, which happens once and leaves the lines the CLI prints on stdout
when the terminal is back: what was written, where the pull request is, where the answers are kept. The
draft is saved within ``DRAFT_DELAY`` of every change, so a terminal closed mid-step loses nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from wizard.draft import discard_draft, draft_path, save_draft
from wizard.tui.dialogs import ChoiceDialog, quit_dialog, unwritten_dialog


class Leaving:
    """Mixed into WizardApp: needs ``state``, ``draft``, ``draft_file``, ``screen``, ``exit`` and ``notify``."""

    DRAFT_DELAY: ClassVar[float] = 0.3  # seconds of no typing before the draft is saved
    RESUME_COMMAND = "prem-new-service --resume"
    farewell: list[str]
    _draft_timer: Any = None
    state: Any
    draft_file: Path | None

    def _dialog_shown(self, dialog_id: str) -> ChoiceDialog | None:
        return self.screen if isinstance(self.screen, ChoiceDialog) and self.screen.id == dialog_id else None

    async def action_request_quit(self) -> None:
        if (shown := self._dialog_shown("quit-dialog")) is not None:
            shown.dismiss("save")  # Ctrl+Q twice: quit, keeping the answers (the choice that loses nothing)
            return
        if self.nothing_to_lose():
            self.finish()
            return
        self.push_screen(quit_dialog(), self._quit_chosen)

    async def action_quit(self) -> None:
        """The command palette's Quit asks as Ctrl+Q does."""
        await self.action_request_quit()

    def _quit_chosen(self, choice: str | None) -> None:
        if choice == "save":
            self.finish(saved=self.save())
        elif choice == "discard":
            self.cancel_draft_save()
            discard_draft(self.draft_file)
            self.finish(discarded=True)

    def action_interrupt(self) -> None:
        """Ctrl+C: stop at once, as in any terminal program, and keep what was typed."""
        saved = None if self.nothing_to_lose() else self.save()
        self.finish(saved=saved, code=130, how="Interrupted.")

    def nothing_to_lose(self) -> bool:
        return self.draft.is_empty() or not self.state.dirty

    def finish(self, *, saved: Path | None = None, discarded: bool = False, code: int = 0, how: str = "") -> None:
        """The one way out: says what was written, where the pull request is, and where the answers are."""
        if self.farewell:
            return  # already on the way out (a second Done, Ctrl+C after Quit)
        if saved is None and not discarded and self.state.written_folder is None and not self.draft.is_empty() \
                and self.draft_location.is_file():
            saved = self.draft_location  # saved as it was typed
        self.farewell = self.state.outcome(saved=saved, discarded=discarded, resume=self.RESUME_COMMAND)
        if how:
            self.farewell.insert(0, how)
        self.exit(return_code=code)

    def save(self) -> Path | None:
        """Save the draft now; the path it went to, or None (said on screen) when it could not be."""
        self.cancel_draft_save()
        self.draft.visited = sorted(set(self.draft.visited))
        self.state.forget_other_sizes()
        try:
            path = save_draft(self.draft, self.draft_file)
        except OSError as error:
            self.notify(f"Could not save the draft: {error.strerror}", severity="error", markup=False)
            return None
        return path

    def save_soon(self) -> None:
        """Every change reaches the draft within DRAFT_DELAY, so a terminal closed mid-step loses nothing."""
        self.cancel_draft_save()
        self._draft_timer = self.set_timer(self.DRAFT_DELAY, self.save)

    def cancel_draft_save(self) -> None:
        """A save still due would write a draft the person just discarded, or one the folder made needless."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None

    @property
    def draft_location(self) -> Path:
        return self.draft_file or draft_path()

    def leave_from_the_last_step(self) -> None:
        if self.state.unwritten_changes():
            self.push_screen(unwritten_dialog(self.state), self._unwritten_chosen)
        else:
            self.finish()

    def _unwritten_chosen(self, choice: str | None) -> None:
        if choice == "write":
            self.get_screen("publish").write_now()
        elif choice == "save":
            self.finish(saved=self.save())


def run_and_report(app) -> int:
    """Run the app, then say on stdout (the terminal is back by then) what it did and where things are."""
    app.run()
    for line in app.farewell:
        print(line)
    return app.return_code if app.return_code is not None else 1
