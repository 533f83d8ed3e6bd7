"""The app's network work: the upstream index, image sizes, the token and the pull request.

Each worker wraps one core call and posts what came back as a message (``wizard.tui.messages``); the
handlers here change the state and ask the screen on show to render it. Nothing blocks the event loop:
the coroutines run as async workers, and ``resolve_token`` (which may run ``gh``) in a thread. Every worker
ends in a message, whatever it raised: an exception left to the worker would leave a spinner turning and no
way to try again.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from wizard.errors import WizardError
from wizard.service.answers import check_answer
from wizard.tui import messages as m


def explained(error: Exception, doing: str) -> WizardError:
    """``error`` itself when the tool raised it on purpose; else what the person is told of a failure nobody
    foresaw, naming only the exception's type: its text may carry a URL or a header with a token in it."""
    if isinstance(error, WizardError):
        return error
    return WizardError(f"{doing} stopped on an unexpected error ({type(error).__name__})",
                       hint="try again; if it keeps failing, report it")


class NetworkWork:
    """Mixed into WizardApp: needs ``state``, ``services``, ``settings`` and ``refresh_screen``."""

    LOOKUP_DEBOUNCE = 0.4  # seconds

    state: Any
    services: Any
    settings: Any

    # --- the upstream index -------------------------------------------------------------------

    def load_index(self) -> None:
        self.run_worker(self._load_index(), group="index", exclusive=True, exit_on_error=False)

    async def _load_index(self) -> None:
        try:
            index = await self.services.load_index()
        except Exception as error:  # noqa: BLE001 - any failure must end in a message, or a spinner turns forever
            note = f"{explained(error, 'loading the index').message}; ids and ports are not checked"
            self.post_message(m.IndexLoaded(None, note))
            return
        self.post_message(m.IndexLoaded(index, index.age_note()))

    def on_index_loaded(self, message: m.IndexLoaded) -> None:
        self.state.index, self.state.index_note = message.index, message.note
        if message.index is None or message.index.from_cache:
            self.notify(message.note, severity="warning", timeout=6, markup=False)
        self.refresh_screen()

    # --- image sizes --------------------------------------------------------------------------

    def look_up_size(self, device: str, *, again: bool = False) -> None:
        """Look the size of the image typed for ``device`` up, unless it is known or cannot be."""
        state = self.state
        reference = state.reference(device)
        self.workers.cancel_group(self, f"size-{device}")
        state.looking_up.pop(device, None)
        if not reference or check_answer(f"{device}_image", reference) or self.settings.offline:
            return
        if reference in state.draft.sizes and not again:
            return
        state.lookup_started(device, reference)
        # a function, not a coroutine: a worker cancelled by the next keystroke before it starts leaves none unawaited
        self.run_worker(partial(self._look_up, device, reference), group=f"size-{device}", exclusive=True,
                        exit_on_error=False)

    async def _look_up(self, device: str, reference: str) -> None:
        # Typing a reference makes many valid ones on the way ("g", "gh", ...): wait until the typing
        # pauses. A newer keystroke cancels this worker (exclusive group) before anything is sent.
        await asyncio.sleep(self.LOOKUP_DEBOUNCE)
        try:
            found = await self.services.look_up_size(reference)
        except Exception as error:  # noqa: BLE001 - any failure must end in a message, or a spinner turns forever
            self.post_message(m.SizeLookupFailed(device, reference, explained(error, "the size lookup")))
            return
        self.post_message(m.SizeLookedUp(device, reference, found))

    def on_size_looked_up(self, message: m.SizeLookedUp) -> None:
        self.state.lookup_ended(message.device, message.reference, found=message.found)
        self.refresh_screen()

    def on_size_lookup_failed(self, message: m.SizeLookupFailed) -> None:
        self.state.lookup_ended(message.device, message.reference, error=message.error)
        self.refresh_screen()

    def on_size_lookup_requested(self, message: m.SizeLookupRequested) -> None:
        self.look_up_size(message.device, again=True)
        self.refresh_screen()

    def on_size_kind_chosen(self, message: m.SizeKindChosen) -> None:
        self.state.choose_size_kind(message.device, message.kind)
        self.refresh_screen()

    # --- the pull request ---------------------------------------------------------------------

    def on_publish_requested(self, message: m.PublishRequested) -> None:
        screen = self.get_screen("publish")
        self.state.publish_stages = []
        screen.show_stages([], running=True)
        screen.show_publish_result("", True)
        self.pr_options = {"title": message.title, "body": message.body, "draft": message.draft}
        if message.token:
            self._publish(message.token)
        else:
            self.run_worker(self._resolve_token, thread=True, group="token", exclusive=True, exit_on_error=False)

    def _resolve_token(self) -> None:
        try:
            token = self.services.resolve_token()
        except Exception as error:  # noqa: BLE001 - any failure must end in a message, or a spinner turns forever
            self.post_message(m.TokenMissing(str(explained(error, "finding a GitHub token"))))
            return
        self.post_message(m.TokenResolved(token))

    def on_token_resolved(self, message: m.TokenResolved) -> None:
        self._publish(message.token)

    def on_token_missing(self, message: m.TokenMissing) -> None:
        screen = self.get_screen("publish")
        screen.show_stages([], running=False)
        screen.ask_for_token(message.advice)

    def _publish(self, token: Any) -> None:
        self.run_worker(self._open_pull_request(token), group="publish", exclusive=True, exit_on_error=False)

    async def _open_pull_request(self, token: Any) -> None:
        def progress(stage: str, detail: str) -> None:
            self.post_message(m.PublishStageReached(stage, detail))

        try:
            result = await self.services.publish([self.state.written_folder], token, progress,
                                                 **getattr(self, "pr_options", {}))
        except Exception as error:  # noqa: BLE001 - any failure must end in a message, or a spinner turns forever
            self.post_message(m.PublishFailed(str(explained(error, "opening the pull request"))))
            return
        self.post_message(m.PublishFinished(result.pr_url, result.created))

    def on_publish_stage_reached(self, message: m.PublishStageReached) -> None:
        self.state.publish_stages.append((message.stage, message.detail))
        self.get_screen("publish").show_stages(self.state.publish_stages, running=True)

    def on_publish_finished(self, message: m.PublishFinished) -> None:
        self.state.pr_url = message.url
        screen = self.get_screen("publish")
        screen.show_stages(self.state.publish_stages, running=False)
        verb = "Opened" if message.created else "Updated the open"
        screen.show_publish_result(f"✔ {verb} pull request: {message.url}", True)

    def on_publish_failed(self, message: m.PublishFailed) -> None:
        screen = self.get_screen("publish")
        screen.show_stages(self.state.publish_stages, running=False)
        screen.show_publish_result(f"✘ {message.error}\nYour folder and answers are kept; press Retry.", False)
