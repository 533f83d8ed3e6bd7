"""Step 8: write the folder, then (on request) fork, branch, commit and open the pull request."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from wizard.tui.keys import FieldInput, FieldSwitch, FieldTextArea
from wizard.tui.messages import PublishRequested, WriteRequested
from wizard.tui.steps.base import StepScreen
from wizard.tui.widgets import Notice

STAGES = ("check", "fork", "branch", "commit", "pull request")


class PublishStep(StepScreen):
    NAME = "publish"
    INTRO = "Write the service folder into your registry checkout (or any folder), then open the pull request."
    NEXT_LABEL = "Done"

    def compose_step(self) -> ComposeResult:
        editing = self.state.editing
        yield Label(f"Saving into {escape(str(editing.folder))}" if editing else "Folder to write into",
                    classes="field-label")
        yield FieldInput(self.state.draft.out or self.wizard.settings.out, id="out-dir", classes="hidden" if editing else "")
        with Horizontal(classes="actions"):
            yield Button("Save changes" if editing else "Write folder", id="write", variant="success")
            yield Button("Replace existing", id="write-force", variant="warning", classes="hidden")
        yield Notice("", id="write-note")
        with Vertical(id="publish-box", classes="hidden"):
            yield Label(f"Pull request to [b]{escape(self.wizard.settings.upstream)}[/b] against "
                        f"[b]{escape(self.wizard.settings.base)}[/b]", classes="field-label")
            yield Static("Title", classes="field-label")
            yield FieldInput("", id="pr-title")
            yield Static("Description (Markdown; Tab moves on)", classes="field-label")
            yield FieldTextArea("", id="pr-body", soft_wrap=True)
            with Horizontal(id="pr-draft-row"):
                yield FieldSwitch(value=False, id="pr-draft")
                yield Static("Open it as a draft pull request (reviewers are not asked yet)", classes="field-help")
            yield FieldInput(placeholder="GitHub token (only if none was found; never saved)", password=True,
                        id="token", classes="hidden")
            yield Static("", id="token-help", classes="field-help hidden")
            offline = self.wizard.settings.offline
            yield Button("Open pull request", id="publish", variant="primary", disabled=offline)
            if offline:
                yield Static("Offline: the pull request needs GitHub. When you are online, run "
                             "`prem-new-service publish FOLDER` with the folder written above.", classes="field-help")
            yield LoadingIndicator(id="publish-spinner", classes="hidden")
            yield Static("", id="stages", markup=False)
            yield Notice("", id="publish-note")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id
        if button in ("write", "write-force"):
            event.stop()
            self.post_message(WriteRequested(self.query_one("#out-dir", Input).value, force=button == "write-force"))
        elif button == "publish":
            event.stop()
            self.post_message(PublishRequested(
                self.query_one("#token", Input).value.strip() or None,
                title=self.query_one("#pr-title", Input).value.strip() or None,
                body=self.query_one("#pr-body", FieldTextArea).text.strip() or None,
                draft=self.query_one("#pr-draft", FieldSwitch).value))
        else:
            super().on_button_pressed(event)

    def write_now(self) -> None:
        self.post_message(WriteRequested(self.query_one("#out-dir", Input).value))

    def show_written(self, text: str, ok: bool, *, offer_force: bool = False,
                     proposed: tuple[str, str] | None = None) -> None:
        if proposed is not None:
            title, body = self.query_one("#pr-title", Input), self.query_one("#pr-body", FieldTextArea)
            if not title.value or title.value == getattr(self, "proposed_title", None):
                title.value = proposed[0]  # a title the contributor wrote is theirs: a rewrite keeps it
            if not body.text.strip() or body.text == getattr(self, "proposed_body", None):
                body.load_text(proposed[1])
            self.proposed_title, self.proposed_body = proposed
        self.query_one("#write-note", Notice).say(text, "success" if ok else "error")
        self.query_one("#write-force").set_class(not offer_force, "hidden")
        self.query_one("#publish-box").set_class(not ok, "hidden")

    def ask_for_token(self, help_text: str) -> None:
        self.query_one("#token").set_class(False, "hidden")
        help_widget = self.query_one("#token-help", Static)
        help_widget.set_class(False, "hidden")
        help_widget.update(help_text)
        self.query_one("#token").focus()

    def show_stages(self, reached: list[tuple[str, str]], running: bool) -> None:
        lines = [f"✔ {stage}: {detail}" for stage, detail in reached]
        self.query_one("#stages", Static).update("\n".join(lines))
        self.query_one("#publish-spinner").set_class(not running, "hidden")
        self.query_one("#publish", Button).disabled = running

    def show_publish_result(self, text: str, ok: bool) -> None:
        note = self.query_one("#publish-note", Notice)
        note.say(text, "success" if ok else "error")
        if text:
            self.call_after_refresh(note.scroll_visible)  # the URL (or the error) is what comes next
        if not ok:
            self.query_one("#publish", Button).label = "Retry"
