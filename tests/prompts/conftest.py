"""A fake questionary that answers from a script, and the settings and index the prompts run with.

The script is the transcript of a run: (part of the question, answer) pairs, in the order the questions come.
Each answer goes through the prompt's ``validate`` like questionary does; a refused one is recorded with its
message in ``refused`` and the same question takes the next scripted answer, so a test scripts a re-ask by
naming the question twice.
"""

from __future__ import annotations

import asyncio
from collections import deque
from pathlib import Path
from typing import Any

import pytest
from questionary import Choice

from wizard.registry.index import load_index
from wizard.settings import build_settings

SNAPSHOT = Path(__file__).resolve().parents[2].parent / "shared" / "registry-snapshot" / "manifests.json"
DEFAULT = object()  # take what the prompt offers
CTRL_C = object()  # the person presses Ctrl-C at this question


class Question:
    def __init__(self, script: FakeQuestionary, kind: str, message: str, **kwargs: Any) -> None:
        self.script, self.kind, self.message, self.kwargs = script, kind, message, kwargs

    def unsafe_ask(self) -> Any:
        return self.script.answer(self)

    def ask(self) -> Any:
        try:
            return self.script.answer(self)
        except KeyboardInterrupt:
            return None


class FakeQuestionary:
    Choice = Choice

    def __init__(self, *steps: tuple[str, Any]) -> None:
        self.steps = deque(steps)
        self.asked: list[Question] = []
        self.refused: list[tuple[str, str]] = []  # (question, message shown)

    def __getattr__(self, kind: str):
        if kind not in ("text", "path", "confirm", "select", "checkbox"):
            raise AttributeError(kind)
        return lambda message, **kwargs: Question(self, kind, message, **kwargs)

    # Step 1 first offers to start from a Hugging Face model; a script that does not name it answers it empty,
    # as a person typing everything does (tests/hub scripts name it)
    OPTIONAL = "Start from a Hugging Face model"

    def answer(self, question: Question) -> Any:
        if question.message.startswith(self.OPTIONAL) and not (self.steps and self.OPTIONAL in self.steps[0][0]):
            self.asked.append(question)
            return ""
        while True:
            assert self.steps, f"nothing scripted for the {question.kind} question {question.message!r}"
            expected, answer = self.steps.popleft()
            assert expected in question.message, f"asked {question.message!r}; the script expected {expected!r}"
            self.asked.append(question)
            if answer is CTRL_C:
                raise KeyboardInterrupt
            if answer is DEFAULT:
                answer = self.offered(question)
            if question.kind in ("select", "checkbox"):
                values = [c.value for c in question.kwargs["choices"]]
                given = answer if question.kind == "checkbox" else [answer]
                assert set(given) <= set(values), f"{answer!r} is not among {values!r}"
            verdict = question.kwargs.get("validate", lambda _: True)(answer)
            if verdict is True:
                return answer
            self.refused.append((question.message, verdict))

    @staticmethod
    def offered(question: Question) -> Any:
        kwargs = question.kwargs
        if question.kind == "checkbox":
            return [c.value for c in kwargs["choices"] if c.checked]
        if question.kind == "select":
            return kwargs.get("default") or kwargs["choices"][0].value
        return kwargs.get("default", "")

    def last(self, message: str) -> Question:
        """The last question asked whose message starts with ``message``."""
        return [q for q in self.asked if q.message.startswith(message)][-1]

    def messages(self) -> list[str]:
        return [q.message for q in self.asked]

    def done(self) -> bool:
        return not self.steps


@pytest.fixture
def settings(tmp_path):
    return build_settings({"index_url": str(SNAPSHOT), "out": str(tmp_path / "out")}, environ={},
                          path=tmp_path / "no-config.toml")


@pytest.fixture(scope="session")
def index():
    return asyncio.run(load_index(str(SNAPSHOT)))


@pytest.fixture
def printed():
    """The lines a run prints, for ``out=printed.append``."""
    return []
