"""One screen per step, in the order the wizard asks. The field table gives the asking steps their fields.

A step's module (and what it imports: Markdown for Docs, the image lookups for Images) is imported when the
step is first shown, not at start-up: the first screen needs only the first step.
"""

from __future__ import annotations

import importlib

from wizard.service.fields import STEP_TITLES as SHARED_STEP_TITLES

STEP_TITLES = {**SHARED_STEP_TITLES, "publish": "Write & publish"}
STEPS = list(STEP_TITLES)


def step_screen(step: str):
    """The screen class of ``step`` (``wizard.tui.steps.<step>.<Step>Step``), imported on first use."""
    module = importlib.import_module(f"wizard.tui.steps.{step}")
    return getattr(module, f"{step.title()}Step")
