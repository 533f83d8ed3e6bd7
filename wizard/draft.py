"""The draft: every answer typed so far, saved after each step so nothing is ever lost.

One JSON file in the user data dir. Writing is atomic (temporary file, then rename), so a crash while
saving leaves the previous draft intact. Tokens are never part of a draft.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wizard import atomic
from wizard.settings import data_dir

DRAFT_VERSION = 1


@dataclass
class Draft:
    answers: dict[str, Any] = field(default_factory=dict)
    step: str = "identity"
    visited: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)  # image reference -> bytes looked up; not an answer
    readme: str | None = None  # None: the README is generated from the answers
    readme_base: str | None = None  # what the answers generated when the README was last edited or kept
    logo_path: str | None = None  # None: the placeholder logo
    out: str | None = None
    saved_at: float | None = None
    filled_in: dict[str, str] = field(default_factory=dict)  # answer key -> where it came from, until accepted
    model: dict[str, Any] | None = None  # the Hub model's facts for the README (hub.card.ModelFacts as a dict)

    @property
    def title(self) -> str:
        return str(self.answers.get("name") or self.answers.get("id") or "an unnamed service")

    def is_empty(self) -> bool:
        return not any(value not in (None, "", [], False) for key, value in self.answers.items() if key != "beta")


def draft_path() -> Path:
    return data_dir() / "draft.json"


def sweep_crumbs(folder: Path) -> int:
    """Remove what killed saves left (``.draft.PID.*.tmp``); see ``wizard.atomic``."""
    return atomic.sweep_crumbs(folder, "draft")


def save_draft(draft: Draft, path: Path | None = None) -> Path:
    path = path or draft_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft.saved_at = time.time()
    payload = {"version": DRAFT_VERSION, **asdict(draft)}
    sweep_crumbs(path.parent)
    atomic.write_atomically(path, json.dumps(payload, indent=2, ensure_ascii=False), prefix="draft")
    return path


# what each saved field must be; anything else makes the draft unreadable rather than crash a front end
SHAPES: dict[str, tuple[type, ...]] = {"answers": (dict,), "step": (str,), "visited": (list,), "sizes": (dict,),
                                       "readme": (str, type(None)), "readme_base": (str, type(None)), "logo_path": (str, type(None)),
                                       "out": (str, type(None)), "saved_at": (int, float, type(None)),
                                       "filled_in": (dict,), "model": (dict, type(None))}


def inspect_draft(path: Path | None = None) -> tuple[Draft | None, str | None]:
    """(the saved draft, None), (None, None) when there is none, or (None, why it cannot be read)."""
    path = path or draft_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError) as error:
        return None, getattr(error, "strerror", None) or "it is not UTF-8 text"
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        return None, "it is not valid JSON"
    if not isinstance(payload, dict) or payload.get("version") != DRAFT_VERSION:
        return None, f"it is not a version {DRAFT_VERSION} draft"
    known = {name: payload[name] for name in Draft.__dataclass_fields__ if name in payload}
    wrong = [name for name, value in known.items() if not isinstance(value, SHAPES[name])]
    if wrong:
        return None, f"its {', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not what a draft holds"
    return Draft(**known), None


def load_draft(path: Path | None = None) -> Draft | None:
    """The saved draft, or None when there is none or it cannot be read (``inspect_draft`` says why)."""
    return inspect_draft(path)[0]


def set_aside(path: Path | None = None) -> Path:
    """Move an unreadable draft out of the way, so that saving a new one does not destroy it."""
    path = path or draft_path()
    kept = path.with_name(f"{path.stem}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
    os.replace(path, kept)
    return kept


def discard_draft(path: Path | None = None) -> None:
    (path or draft_path()).unlink(missing_ok=True)


def saved_draft_or_notice(path: Path | None = None) -> tuple[Draft | None, str | None]:
    """The saved draft, or what to tell the person about the one that could not be read (set aside, kept)."""
    draft, problem = inspect_draft(path)
    if problem is None:
        return draft, None
    path = path or draft_path()
    try:
        kept = set_aside(path)
    except OSError as error:
        return None, (f"The saved draft {path} cannot be read ({problem}) or moved ({error.strerror}); "
                      "move it yourself before saving a new draft.")
    return None, f"The saved draft could not be read ({problem}); it is kept as {kept}. Starting a new service."
