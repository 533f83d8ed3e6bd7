"""Step 1's "Start from a Hugging Face model": the model's answers fetched in a thread (``huggingface_hub`` is
blocking), put where nothing is answered yet, and marked with their source until they are changed or accepted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from wizard.tui import messages as m


class FromHub:
    """Mixed into WizardApp: needs ``state``, ``services``, ``draft`` and the step screens."""

    state: Any
    services: Any
    settings: Any

    def on_hub_requested(self, message: m.HubRequested) -> None:
        repo_id = message.repo_id.strip()
        if not repo_id:
            return
        self.get_screen("identity").show_hub(f"Looking {repo_id} up on the Hub…", "info")
        self.run_worker(lambda: self._fetch(repo_id), thread=True, group="hub", exclusive=True, exit_on_error=False)

    def _fetch(self, repo_id: str) -> None:
        from wizard.errors import WizardError
        from wizard.tui.workers import explained

        try:
            from wizard.tui.services import model_answers

            fetch = self.services.fetch_model or model_answers(self.settings)
            found = fetch(repo_id)
        except WizardError as error:
            self.post_message(m.HubFailed(str(error)))
            return
        except Exception as error:  # noqa: BLE001 - any failure must end in a message
            self.post_message(m.HubFailed(str(explained(error, "reading the model from the Hub"))))
            return
        self.post_message(m.HubFilled(found))

    def on_hub_failed(self, message: m.HubFailed) -> None:
        self.get_screen("identity").show_hub(f"{message.error}\nNothing you typed is lost; go on typing.", "error")

    def on_hub_filled(self, message: m.HubFilled) -> None:
        found, state = message.found, self.state
        filled = found.unanswered(state.draft.answers)
        for key in filled:
            state.set_answer(key, found.answers[key])
            state.draft.filled_in[key] = found.sources[key]
        state.draft.model = asdict(found.facts) if found.facts else None
        for screen in self.installed_steps():
            screen.show_answers(filled)
        said = ", ".join(filled) or "nothing (every answer it has was typed already)"
        notes = "".join(f"\n• {note}" for note in found.notes)
        self.get_screen("identity").show_hub(f"Filled in from {found.facts.repo_id if found.facts else 'the model'}: "
                                             f"{said}. Each is marked ◆ until you change it or accept it on "
                                             f"Review.{notes}", "success")
        self.save_soon()
        self.refresh_screen()

    def installed_steps(self) -> list:
        return [self.get_screen(step) for step in self.state.steps
                if self.is_screen_installed(step) and self.get_screen(step).is_mounted]

    def on_filled_accepted(self, message: m.FilledAccepted) -> None:
        self.state.draft.filled_in.clear()
        self.save_soon()
        self.refresh_screen()
