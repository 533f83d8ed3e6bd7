"""The 401 challenge and the token cache."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from wizard.images.auth import Challenge, TokenCache, parse_challenges, usable_challenge


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"',
            [Challenge("bearer", "https://auth.docker.io/token", "registry.docker.io")],
        ),
        (
            'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push"',
            [Challenge("bearer", "https://ghcr.io/token", "ghcr.io", "repository:a/b:pull,push")],
        ),
        ('Basic realm="Registry Realm"', [Challenge("basic", "Registry Realm")]),
        ("basic realm=plain", [Challenge("basic", "plain")]),
        (
            'Basic realm="x", Bearer realm="https://t/token", service="s"',
            [Challenge("basic", "x"), Challenge("bearer", "https://t/token", "s")],
        ),
        ('Bearer realm="a \\"quoted\\" realm"', [Challenge("bearer", 'a "quoted" realm')]),
        ("", []),
    ],
)
def test_parse_challenges(header: str, expected: list[Challenge]) -> None:
    assert parse_challenges([header]) == expected


def test_bearer_is_preferred_over_basic() -> None:
    challenges = parse_challenges(['Basic realm="x"', 'Bearer realm="https://t/token"'])
    assert usable_challenge(challenges) == Challenge("bearer", "https://t/token")
    assert usable_challenge(parse_challenges(["Negotiate abc"])) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_tokens_are_cached_for_their_lifetime_and_60_seconds_by_default() -> None:
    clock = FakeClock()
    cache = TokenCache(clock)
    fetched: list[str] = []

    async def fetch(lifetime: float | None) -> tuple[str, float | None]:
        fetched.append(f"t{len(fetched)}")
        return fetched[-1], lifetime

    assert await cache.token("r", "s", lambda: fetch(None)) == ("t0", True)
    clock.now += 50
    assert await cache.token("r", "s", lambda: fetch(None)) == ("t0", False)
    clock.now += 11  # 61 s after the fetch: past the default 60 s
    assert await cache.token("r", "s", lambda: fetch(300)) == ("t1", True)
    clock.now += 290
    assert await cache.token("r", "s", lambda: fetch(300)) == ("t1", False)
    assert await cache.token("r", "other-scope", lambda: fetch(None)) == ("t2", True)
    assert "t0" not in repr(cache) and "t1" not in repr(cache)


async def test_concurrent_requests_for_one_scope_fetch_one_token() -> None:
    cache = TokenCache()
    calls = 0
    started, gate = asyncio.Event(), asyncio.Event()

    async def fetch() -> tuple[str, float | None]:
        nonlocal calls
        calls += 1
        started.set()
        await gate.wait()
        return "token", None

    waiting = [asyncio.create_task(cache.token("r", "s", fetch)) for _ in range(10)]
    await started.wait()  # the first holds the lock; the nine others were scheduled before us and now wait on it
    gate.set()
    results = await asyncio.gather(*waiting)
    assert calls == 1
    assert [value for value, _ in results] == ["token"] * 10
    assert sum(fresh for _, fresh in results) == 1


async def test_a_refused_token_is_forgotten_unless_already_replaced() -> None:
    cache = TokenCache()
    await cache.token("r", "s", _returns("old"))
    cache.forget("r", "s", "stale-value")
    assert await cache.token("r", "s", _returns("new")) == ("old", False)
    cache.forget("r", "s", "old")
    assert await cache.token("r", "s", _returns("new")) == ("new", True)


def _returns(value: str) -> Callable[[], Awaitable[tuple[str, float | None]]]:
    async def fetch() -> tuple[str, float | None]:
        return value, None

    return fetch
