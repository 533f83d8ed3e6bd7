"""Messages from screens and workers to the app, named as facts. Handlers in the app own the state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

# --- from screens: what the person did ---------------------------------------------------------


@dataclass
class AnswerChanged(Message):
    key: str
    value: Any  # None: the answer was cleared


@dataclass
class DocsChanged(Message):
    readme: str | None = None
    logo_path: str | None = None
    regenerate: bool = False  # the README is made from the answers again, the edits dropped
    keep: bool = False  # the edited README stays as it is, though the answers changed since


@dataclass
class StepRequested(Message):
    step: str
    back_to_review: bool = False  # chosen from Review: Next comes back to it


@dataclass
class NextRequested(Message):
    pass


@dataclass
class BackRequested(Message):
    pass


@dataclass
class SizeLookupRequested(Message):
    device: str  # look the size of the image typed for it up (again)


@dataclass
class SizeKindChosen(Message):
    device: str
    kind: str  # which looked-up figure to write for its image: "unpacked" or "download"


@dataclass
class WriteRequested(Message):
    out: str
    force: bool = False


@dataclass
class PublishRequested(Message):
    token: str | None = field(default=None, repr=False)  # typed by the person; None: find one
    title: str | None = None  # None: the proposed one
    body: str | None = None
    draft: bool = False


# --- from workers: what came back ------------------------------------------------------------------


@dataclass
class IndexLoaded(Message):
    index: Any  # RegistryIndex | None
    note: str


@dataclass
class SizeLookedUp(Message):
    device: str
    reference: str
    found: Any  # ImageSize


@dataclass
class SizeLookupFailed(Message):
    device: str
    reference: str
    error: Any  # ImageError, or a WizardError standing for an unexpected failure


@dataclass
class TokenResolved(Message):
    token: Any = field(repr=False)


@dataclass
class TokenMissing(Message):
    advice: str


@dataclass
class PublishStageReached(Message):
    stage: str
    detail: str


@dataclass
class PublishFinished(Message):
    url: str
    created: bool


@dataclass
class PublishFailed(Message):
    error: str


# --- testing the written folder (the registry's step 1) ----------------------------------------------


@dataclass
class TestRequested(Message):
    __test__ = False  # not a pytest test class, whatever its name says
    gpu: bool = False


@dataclass
class TestProgress(Message):
    __test__ = False
    line: str


@dataclass
class TestFinished(Message):
    __test__ = False
    trial: Any  # wizard.testing.run.Trial


@dataclass
class FiguresAccepted(Message):
    """Record the measured figures in the answers, and write the folder again with them."""


# --- starting from a Hugging Face model ----------------------------------------------------------------


@dataclass
class HubRequested(Message):
    repo_id: str


@dataclass
class HubFilled(Message):
    found: Any  # wizard.hub.card.HubAnswers


@dataclass
class HubFailed(Message):
    error: str


@dataclass
class FilledAccepted(Message):
    """The answers filled in from the model are the contributor's now, as they are."""
