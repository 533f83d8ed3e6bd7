"""The distribution API's 401 challenge, and the tokens it leads to.

A registry answers ``401`` with ``WWW-Authenticate: Basic realm="..."`` (send the user name and password on every
request) or ``Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"``
(GET the realm with ``service`` and ``scope``, anonymously or with Basic credentials; the answer is a JSON
``{"token": ..., "expires_in": ...}``; send ``Authorization: Bearer <token>``). An identity token from
``docker login`` is exchanged by POSTing it to the realm as an OAuth2 refresh token instead.

Tokens are cached per registry and scope for their lifetime (60 s when the server names none); one lock per scope
makes concurrent lookups in one repository share a single token request.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

DEFAULT_TOKEN_LIFETIME = 60.0
# renew a little early so a token does not expire between the check and the request
EXPIRY_MARGIN = 5.0
CLIENT_ID = "prem-new-service"

_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9_-]*)\s*")
_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?')


@dataclass(frozen=True)
class Challenge:
    scheme: str  # "basic" or "bearer", lowercased
    realm: str = ""
    service: str = ""
    scope: str = ""


def parse_challenges(headers: Iterable[str]) -> list[Challenge]:
    """Every challenge in the ``WWW-Authenticate`` values; a value may hold several, separated by commas."""
    found: list[Challenge] = []
    for header in headers:
        rest = header
        while rest.strip():
            scheme = _SCHEME.match(rest)
            if not scheme:
                break
            rest = rest[scheme.end() :]
            params: dict[str, str] = {}
            while (param := _PARAM.match(rest)) and not _starts_new_challenge(rest):
                value = param.group(2) if param.group(2) is not None else param.group(3)
                params[param.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
                rest = rest[param.end() :]
            found.append(
                Challenge(
                    scheme=scheme.group(1).lower(),
                    realm=params.get("realm", ""),
                    service=params.get("service", ""),
                    scope=params.get("scope", ""),
                )
            )
    return found


def _starts_new_challenge(rest: str) -> bool:
    """``Basic realm="a", Bearer realm="b"``: a bare word followed by a parameter is the next scheme."""
    return re.match(r"\s*[A-Za-z][A-Za-z0-9_-]*\s+[A-Za-z]", rest) is not None


def usable_challenge(challenges: Iterable[Challenge]) -> Challenge | None:
    """Bearer when offered (it is what registries mean), else Basic."""
    by_scheme = {c.scheme: c for c in challenges}
    return by_scheme.get("bearer") or by_scheme.get("basic")


def pull_scope(repository_path: str) -> str:
    return f"repository:{repository_path}:pull"


@dataclass
class _Token:
    value: str = field(repr=False)
    expires_at: float


class TokenCache:
    """Bearer tokens per (registry, scope), each fetched at most once at a time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[tuple[str, str], _Token] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    def __repr__(self) -> str:
        return f"TokenCache({len(self._tokens)} tokens)"

    async def token(
        self, registry: str, scope: str, fetch: Callable[[], Awaitable[tuple[str, float | None]]]
    ) -> tuple[str, bool]:
        """A live token for ``scope`` and whether it was fetched by this call; ``fetch`` returns (token, lifetime
        in seconds or None) and is called only when no live token is cached."""
        key = (registry, scope)
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._tokens.get(key)
            if cached and self._clock() < cached.expires_at:
                return cached.value, False
            value, lifetime = await fetch()
            lifetime = DEFAULT_TOKEN_LIFETIME if not lifetime or lifetime <= 0 else lifetime
            self._tokens[key] = _Token(value, self._clock() + max(lifetime - EXPIRY_MARGIN, 1.0))
            return value, True

    def forget(self, registry: str, scope: str, value: str) -> None:
        """Drop a token the registry refused, unless another lookup already replaced it."""
        cached = self._tokens.get((registry, scope))
        if cached and cached.value == value:
            del self._tokens[(registry, scope)]
