"""The upstream index as every front end loads it: once, from a URL, a file or the cache.

The answers are checked on it by ``plan_service`` (``PlanContext.index``). A missing index is not fatal: the
commands warn that ids and external ports go unchecked and carry on.
"""

from __future__ import annotations

from collections.abc import Callable

from wizard.registry.index import RegistryIndex


async def fetch_upstream_index(source: str, *, offline: bool) -> RegistryIndex:
    """The index from a URL, a file or the cache, for every front end; raises IndexUnavailable."""
    from wizard.registry.index import load_index

    if offline or not source.startswith(("http://", "https://")):  # a file, or the cache: no client, no httpx
        return await load_index(source, offline=offline)
    import httpx

    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0)) as client:
        return await load_index(source, client=client, offline=offline)


def load_upstream_index(source: str, *, offline: bool, report: Callable[[str], None]) -> RegistryIndex | None:
    """The index from a URL, a file or the cache; None (after a warning through ``report``) when none is found."""
    import asyncio

    from wizard.errors import IndexUnavailable

    try:
        index = asyncio.run(fetch_upstream_index(source, offline=offline))
    except IndexUnavailable as error:
        report(f"warning: {error.message}; the id and the external port are not checked against upstream")
        return None
    report(index.age_note())
    return index

