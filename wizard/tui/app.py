"""WizardApp: the answers (a Draft), the step being shown, and the workers that talk to the network.

Screens render and post messages; handlers here own the state. Every rule comes from the core.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding

from wizard.draft import Draft, discard_draft, load_draft, save_draft
from wizard.errors import FolderExists, InvalidInput, NoToken, WizardError
from wizard.registry.checks import Finding, validate_paths
from wizard.registry.index import (
    describe_age,
    free_external_port,
    id_collision,
    port_collision,
)
from wizard.service.answers import (
    answers_from_manifest,
    apply_answers,
    edited_manifest,
    manifest_data,
    manifest_from_answers,
    step_problems,
    with_defaults,
)
from wizard.service.folder import update_service_folder, write_service_folder
from wizard.service.manifest import (
    Manifest,
    read_manifest,
    registry_json,
    service_folder_name,
)
from wizard.service.render import render_readme, render_service
from wizard.settings import Settings
from wizard.tui import messages as m
from wizard.tui.dialogs import ChoiceDialog, HelpScreen
from wizard.tui.services import Services, default_services
from wizard.tui.steps import STEP_SCREENS, STEP_TITLES
from wizard.tui.steps.base import StepScreen

STEPS = list(STEP_SCREENS)


@dataclass(frozen=True)
class EditTarget:
    """An existing service folder being edited: its manifest as read, every unknown key included."""

    folder: Path
    original: dict[str, Any]

    @property
    def original_folder_name(self) -> str:
        interfaces = self.original.get("interfaces") or ["?"]
        return service_folder_name(str(interfaces[0]), str(self.original.get("id", "")))

    @property
    def needs_images(self) -> bool:
        return bool(self.original.get("dockerImages")) or self.original.get("serviceType") != "binary"


def edit_draft(target: EditTarget) -> Draft:
    """A draft holding every answer of the existing service, its README and its logo."""
    manifest, _ = read_manifest(target.original)
    readme = target.folder / "README.md"
    return Draft(
        answers={k: (str(v) if isinstance(v, int) and not isinstance(v, bool) else v)
                 for k, v in answers_from_manifest(manifest).items()},
        visited=[s for s in STEPS if s not in ("review", "publish")],
        readme=readme.read_text(encoding="utf-8") if readme.is_file() else None,
        logo_path=str(target.folder / "logo.svg") if (target.folder / "logo.svg").is_file() else None,
        out=str(target.folder.parent),
    )


class WizardApp(App):
    CSS_PATH = "wizard.tcss"
    LOOKUP_DEBOUNCE = 0.4  # seconds
    TITLE = "prem-new-service"
    SUB_TITLE = "add a service to the Prem registry"
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("f2", "toggle_preview", "Manifest"),
        Binding("ctrl+b", "previous_step", "Back"),
        Binding("ctrl+n", "next_step", "Next"),
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        services: Services | None = None,
        draft: Draft | None = None,
        resume: bool = False,
        offer_resume: bool = True,
        show_preview: bool = False,
        saved_at_source: Path | None = None,
        editing: EditTarget | None = None,
    ):
        super().__init__()
        self.settings = settings
        self.services = services or default_services(settings)
        self.draft = draft or Draft()
        self.resume, self.offer_resume = resume, offer_resume
        self.show_preview = show_preview
        self.step_titles = STEP_TITLES
        self.index: Any = None
        self.index_note = ""
        self.looked_up_sizes: dict[str, int] = {}
        self.dirty = False
        self.returning_to_review = False
        self.written_folder: Path | None = None
        self.publish_stages: list[tuple[str, str]] = []
        self.draft_file = saved_at_source
        self.editing = editing

    # --- start and stop ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        # after the first frame: the index is not needed to start typing
        self.call_after_refresh(self.run_worker, self._load_index(), group="index", exclusive=True, exit_on_error=False)
        saved = load_draft(self.draft_file) if (self.resume or self.offer_resume) else None
        if self.resume:
            if saved is None:
                self.notify("No saved draft was found; starting a new service.", severity="warning")
            self._start(saved)
        elif saved is not None and not saved.is_empty() and self.draft.is_empty():
            when = describe_age(time.time() - (saved.saved_at or time.time()))
            self.push_screen(
                ChoiceDialog(f"You have a saved draft of [b]{saved.title}[/b] from {when}.\nResume it?",
                             [("resume", "Resume draft"), ("new", "Start a new service")], id="resume-dialog"),
                lambda choice: self._start(saved if choice == "resume" else None),
            )
        else:
            self._start(None)

    def _start(self, saved: Draft | None) -> None:
        if saved is not None:
            self.draft = saved
        self.go(self.draft.step if self.draft.step in STEP_SCREENS else STEPS[0], push=True)

    async def action_request_quit(self) -> None:
        if not self.dirty or self.draft.is_empty():
            self.exit()
            return

        def decided(choice: str | None) -> None:
            if choice == "save":
                self.save()
                self.exit(message="Draft saved. Run `prem-new-service --resume` to carry on.")
            elif choice == "discard":
                self.exit()

        self.push_screen(
            ChoiceDialog("You have answers that are not saved yet. Save them as a draft before quitting?",
                         [("save", "Save and quit"), ("discard", "Quit without saving"), ("cancel", "Cancel")],
                         id="quit-dialog"),
            decided,
        )

    def save(self) -> None:
        self.draft.visited = sorted(set(self.draft.visited))
        try:
            save_draft(self.draft, self.draft_file)
            self.dirty = False
        except OSError as error:
            self.notify(f"Could not save the draft: {error.strerror}", severity="error")

    # --- navigation -------------------------------------------------------------------------------

    @property
    def step_screen(self) -> StepScreen | None:
        return self.screen if isinstance(self.screen, StepScreen) else None

    def go(self, step: str, *, push: bool = False) -> None:
        if not self.is_screen_installed(step):
            self.install_screen(STEP_SCREENS[step](), name=step)
        self.draft.step = step
        if push or not isinstance(self.screen, StepScreen):
            self.push_screen(step)
        else:
            self.switch_screen(step)

    def problems(self, step: str) -> list[str]:
        needs_images = self.editing.needs_images if self.editing else True
        problems = step_problems(step, self.draft.answers, sizes_looked_up=False, needs_images=needs_images)
        problems += self.upstream_problems(step)
        if self.is_screen_installed(step):
            screen = self.get_screen(step)
            if isinstance(screen, StepScreen) and screen.is_mounted:
                problems += screen.extra_problems()
        return problems

    def upstream_problems(self, step: str) -> list[str]:
        answers = self.draft.answers
        if self.index is None:
            return []
        found = []
        if step == "identity" and answers.get("id") and (message := id_collision(self.index, str(answers["id"]))):
            found.append(f"Id: {message}")
        port = answers.get("external_port")
        if step == "resources" and str(port or "").isdigit() and (message := port_collision(self.index, int(port))):
            found.append(f"External port: {message}")
        return found

    def step_states(self) -> dict[str, str]:
        states = {}
        for step in STEPS:
            if step not in self.draft.visited:
                states[step] = "todo"
            elif step in ("review", "publish"):
                states[step] = "done"
            else:
                states[step] = "errors" if self.problems(step) else "done"
        return states

    def action_next_step(self) -> None:
        screen = self.step_screen
        if screen is None:
            return
        step = screen.NAME
        if step not in self.draft.visited:
            self.draft.visited.append(step)
        problems = self.problems(step)
        if problems:
            self.notify("Fix these before going on:\n" + "\n".join(f"• {p}" for p in problems),
                        title=f"{self.step_titles[step]} has problems", severity="error", timeout=8)
            screen.refresh_frame()
            return
        self.save()
        if step == "publish":
            self.exit(message=f"Wrote {self.written_folder}" if self.written_folder else None)
            return
        if self.returning_to_review and step != "review":
            self.returning_to_review = False
            self.go("review")
            return
        self.go(STEPS[STEPS.index(step) + 1])

    def action_previous_step(self) -> None:
        screen = self.step_screen
        if screen is not None and STEPS.index(screen.NAME) > 0:
            self.save()
            self.go(STEPS[STEPS.index(screen.NAME) - 1])

    def on_step_requested(self, message: m.StepRequested) -> None:
        current = self.step_screen
        if current is not None and current.NAME not in self.draft.visited:
            self.draft.visited.append(current.NAME)
        self.save()
        self.go(message.step)

    def edit_from_review(self, step: str) -> None:
        self.returning_to_review = True
        self.go(step)

    def action_toggle_preview(self) -> None:
        self.show_preview = not self.show_preview
        if self.step_screen:
            self.step_screen.refresh_frame()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # --- answers ----------------------------------------------------------------------------------

    def on_answer_changed(self, message: m.AnswerChanged) -> None:
        if message.value is None:
            self.draft.answers.pop(message.key, None)
        else:
            self.draft.answers[message.key] = message.value
        self.dirty = True
        if self.step_screen:
            self.step_screen.refresh_frame()

    def on_docs_changed(self, message: m.DocsChanged) -> None:
        if message.readme is not None:
            self.draft.readme = message.readme
        if message.logo_path is not None:
            self.draft.logo_path = message.logo_path or None
        self.dirty = True

    def complete_answers(self) -> dict[str, Any]:
        return with_defaults(self.draft.answers, external_port=self.suggested_external_port)

    def build_manifest(self) -> Manifest:
        """The manifest the answers make; an edit keeps every key of the original it does not answer."""
        if self.editing:  # no defaults: a key the original lacks stays out
            return edited_manifest(self.editing.original, self.draft.answers)
        return manifest_from_answers(self.complete_answers())

    def manifest(self) -> Manifest | None:
        try:
            return self.build_manifest()
        except InvalidInput:
            return None

    def preview(self) -> tuple[str, list[str]]:
        """manifest.json as it will be written (or as far as it goes), and what still stops it."""
        try:
            return registry_json(self.build_manifest()), []
        except InvalidInput as error:
            answers = self.draft.answers if self.editing else self.complete_answers()
            data = apply_answers(self.editing.original, answers) if self.editing else manifest_data(answers)
            return registry_json(data), error.problems

    def readme_text(self) -> str:
        if self.draft.readme is not None:
            return self.draft.readme
        manifest = self.manifest()
        if manifest is None:
            return "# Documentation\n\nThe README is written for you once the earlier steps are complete."
        return render_readme(manifest)

    def rendered_files(self, manifest: Manifest) -> dict[str, bytes]:
        logo = Path(self.draft.logo_path).expanduser().read_bytes() if self.draft.logo_path else None
        return render_service(manifest, readme=self.readme_text(), logo=logo)

    def check_rendered(self) -> list[Finding]:
        """What `validate` would say of the folder, from a throwaway copy."""
        manifest = self.manifest()
        if manifest is None:
            return []
        try:
            files = self.rendered_files(manifest)
        except OSError as error:
            return [Finding("logo.svg", "error", f"cannot read the logo: {error.strerror}")]
        with tempfile.TemporaryDirectory() as scratch:
            folder = write_service_folder(Path(scratch) / manifest.folder_name, files)
            return [Finding(f.path.replace(scratch + "/", ""), f.severity, f.message, f.line)
                    for f in validate_paths([folder])]

    # --- the upstream index -----------------------------------------------------------------------

    async def _load_index(self) -> None:
        try:
            index = await self.services.load_index()
        except WizardError as error:
            self.post_message(m.IndexLoaded(None, f"{error.message}; ids and ports are not checked"))
            return
        self.post_message(m.IndexLoaded(index, index.age_note()))

    def on_index_loaded(self, message: m.IndexLoaded) -> None:
        self.index, self.index_note = message.index, message.note
        if message.index is None or message.index.from_cache:
            self.notify(message.note, severity="warning", timeout=6)
        if self.step_screen:
            self.step_screen.on_step_shown()

    @property
    def suggested_external_port(self) -> int | None:
        if self.index is None:
            return None
        return free_external_port(self.index, seed=str(self.draft.answers.get("id", "")))

    # --- image sizes ------------------------------------------------------------------------------

    def look_up_size(self, device: str, reference: str) -> None:
        self.run_worker(self._look_up(device, reference), group=f"size-{device}", exclusive=True, exit_on_error=False)

    async def _look_up(self, device: str, reference: str) -> None:
        # Typing a reference makes many valid ones on the way ("g", "gh", ...): wait until the typing
        # pauses. A newer keystroke cancels this worker (exclusive group) before anything is sent.
        await asyncio.sleep(self.LOOKUP_DEBOUNCE)
        try:
            found = await self.services.look_up_size(reference)
        except WizardError as error:
            self.post_message(m.SizeLookupFailed(device, reference, error))
            return
        self.post_message(m.SizeLookedUp(device, reference, found))

    def cancel_lookup(self, device: str) -> None:
        self.workers.cancel_group(self, f"size-{device}")

    def lookup_running(self, device: str) -> bool:
        return any(w.group == f"size-{device}" and w.is_running for w in self.workers)

    def _images_screen(self):
        return self.get_screen("images") if self.is_screen_installed("images") else None

    def on_size_looked_up(self, message: m.SizeLookedUp) -> None:
        if (screen := self._images_screen()) is not None:
            screen.show_lookup(message.device, message.reference, found=message.found)

    def on_size_lookup_failed(self, message: m.SizeLookupFailed) -> None:
        if (screen := self._images_screen()) is not None:
            screen.show_lookup(message.device, message.reference, error=message.error)

    def remember_looked_up_size(self, device: str, size: int) -> None:
        self.looked_up_sizes[device] = size

    def forget_looked_up_size(self, device: str) -> None:
        """A new reference: a size that came from the old one's lookup no longer holds."""
        size = self.looked_up_sizes.pop(device, None)
        key = f"{device}_size"
        if size is not None and str(self.draft.answers.get(key)) == str(size) and (screen := self._images_screen()):
            screen.query_one(f"#field-{key}").set_value(None)

    # --- writing and publishing -------------------------------------------------------------------

    def write_folder(self, out: str, *, force: bool = False) -> None:
        screen = self.get_screen("publish")
        manifest = self.manifest()
        if manifest is None:
            screen.show_written("The answers are not complete yet; see Review.", False)
            return
        target = Path(out or ".").expanduser() / manifest.folder_name
        try:
            if self.editing:
                # rename only when the id or first interface changed, never to tidy a name someone chose
                renamed = manifest.folder_name != self.editing.original_folder_name
                target = update_service_folder(self.editing.folder, self.rendered_files(manifest),
                                               new_name=manifest.folder_name if renamed else None)
                self.editing = EditTarget(target, self.editing.original)
            else:
                write_service_folder(target, self.rendered_files(manifest), force=force)
        except FolderExists as error:
            screen.show_written(f"✘ {error.message}. Replace it, or choose another folder.", False, offer_force=True)
            return
        except (WizardError, OSError) as error:
            screen.show_written(f"✘ {error}", False)
            return
        self.written_folder = target
        self.draft.out = out
        discard_draft(self.draft_file)
        self.dirty = False
        screen.show_written(f"✔ Wrote {target} (manifest.json, README.md, logo.svg)", True)

    def start_publish(self, typed_token: str | None) -> None:
        screen = self.get_screen("publish")
        token = typed_token
        if token is None:
            try:
                token = self.services.resolve_token()
            except NoToken as error:
                screen.ask_for_token(str(error))
                return
        self.publish_stages = []
        screen.show_stages([], running=True)
        screen.show_publish_result("", True)
        self.run_worker(self._publish(token), group="publish", exclusive=True, exit_on_error=False)

    async def _publish(self, token: Any) -> None:
        def progress(stage: str, detail: str) -> None:
            self.post_message(m.PublishStageReached(stage, detail))

        try:
            result = await self.services.publish([self.written_folder], token, progress)
        except WizardError as error:
            self.post_message(m.PublishFailed(str(error)))
            return
        self.post_message(m.PublishFinished(result.pr_url, result.created))

    def on_publish_stage_reached(self, message: m.PublishStageReached) -> None:
        self.publish_stages.append((message.stage, message.detail))
        self.get_screen("publish").show_stages(self.publish_stages, running=True)

    def on_publish_finished(self, message: m.PublishFinished) -> None:
        screen = self.get_screen("publish")
        screen.show_stages(self.publish_stages, running=False)
        verb = "Opened" if message.created else "Updated the open"
        screen.show_publish_result(f"✔ {verb} pull request: {message.url}", True)

    def on_publish_failed(self, message: m.PublishFailed) -> None:
        screen = self.get_screen("publish")
        screen.show_stages(self.publish_stages, running=False)
        screen.show_publish_result(f"✘ {message.error}\nYour folder and answers are kept; press Retry.", False)
