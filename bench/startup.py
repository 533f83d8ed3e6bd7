"""Startup time: process start to the first interactive screen (headless), and `--help`, beside `python -c pass`.

    python bench/startup.py [--runs 10]

Each figure is the median wall time of fresh processes. The app run exits as soon as the first step's
screen is mounted and focused, so the figure covers imports, settings, the app's CSS and the first layout.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST_SCREEN = """
import os
from wizard.cli import main  # the same import the console script does
from wizard.settings import build_settings
from wizard.tui.app import WizardApp

async def leave_when_ready(pilot):
    await pilot.pause()
    assert pilot.app.screen.NAME == "identity" and pilot.app.focused is not None
    pilot.app.exit()

app = WizardApp(build_settings({{"offline": True, "index_url": {index!r}}}), offer_resume=False)
app.run(headless=True, size=(100, 30), auto_pilot=leave_when_ready)
"""


BARE_TEXTUAL = """
from textual.app import App
from textual.widgets import Footer, Header, Input

class Bare(App):
    def compose(self):
        yield Header()
        yield Input()
        yield Footer()

async def leave_when_ready(pilot):
    await pilot.pause()
    pilot.app.exit()

Bare().run(headless=True, size=(100, 30), auto_pilot=leave_when_ready)
"""


def timed(argv: list[str], runs: int, env: dict) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    index = Path(__file__).resolve().parents[1].parent / "shared" / "registry-snapshot" / "manifests.json"
    with tempfile.TemporaryDirectory() as home:
        import os

        env = {**os.environ, **{f"PREM_NEW_SERVICE_{d}_DIR": f"{home}/{d.lower()}" for d in ("CONFIG", "CACHE", "DATA")}}
        python = [sys.executable]
        baseline = timed([*python, "-c", "pass"], args.runs, env)
        help_time = timed([*python, "-m", "wizard", "--help"], args.runs, env)
        bare = timed([*python, "-c", BARE_TEXTUAL], args.runs, env)
        screen = timed([*python, "-c", FIRST_SCREEN.format(index=str(index))], args.runs, env)
    print(f"median of {args.runs} fresh processes")
    print(f"  python -c pass                 {baseline * 1000:7.0f} ms")
    print(f"  prem-new-service --help        {help_time * 1000:7.0f} ms   (+{(help_time - baseline) * 1000:.0f} ms)")
    print(f"  a bare Textual app (an Input)  {bare * 1000:7.0f} ms   (+{(bare - baseline) * 1000:.0f} ms)")
    print(f"  first interactive screen       {screen * 1000:7.0f} ms   (+{(screen - baseline) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
