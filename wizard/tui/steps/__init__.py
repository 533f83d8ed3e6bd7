"""One screen per step, in the order the wizard asks. The field table gives the asking steps their fields."""

from __future__ import annotations

from wizard.tui.steps.docs import DocsStep
from wizard.tui.steps.identity import IdentityStep
from wizard.tui.steps.images import ImagesStep
from wizard.tui.steps.interfaces import InterfacesStep
from wizard.tui.steps.publish import PublishStep
from wizard.tui.steps.resources import ResourcesStep
from wizard.tui.steps.review import ReviewStep
from wizard.tui.steps.running import RunningStep

STEP_SCREENS = {
    "identity": IdentityStep,
    "interfaces": InterfacesStep,
    "images": ImagesStep,
    "resources": ResourcesStep,
    "running": RunningStep,
    "docs": DocsStep,
    "review": ReviewStep,
    "publish": PublishStep,
}
STEP_TITLES = {name: screen.TITLE for name, screen in STEP_SCREENS.items()}
