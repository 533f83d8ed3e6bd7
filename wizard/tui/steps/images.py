"""Step 3: an image per device; each size is looked up as soon as the reference is valid.

A looked-up size is the plan's (``PlanContext.sizes``), shown in the size field's placeholder; typing a
size overrides it, and a new reference has none until its own lookup ends. A lookup finds two figures: the
unpacked one is written unless the settings or the person's choice here say the download one.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, LoadingIndicator, RadioButton, RadioSet

from wizard.service.answers import check_answer, label_for
from wizard.service.fields import Field
from wizard.service.plan import ServicePlan
from wizard.service.rules import DEVICES
from wizard.size_text import notes, summary
from wizard.tui.keys import FieldButton, FieldRadioSet
from wizard.tui.messages import SizeKindChosen, SizeLookupRequested
from wizard.tui.steps.base import StepScreen
from wizard.tui.widgets import Notice
from wizard.units import human_bytes

KINDS = ("unpacked", "download")


def describe_found(found, kind: str) -> str:
    """A line each: the figure, the notes, and every platform of a multi-platform image (none cut off)."""
    platforms = [f"    {p.platform}: " + (f"{human_bytes(p.download_size)} to download" if p.download_size
                                          else "size not looked up")
                 for p in getattr(found, "platforms", ()) or ()]
    lines = [f"✔ {summary(found, kind)} · {found.digest[:19]}…", *(f"  {line}" for line in notes(found))]
    return "\n".join(lines + (["  platforms in the image index:", *platforms] if platforms else []))


def kind_labels(found) -> tuple[str, str]:
    """The choice's two labels, each with its figure."""
    unpacked = found.unpacked
    mark = "" if unpacked.exact else "~"
    return (f"Write the unpacked size: {mark}{human_bytes(unpacked.size)}, what it takes on disk",
            f"Write the download size: {human_bytes(found.download_size)}, what a pull downloads")


class ImagesStep(StepScreen):
    NAME = "images"
    INTRO = ("The Docker image Prem runs on machines with a GPU, and the one for machines without. "
             "Give at least one. Sizes are looked up from the container registry; you can also type them.")

    def compose_after(self, field: Field) -> ComposeResult:
        if field.kind != "image":
            return
        device = field.key.removesuffix("_image")
        with Vertical(classes="lookup", id=f"lookup-box-{device}"):
            yield LoadingIndicator(id=f"spinner-{device}", classes="hidden")
            yield Notice("", id=f"lookup-{device}")
            yield FieldButton("Retry lookup", id=f"retry-{device}", classes="hidden")
            with FieldRadioSet(id=f"size-kind-{device}", classes="size-kind hidden"):
                for kind in KINDS:
                    yield RadioButton(f"Write the {kind} size", id=f"size-kind-{device}-{kind}")

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
        self.show_kind_choice(device, None if running else found, state.kind_of(reference) if reference else "")
        notice = self.query_one(f"#lookup-{device}", Notice)
        if not reference or check_answer(f"{device}_image", reference):
            notice.say("")
        elif running:
            notice.say(f"looking up {reference} …", "busy")
        elif found is not None:
            notice.say(describe_found(found, state.kind_of(reference)), "success")
        elif error is not None:
            notice.say(f"✘ {error}\n  Type the size below, or retry.", "error")
        elif reference in state.draft.sizes:
            size = state.draft.sizes[reference]
            notice.say(f"✔ {human_bytes(size)} ({size} bytes), looked up before", "success")
        elif self.wizard.settings.offline:
            notice.say("offline: type the size below (bytes, or e.g. '37.9 GiB')")
        else:
            notice.say("")

    def show_kind_choice(self, device: str, found, kind: str) -> None:
        """Unpacked or download: offered once a lookup found both figures."""
        choice = self.query_one(f"#size-kind-{device}", RadioSet)
        offered = found is not None and found.unpacked is not None
        choice.set_class(not offered, "hidden")
        if not offered:
            return
        for option, label in zip(KINDS, kind_labels(found)):
            button = self.query_one(f"#size-kind-{device}-{option}", RadioButton)
            button.label = label
            if option == kind and not button.value:
                button.value = True  # the other one follows: a RadioSet holds one pressed button

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        device = (event.radio_set.id or "").removeprefix("size-kind-")
        kind = (event.pressed.id or "").removeprefix(f"size-kind-{device}-")
        self.post_message(SizeKindChosen(device, kind))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("retry-"):
            event.stop()
            self.post_message(SizeLookupRequested(button.removeprefix("retry-")))
            return
        # StepScreen's own handler gets the message too: Textual calls each class's handler

    def extra_problems(self) -> list[str]:
        return [f"{label_for(f'{device}_image')}: the size is still being looked up; wait a moment or type it"
                for device in DEVICES if self.state.lookup_running(device) and f"{device}_size" not in self.answers]
