"""Keystroke to echo: from a key handed to the driver to the frame that shows it, beside a bare Textual Input.

    python bench/keystroke.py [--keys 60]

Both apps run headless at 110x34 in this process. For each key the clock starts when the key is given to
the driver (as a terminal's bytes are) and stops when the field holds it and the screen has drawn again;
keys are sent one at a time, so each figure is one key's whole trip through the app. Printed: the median
and the 95th percentile per key, for the wizard's Name and Description fields and the bare Input.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PREM_NEW_SERVICE_DATA_DIR", tempfile.mkdtemp())
INDEX = Path(__file__).resolve().parents[2] / "shared" / "registry-snapshot" / "manifests.json"
TEXT = "Dolly is an instruction-following model by Databricks, tuned for chat."


async def echo_times(app, selector: str, keys: int) -> list[float]:
    from tests.tui.flows import burst

    times = []
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.pause()
        widget = app.screen.query_one(selector)
        widget.focus()
        await pilot.pause()
        for character in (TEXT * 2)[:keys]:
            expected = widget.value + character
            start = time.perf_counter()
            burst(app, [character])
            while widget.value != expected:
                await asyncio.sleep(0)
            await pilot.pause()  # the frame that shows it
            times.append(time.perf_counter() - start)
    return times


def bare_app():
    from textual.app import App
    from textual.widgets import Footer, Header, Input

    class Bare(App):
        def compose(self):
            yield Header()
            yield Input(id="bare")
            yield Footer()

    return Bare()


def wizard_app():
    from wizard.settings import build_settings
    from wizard.tui.app import WizardApp

    return WizardApp(build_settings({"offline": True, "index_url": str(INDEX)}), offer_resume=False)


def describe(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"  {label:<34} median {statistics.median(times) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=60)
    keys = parser.parse_args().keys
    bare = asyncio.run(echo_times(bare_app(), "#bare", keys))
    name = asyncio.run(echo_times(wizard_app(), "#input-name", keys))
    description = asyncio.run(echo_times(wizard_app(), "#input-description", keys))
    print(f"keystroke to echo at 110x34, {keys} keys each")
    print(describe("a bare Textual app (an Input)", bare))
    print(describe("the wizard, Name", name))
    print(describe("the wizard, Description", description))
    ratio = statistics.median(name) / statistics.median(bare)
    print(f"  Name / bare: {ratio:.2f}x")


if __name__ == "__main__":
    main()
