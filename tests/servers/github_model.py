"""The GitHub emulator's state: who, what repositories, which pull requests, and time itself."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.servers.github_git import ObjectStore


class FakeClock:
    """GitHub's clock and the client's sleep in one: sleeping moves time on, and nobody really waits."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Token:
    value: str
    login: str
    scopes: tuple[str, ...] | None  # None: a fine-grained token (GitHub sends no X-OAuth-Scopes)


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    store: ObjectStore
    refs: dict[str, str]  # "heads/dev" -> commit sha
    default_branch: str
    created_at: float
    parent: Repo | None = None
    hidden_for: int = 0  # a new fork answers 404 to this many more requests

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def source(self) -> Repo | None:
        root = self.parent
        while root is not None and root.parent is not None:
            root = root.parent
        return root


@dataclass
class PullRequest:
    number: int
    base_repo: Repo
    base: str
    head_repo: Repo
    head_ref: str
    title: str
    body: str
    draft: bool
    maintainer_can_modify: bool
    user: str
    created_at: float
    state: str = "open"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    status: int = 0
    sent_bytes: int = 0


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    times: int
    reply: tuple[int, Any, dict[str, str]] | None  # None: drop the connection without an answer


@dataclass
class RateWindow:
    limit: int
    remaining: int
    reset: int



class Reply(Exception):
    """Raised inside a handler to answer at once, as GitHub does for errors."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, dict(headers or {})
