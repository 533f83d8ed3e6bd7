"""Step 1: name, id, beta, description. Until an id is typed, the plan suggests one from the name and the
id field shows it; nothing is typed in for you, so the id follows the name until you write your own."""

from __future__ import annotations

from wizard.tui.steps.base import StepScreen


class IdentityStep(StepScreen):
    NAME = "identity"
    INTRO = "What is the service called, and what does it do?"
