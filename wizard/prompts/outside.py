"""What the prompts need from the network: the upstream index, image sizes and the pull request.

Each default is a small adapter over a core coroutine, imported lazily so the prompts load without the
network stack and still work when a part is missing. ``run_plain`` takes any of them injected instead.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from wizard.errors import IndexUnavailable
from wizard.settings import Settings

LookUpSize = Callable[[str], Any]  # reference -> ImageSize (or an awaitable of it); raises ImageError
Progress = Callable[[str, str], None]
Publish = Callable[[list[Path], Progress], Any]  # -> result with .pr_url (or an awaitable of it)


def settle(value: Any) -> Any:
    """The value itself, or what it resolves to when it is awaitable (the prompts run outside any loop)."""
    if not inspect.isawaitable(value):
        return value

    async def wait(awaitable: Awaitable[Any]) -> Any:
        return await awaitable

    return asyncio.run(wait(value))


def load_index_or_warn(settings: Settings, out: Callable[[str], None]):
    """The upstream index, or None with a warning saying what goes unchecked."""
    from wizard.registry.upstream import fetch_upstream_index

    try:
        index = settle(fetch_upstream_index(settings.index_url, offline=settings.offline))
    except IndexUnavailable as error:
        out(f"warning: {error.message}; the id and the external port are not checked against upstream, "
            "and the external port is picked at random")
        return None
    out(index.age_note())
    return index


def default_look_up_size(settings: Settings) -> LookUpSize | None:
    try:
        from wizard.images import lookup_sizes
    except ImportError:
        return None

    async def look_up_size(reference: str):
        result = (await lookup_sizes([reference], settings=settings))[reference]
        if isinstance(result, Exception):
            raise result
        return result

    return look_up_size


def default_publish(settings: Settings) -> Publish | None:
    try:
        from wizard.github.token import resolve_token
        from wizard.publish.pipeline import publish_folders
    except ImportError:
        return None

    async def publish(folders: list[Path], progress: Progress):
        found = await resolve_token(settings, interactive=True)
        progress("account", f"using the token from {found.source}")
        # the prompts offered the generated README "to edit its TODO lines later" and asked before publishing
        return await publish_folders(folders, settings=settings, token=found.secret, progress=progress,
                                     allow_todo=True)

    return publish
