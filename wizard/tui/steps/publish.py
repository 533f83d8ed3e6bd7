"""Step 8: write the folder, then (on request) fork, branch, commit and open the pull request."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from wizard.tui.keys import FieldButton, FieldInput, FieldSwitch, FieldTextArea
from wizard.tui.messages import (
    FiguresAccepted,
    PublishRequested,
    TestRequested,
    WriteRequested,
)
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
        # an edit saves in place: the folder field is hidden, and disabled so the step's first focus skips it
        yield FieldInput(self.state.draft.out or self.wizard.settings.out, id="out-dir",
                         classes="hidden" if editing else "", disabled=bool(editing))
        with Horizontal(classes="actions"):
            yield FieldButton("Save changes" if editing else "Write folder", id="write", variant="success")
            yield FieldButton("Replace existing", id="write-force", variant="warning", classes="hidden")
        yield Notice("", id="write-note")
        with Vertical(id="test-box", classes="hidden"):
            yield Static("Test it as the registry asks: run its image through the local Docker engine, call it "
                         "as the Prem App does, and measure its speed and memory.", classes="field-help")
            with Horizontal(classes="actions"):
                yield FieldButton("Test the service", id="test", variant="primary")
                yield FieldButton("Use these figures", id="use-figures", variant="success", classes="hidden")
            yield LoadingIndicator(id="test-spinner", classes="hidden")
            yield Static("", id="test-lines", markup=False)
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
            yield FieldButton("Open pull request", id="publish", variant="primary", disabled=offline)
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
        elif button == "test":
            event.stop()
            self.post_message(TestRequested())
        elif button == "use-figures":
            event.stop()
            self.post_message(FiguresAccepted())
        elif button == "publish":
            event.stop()
            self.post_message(PublishRequested(
                self.query_one("#token", Input).value.strip() or None,
                title=self.query_one("#pr-title", Input).value.strip() or None,
                body=self.query_one("#pr-body", FieldTextArea).text.strip() or None,
                draft=self.query_one("#pr-draft", FieldSwitch).value))
        # anything else is StepScreen's: Textual calls each class's handler, so no super() here

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
        self.query_one("#test-box").set_class(not ok, "hidden")

    def show_test_started(self) -> None:
        self.test_lines = ["Starting the container…"]
        self.query_one("#test-lines", Static).update(self.test_lines[0])
        self.query_one("#test-spinner").set_class(False, "hidden")
        self.query_one("#use-figures").set_class(True, "hidden")
        self.query_one("#test", Button).disabled = True

    def add_test_line(self, line: str) -> None:
        self.test_lines = [*getattr(self, "test_lines", []), line.strip()][-12:]  # the newest, in the space there is
        self.query_one("#test-lines", Static).update("\n".join(self.test_lines))

    def show_trial(self, trial) -> None:
        lines = [line.strip() for line in trial.lines] + [f"Next: {command}" for command in trial.next_steps]
        if trial.answers:
            lines.append(f"Use these figures to record {trial.figures()} in the manifest (the folder is written "
                         "again).")
        self.query_one("#test-lines", Static).update("\n".join(lines))
        self.query_one("#test-spinner").set_class(True, "hidden")
        self.query_one("#use-figures").set_class(not trial.answers, "hidden")
        test = self.query_one("#test", Button)
        test.disabled, test.label = False, "Test again"
        # the run disabled the button, which sent the focus on; give it to what comes next
        (self.query_one("#use-figures") if trial.answers else test).focus()

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
