"""Questions, asked through a questionary-like module, validated by the core's own checks.

``Questions`` is the one place that speaks to questionary: every step asks through it, so a test can
pass a fake module. A check returns the message to show, or None; questionary wants True instead of
None, and re-asks while the answer is refused, so the messages are the core's word for word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

Check = Callable[[str], str | None]
PLACEHOLDER_STYLE = "italic fg:ansibrightblack"  # dim, so an example is not mistaken for an answer


def first_problem(*checks: Check | None) -> Check:
    """One check from several: the first message found wins."""

    def check(text: str) -> str | None:
        for each in checks:
            message = each(text) if each else None
            if message:
                return message
        return None

    return check


def readable_file(path_text: str) -> str | None:
    path = Path(path_text).expanduser()
    if not path_text:
        return "give the path of a file"
    if not path.exists():
        return f"{path} does not exist; check the path"
    if not path.is_file():
        return f"{path} is not a file"
    return None


class Questions:
    def __init__(self, ask: ModuleType | Any) -> None:
        self._ask = ask

    def _validator(self, check: Check | None) -> Callable[[Any], bool | str]:
        def validate(value: Any) -> bool | str:
            if check is None:
                return True
            return check(value.strip() if isinstance(value, str) else value) or True

        return validate

    def text(self, message: str, *, default: Any = None, check: Check | None = None, help: str | None = None,
             placeholder: str = "", multiline: bool = False) -> str:
        """One answer typed; ``multiline`` takes a line each, finished with Alt+Enter (or Esc, Enter)."""
        extra: dict[str, Any] = {}
        if help or multiline:
            finish = "; finish with Alt+Enter or Esc then Enter" if multiline else ""
            extra["instruction"] = f"({help or ''}{finish})" + ("\n>" if multiline else "")
        if placeholder:
            extra["placeholder"] = [(PLACEHOLDER_STYLE, placeholder)]
        if multiline:
            extra["multiline"] = True
        question = self._ask.text(message, default="" if default is None else str(default),
                                  validate=self._validator(check), **extra)
        return question.unsafe_ask().strip()

    def path(self, message: str, *, default: Any = None, check: Check | None = None, directory: bool = False) -> str:
        question = self._ask.path(message, default="" if default is None else str(default),
                                  validate=self._validator(check), only_directories=directory)
        return question.unsafe_ask().strip()

    def confirm(self, message: str, *, default: bool) -> bool:
        return bool(self._ask.confirm(message, default=default).unsafe_ask())

    def select(self, message: str, choices: Sequence[tuple[str, Any]], *, default: Any = None) -> Any:
        """One of ``choices`` as (title, value); returns the value."""
        options = [self._ask.Choice(title, value=value) for title, value in choices]
        values = [value for _, value in choices]
        return self._ask.select(message, choices=options, default=default if default in values else None).unsafe_ask()

    def checkbox(self, message: str, choices: Sequence[tuple[str, Any]], *, checked: Sequence[Any],
                 check: Callable[[list[Any]], str | None]) -> list[Any]:
        options = [self._ask.Choice(title, value=value, checked=value in checked) for title, value in choices]
        return list(self._ask.checkbox(message, choices=options, validate=self._validator(check)).unsafe_ask())
