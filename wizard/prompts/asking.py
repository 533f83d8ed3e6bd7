"""Questions, asked through a questionary-like module, validated by the core's own checks.

``Questions`` is the one place that speaks to questionary: every step asks through it, so a test can
pass a fake module. A check returns the message to show, or None; questionary wants True instead of
None, and re-asks while the answer is refused, so the messages are the CLI's word for word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from wizard.service.answers import BY_KEY, check_answer

Check = Callable[[str], str | None]


def first_problem(*checks: Check | None) -> Check:
    """One check from several: the first message found wins."""

    def check(text: str) -> str | None:
        for each in checks:
            message = each(text) if each else None
            if message:
                return message
        return None

    return check


def optional(check: Check) -> Check:
    """An answer that may be left empty."""
    return lambda text: check(text) if text else None


def answer_check(key: str) -> Check:
    return lambda text: check_answer(key, text)


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

    def text(self, message: str, *, default: Any = None, check: Check | None = None, help: str | None = None) -> str:
        extra = {"instruction": f"({help})"} if help else {}
        question = self._ask.text(message, default="" if default is None else str(default),
                                  validate=self._validator(check), **extra)
        return question.unsafe_ask().strip()

    def answer(self, key: str, *, default: Any = None, also: Check | None = None, empty_ok: bool = False,
               help: str | None = None) -> str:
        """The answer ``key`` of ``ANSWERS``, checked by the core; ``also`` adds a check (upstream collisions).
        With ``empty_ok`` the core's check skips an empty answer, which ``also`` still sees."""
        core = optional(answer_check(key)) if empty_ok else answer_check(key)
        help_text = (help or BY_KEY[key].help) + ("; leave empty for none" if empty_ok else "")
        return self.text(BY_KEY[key].label, default=default, check=first_problem(core, also), help=help_text)

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
