"""Messages from screens and workers to the app, named as facts. Handlers in the app own the state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class AnswerChanged(Message):
    key: str
    value: Any  # None: the answer was cleared


@dataclass
class DocsChanged(Message):
    readme: str | None = None
    logo_path: str | None = None


@dataclass
class StepRequested(Message):
    step: str


@dataclass
class IndexLoaded(Message):
    index: Any  # RegistryIndex | None
    note: str


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


@dataclass
class SizeLookedUp(Message):
    device: str
    reference: str
    found: Any  # ImageSize


@dataclass
class SizeLookupFailed(Message):
    device: str
    reference: str
    error: Any  # ImageError
