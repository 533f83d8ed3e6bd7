"""The draft: every answer typed so far, saved after each step so nothing is ever lost.

One JSON file in the user data dir. Writing is atomic (temporary file, then rename), so a crash while
saving leaves the previous draft intact. Tokens are never part of a draft.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wizard.settings import data_dir

DRAFT_VERSION = 1


@dataclass
class Draft:
    answers: dict[str, Any] = field(default_factory=dict)
    step: str = "identity"
    visited: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # image reference -> bytes looked up; not an answer
    readme: str | None = None  # None: the README is generated from the answers
    logo_path: str | None = None  # None: the placeholder logo
    out: str | None = None
    saved_at: float | None = None

    @property
    def title(self) -> str:
        return str(self.answers.get("name") or self.answers.get("id") or "an unnamed service")

    def is_empty(self) -> bool:
        return not any(value not in (None, "", [], False) for key, value in self.answers.items() if key != "beta")


def draft_path() -> Path:
    return data_dir() / "draft.json"


def save_draft(draft: Draft, path: Path | None = None) -> Path:
    path = path or draft_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft.saved_at = time.time()
    payload = {"version": DRAFT_VERSION, **asdict(draft)}
    handle, temporary = tempfile.mkstemp(prefix=".draft.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream, indent=2, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load_draft(path: Path | None = None) -> Draft | None:
    """The saved draft, or None when there is none (or it cannot be read: a draft is a convenience)."""
    path = path or draft_path()
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or payload.get("version") != DRAFT_VERSION:
        return None
    known = {name: payload[name] for name in Draft.__dataclass_fields__ if name in payload}
    try:
        return Draft(**known)
    except TypeError:
        return None


def discard_draft(path: Path | None = None) -> None:
    (path or draft_path()).unlink(missing_ok=True)
