"""Step 3: an image per device; each size is looked up as soon as the reference is valid."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, LoadingIndicator

from wizard.errors import ImageError
from wizard.service.answers import check_answer
from wizard.service.render import human_bytes
from wizard.service.rules import DEVICES
from wizard.tui.messages import AnswerChanged
from wizard.tui.steps.base import StepScreen
from wizard.tui.widgets import AnswerField, Notice


def describe_found(found) -> str:
    platforms = ", ".join(p.platform + (f" {human_bytes(p.size)}" if p.size else "")
                          for p in getattr(found, "platforms", ()) or ())
    text = f"✔ {human_bytes(found.size)} ({found.size} bytes) to download · {found.digest[:19]}…"
    return text + (f"\n  platforms: {platforms}" if platforms else "")


class ImagesStep(StepScreen):
    NAME = "images"
    TITLE = "Images"
    INTRO = ("The Docker image Prem runs on machines with a GPU, and the one for machines without. "
             "Give at least one. Sizes are looked up from the container registry; you can also type them.")

    def compose_step(self) -> ComposeResult:
        for device in DEVICES:
            with Vertical(classes="device", id=f"device-{device}"):
                yield AnswerField(f"{device}_image", self.answers.get(f"{device}_image"),
                                  placeholder=f"ghcr.io/premai-io/chat-dolly-v2-12b-{device}:1.0.2")
                yield LoadingIndicator(id=f"spinner-{device}", classes="hidden")
                yield Notice("", id=f"lookup-{device}")
                yield Button("Retry lookup", id=f"retry-{device}", classes="hidden")
                yield Button("Use the unpacked size", id=f"unpacked-{device}", classes="hidden")
                yield AnswerField(f"{device}_size", self.answers.get(f"{device}_size"), placeholder="filled in by the lookup")

    def on_answer_changed(self, message: AnswerChanged) -> None:
        for device in DEVICES:
            if message.key == f"{device}_image":
                self.wizard.forget_looked_up_size(device)
                self.start_lookup(device, message.value)

    def start_lookup(self, device: str, reference: str | None) -> None:
        notice = self.query_one(f"#lookup-{device}", Notice)
        self.query_one(f"#retry-{device}").set_class(True, "hidden")
        self.query_one(f"#unpacked-{device}").set_class(True, "hidden")
        if not reference or check_answer(f"{device}_image", reference):
            self.wizard.cancel_lookup(device)
            self.query_one(f"#spinner-{device}").set_class(True, "hidden")
            notice.say("")
            return
        if self.wizard.settings.offline:
            notice.say("offline: type the size below (bytes, or e.g. '37.9 GiB')")
            return
        self.query_one(f"#spinner-{device}").set_class(False, "hidden")
        notice.say(f"looking up {reference} …", "busy")
        self.wizard.look_up_size(device, reference)

    def show_lookup(self, device: str, reference: str, found=None, error: ImageError | None = None) -> None:
        """Called by the app when a lookup ends; only the latest reference is shown."""
        if self.answers.get(f"{device}_image") != reference:
            return
        self.query_one(f"#spinner-{device}").set_class(True, "hidden")
        notice = self.query_one(f"#lookup-{device}", Notice)
        if found is not None:
            notice.say(describe_found(found), "success")
            self.query_one(f"#field-{device}_size", AnswerField).set_value(found.size)
            self.wizard.remember_looked_up_size(device, found.size)
            unpacked = getattr(found, "unpacked_size", None)
            button = self.query_one(f"#unpacked-{device}", Button)
            button.set_class(not unpacked, "hidden")
            if unpacked:  # the local Docker engine has it: offer what `docker image inspect` shows
                self.unpacked[device] = unpacked
                button.label = f"Use the unpacked size instead ({human_bytes(unpacked)}, from the local Docker engine)"
        else:
            notice.say(f"✘ {error}\n  Type the size below, or retry.", "error")
            self.query_one(f"#retry-{device}").set_class(False, "hidden")

    unpacked: dict[str, int]

    def on_mount(self) -> None:
        self.unpacked = {}

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id and event.button.id.startswith("unpacked-"):
            event.stop()
            device = event.button.id.removeprefix("unpacked-")
            self.query_one(f"#field-{device}_size", AnswerField).set_value(self.unpacked[device])
            return
        if event.button.id and event.button.id.startswith("retry-"):
            event.stop()
            device = event.button.id.removeprefix("retry-")
            self.start_lookup(device, self.answers.get(f"{device}_image"))
            return
        super().on_button_pressed(event)

    def extra_problems(self) -> list[str]:
        return [f"{device.upper()} image: the size is still being looked up; wait a moment or type it"
                for device in DEVICES if self.wizard.lookup_running(device) and f"{device}_size" not in self.answers]
