"""Step 3: an image per device; each size is looked up as soon as the reference is valid.

A looked-up size is the plan's (``PlanContext.sizes``), shown in the size field's placeholder; typing a
size overrides it, and a new reference has none until its own lookup ends.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, LoadingIndicator

from wizard.service.answers import check_answer, label_for
from wizard.service.fields import Field
from wizard.service.plan import ServicePlan
from wizard.service.render import human_bytes
from wizard.service.rules import DEVICES
from wizard.tui.messages import SizeLookupRequested, UnpackedSizeChosen
from wizard.tui.steps.base import StepScreen
from wizard.tui.widgets import Notice


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

    def compose_after(self, field: Field) -> ComposeResult:
        if field.kind != "image":
            return
        device = field.key.removesuffix("_image")
        with Vertical(classes="lookup", id=f"lookup-box-{device}"):
            yield LoadingIndicator(id=f"spinner-{device}", classes="hidden")
            yield Notice("", id=f"lookup-{device}")
            yield Button("Retry lookup", id=f"retry-{device}", classes="hidden")
            yield Button("Use the unpacked size", id=f"unpacked-{device}", classes="hidden")

    def show_state(self, plan: ServicePlan) -> None:
        for device in DEVICES:
            self.show_lookup(device)

    def show_lookup(self, device: str) -> None:
        state = self.state
        reference = state.reference(device)
        running = state.lookup_running(device)
        found = state.found.get(reference) if reference else None
        error = state.failed.get(reference) if reference else None
        self.query_one(f"#lookup-box-{device}").display = bool(self.query_one(f"#field-{device}_image").display)
        self.query_one(f"#spinner-{device}").set_class(not running, "hidden")
        self.query_one(f"#retry-{device}").set_class(error is None or running, "hidden")
        unpacked = getattr(found, "unpacked_size", None) if not running else None
        button = self.query_one(f"#unpacked-{device}", Button)
        button.set_class(not unpacked, "hidden")
        if unpacked:  # the local Docker engine has it: offer what `docker image inspect` shows
            button.label = f"Use the unpacked size instead ({human_bytes(unpacked)}, from the local Docker engine)"
        notice = self.query_one(f"#lookup-{device}", Notice)
        if not reference or check_answer(f"{device}_image", reference):
            notice.say("")
        elif running:
            notice.say(f"looking up {reference} …", "busy")
        elif found is not None:
            notice.say(describe_found(found), "success")
        elif error is not None:
            notice.say(f"✘ {error}\n  Type the size below, or retry.", "error")
        elif reference in state.draft.sizes:
            size = state.draft.sizes[reference]
            notice.say(f"✔ {human_bytes(size)} ({size} bytes), looked up before", "success")
        elif self.wizard.settings.offline:
            notice.say("offline: type the size below (bytes, or e.g. '37.9 GiB')")
        else:
            notice.say("")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        for prefix, message in (("retry-", SizeLookupRequested), ("unpacked-", UnpackedSizeChosen)):
            if button.startswith(prefix):
                event.stop()
                self.post_message(message(button.removeprefix(prefix)))
                return
        super().on_button_pressed(event)

    def extra_problems(self) -> list[str]:
        return [f"{label_for(f'{device}_image')}: the size is still being looked up; wait a moment or type it"
                for device in DEVICES if self.state.lookup_running(device) and f"{device}_size" not in self.answers]
