"""The upstream index as every front end loads it: once, from a URL, a file or that URL's cache.

The answers are checked on it by ``plan_service`` (``PlanContext.index``). Only the registry's own index,
the default, may be missing: the commands then warn that ids, folders and external ports go unchecked and
carry on. An index the user named (``--index``, the environment or the config file) that cannot be read or
is not a list of manifests stops the run (InvalidIndex, exit 2): checking against nothing would pass what
the user asked to be checked.
"""

from __future__ import annotations

from collections.abc import Callable

from wizard.registry.index import RegistryIndex

GIVEN_BY = {"flag": "--index", "environment": "PREM_NEW_SERVICE_INDEX_URL", "config file": "index_url in the config file"}


def index_given_by(settings) -> str | None:
    """Where the user named the index (``--index``, ...), or None when it is the registry's default."""
    return GIVEN_BY.get(settings.sources.get("index_url", "default"))


async def fetch_upstream_index(source: str, *, offline: bool) -> RegistryIndex:
    """The index from a URL, a file or the cache, for every front end; raises IndexUnavailable (InvalidIndex
    for a file) or ManifestSyntaxError."""
    from wizard.registry.index import load_index

    if offline or not source.startswith(("http://", "https://")):  # a file, or the cache: no client, no httpx
        return await load_index(source, offline=offline)
    import httpx

    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0)) as client:
        return await load_index(source, client=client, offline=offline)


def load_upstream_index(source: str, *, offline: bool, report: Callable[[str], None],
                        given_by: str | None = None) -> RegistryIndex | None:
    """The index from a URL, a file or the cache. When it cannot be loaded: InvalidIndex (exit 2) if the user
    named it (``given_by``), else None after a warning through ``report``."""
    import asyncio

    from wizard.errors import IndexUnavailable, InvalidIndex, ManifestSyntaxError

    try:
        index = asyncio.run(fetch_upstream_index(source, offline=offline))
    except (IndexUnavailable, ManifestSyntaxError) as error:
        if given_by is not None:
            raise InvalidIndex(f"the index given by {given_by} cannot be used: {error.message}",
                               hint=f"fix {given_by}, or leave it out to check against the registry's own "
                               "index; nothing was written") from None
        report(f"warning: {error.message}; the id, the folder and the external port are not checked against "
               "upstream")
        return None
    report(index.age_note())
    return index


def settings_index(settings, *, report: Callable[[str], None]) -> RegistryIndex | None:
    """The index the settings name, strict when the user named it (see ``load_upstream_index``)."""
    return load_upstream_index(settings.index_url, offline=settings.offline, report=report,
                               given_by=index_given_by(settings))


def named_index(settings, *, report: Callable[[str], None]) -> RegistryIndex | None:
    """For the wizard's start: the index the user named, loaded now so a bad one stops the start (exit 2)
    before any question; None when the index is the default (the wizard loads it, and may warn and go on)."""
    if index_given_by(settings) is None:
        return None
    return settings_index(settings, report=report)
