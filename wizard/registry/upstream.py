"""The upstream index as the non-interactive commands use it (new, batch): loaded once, and answers checked on it.

A missing index is not fatal: the commands warn that ids and external ports go unchecked and carry on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from wizard.registry.index import RegistryIndex, id_collision, port_collision
from wizard.service.answers import check_answer


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


def upstream_problems(answers: Mapping[str, Any], index: RegistryIndex | None) -> list[str]:
    """``--id: ...`` / ``--external-port: ...`` lines for an id or a port an upstream service already uses."""
    problems: list[str] = []
    if index is None:
        return problems
    if "id" in answers and (message := id_collision(index, str(answers["id"]))):
        problems.append(f"--id: {message}")
    port = answers.get("external_port")
    if port is not None and check_answer("external_port", port) is None and (message := port_collision(index, int(port))):
        problems.append(f"--external-port: {message}")
    return problems
