"""Steps of the flow as a person types them, shared by the Pilot tests and the snapshot tests."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.tui.conftest import DOLLY_GPU
from wizard.service.rules import INTERFACES

NAME = "Dolly v2 12B Tui"
DESCRIPTION = "Dolly is an instruction-following model by Databricks."


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def burst(app, keys) -> None:
    """Hand every key to the driver at once, as a terminal delivers a held key or a paste without bracketed
    paste: the app handles the first only after all are queued (``pilot.press`` waits for idle after each)."""
    import unicodedata

    from textual import events
    from textual.keys import _character_to_key, _get_unicode_name_from_key

    for key in keys:
        if len(key) == 1:  # a character: its key name ("minus" for "-"), and the character itself
            key, character = (key if key.isalnum() else _character_to_key(key)), key
        else:
            try:
                character = unicodedata.lookup(_get_unicode_name_from_key(key))
            except KeyError:
                character = None
        event = events.Key(key, character)
        event.set_sender(app)
        app._driver.send_message(event)


async def type_into(pilot: Pilot, selector: str, text: str) -> None:
    """Type ``text`` into a field, all at once as a fast typist's keys arrive."""
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    widget.value = ""
    await pilot.pause()
    burst(pilot.app, list(text))
    await pilot.pause()
    await settle(pilot)


async def paste_into(pilot: Pilot, selector: str, text: str) -> None:
    """Put the whole text in at once, as a paste does (one change, so one lookup)."""
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    widget.value = text
    await pilot.pause()


async def type_lines(pilot: Pilot, selector: str, lines: list[str]) -> None:
    """Type into a field of one item a line, Enter between the items."""
    area = pilot.app.screen.query_one(selector)
    area.focus()
    area.load_text("")
    for number, line in enumerate(lines):
        await pilot.press(*(["enter"] if number else []), *line)
    await pilot.pause()


async def tick(pilot: Pilot, interface: str) -> None:
    """Tick (or untick) an interface with the keyboard: move to it, then Space."""
    choices = pilot.app.screen.query_one("#interfaces")
    choices.focus()
    choices.highlighted = list(INTERFACES).index(interface)
    await pilot.press("space")
    await pilot.pause()


async def press(pilot: Pilot, selector: str) -> None:
    """Focus a button and press Enter, as a keyboard user does (it may be scrolled out of view)."""
    pilot.app.screen.query_one(selector).focus()
    await pilot.press("enter")
    await settle(pilot)


async def fill_identity(pilot: Pilot) -> None:
    await type_into(pilot, "#input-name", NAME)
    await type_into(pilot, "#input-description", DESCRIPTION)


async def fill_interfaces(pilot: Pilot) -> None:
    pilot.app.screen.query_one("#interfaces").focus()
    await pilot.press("space")  # chat is the first
    await pilot.pause()


async def fill_images(pilot: Pilot) -> None:
    await paste_into(pilot, "#input-gpu_image", DOLLY_GPU)
    await settle(pilot)


async def fill_resources(pilot: Pilot) -> None:
    await type_into(pilot, "#input-memory", "24 GiB")
    await type_into(pilot, "#input-tokens_per_second", "18")


async def next_step(pilot: Pilot) -> None:
    """Next; on Review, the generated README's TODO lines are allowed first, as a person would choose."""
    if pilot.app.screen.id == "review" or getattr(pilot.app.screen, "NAME", "") == "review":
        allow = pilot.app.screen.query("#allow-todo")
        if allow and allow.first().display and pilot.app.screen.query_one("#review-question-actions").display:
            await press(pilot, "#allow-todo")
            return
    await pilot.press("ctrl+n")
    await settle(pilot)


async def to_step(pilot: Pilot, step: str) -> None:
    """From a fresh app, fill every step before ``step`` and stop on it."""
    await settle(pilot)
    fills = {"identity": fill_identity, "interfaces": fill_interfaces, "images": fill_images, "resources": fill_resources}
    for name in ("identity", "interfaces", "images", "resources", "running", "docs", "review", "publish"):
        if name == step:
            return
        if name in fills:
            await fills[name](pilot)
        await next_step(pilot)
