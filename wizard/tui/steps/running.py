"""Step 5: how Prem runs the container. Its fields, and which services are asked each, are the table's."""

from __future__ import annotations

from wizard.tui.steps.base import StepScreen


class RunningStep(StepScreen):
    NAME = "running"
    INTRO = ("How Prem runs the container: where it keeps data, its environment, its command. "
             "Every field is optional; leave a field empty when the image's own default is right.")
