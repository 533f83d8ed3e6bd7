"""The Test action of the last step: the written folder's image run through the local Docker engine and checked
(``wizard.testing.run.test_folder``), each line shown as it comes, and the measured figures offered as answers."""

from __future__ import annotations

from typing import Any

from wizard.tui import messages as m


class Testing:
    """Mixed into WizardApp: needs ``state``, ``services``, ``draft`` and the publish screen."""

    state: Any
    services: Any

    def on_test_requested(self, message: m.TestRequested) -> None:
        folder = self.state.written_folder
        if folder is None:
            return
        self.state.trial = None
        self.get_screen("publish").show_test_started()
        self.run_worker(self._test(folder, message.gpu), group="test", exclusive=True, exit_on_error=False)

    async def _test(self, folder, gpu: bool) -> None:
        from wizard.publish.folders import folder_manifest
        from wizard.testing.run import Trial
        from wizard.tui.workers import explained

        try:
            trial = await self.services.test_folder(folder, folder_manifest(folder), gpu=gpu,
                                                    progress=lambda line: self.post_message(m.TestProgress(line)))
        except Exception as error:  # noqa: BLE001 - any failure must end in a message, or the spinner turns on
            trial = Trial((str(explained(error, "testing the service")),), False, {})
        self.post_message(m.TestFinished(trial))

    def on_test_progress(self, message: m.TestProgress) -> None:
        self.get_screen("publish").add_test_line(message.line)

    def on_test_finished(self, message: m.TestFinished) -> None:
        self.state.trial = message.trial
        self.get_screen("publish").show_trial(message.trial)

    def on_figures_accepted(self, message: m.FiguresAccepted) -> None:
        trial = self.state.trial
        if trial is None or not trial.answers:
            return
        for key, value in trial.answers.items():
            self.state.set_answer(key, value)
        self.state.trial = None
        self.post_message(m.WriteRequested(self.draft.out or ".", force=True))
