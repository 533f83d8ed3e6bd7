"""The contributor's fork of the upstream: found by parent (it may be renamed) or made, and a new one waited for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from wizard import ledger
from wizard.errors import GitHubError
from wizard.github.client import GitHub
from wizard.publish.plan import fork_is_fresh, is_fork_of

if TYPE_CHECKING:
    from wizard.settings import Settings

FORK_WAITS = (1, 2, 4, 8, 15, 30, 30, 30, 30, 30, 30, 30, 30, 30)  # about five minutes, GitHub's own bound
Say = Callable[[str, str], None]


async def find_fork(gh: GitHub, settings: Settings, login: str, *, say: Say,
                    sleep: Callable[[float], Awaitable[None]]) -> str:
    """The repository the branch goes into: the upstream itself for its owner, else the fork."""
    upstream = settings.upstream
    if login.lower() == settings.upstream_owner.lower():
        say("fork", f"you own {upstream}: the branch goes there directly")
        return upstream
    say("fork", f"finding your fork of {upstream} (or making one)")
    fork = await gh.create_fork(upstream)
    name = fork["full_name"]
    ledger.made(f"your fork {name} on GitHub")
    if not is_fork_of(fork, upstream):
        raise GitHubError(f"GitHub answered with {name}, which is not a fork of {upstream}",
                          hint="check --upstream; if it is right, report this with the message")
    if fork_is_fresh(fork, gh.github_time or 0):
        await wait_for_fork(gh, name, say=say, sleep=sleep)
    say("fork", f"using your fork {name}")
    return name


async def wait_for_fork(gh: GitHub, name: str, *, say: Say, sleep: Callable[[float], Awaitable[None]]) -> None:
    waited = 0
    for delay in (0, *FORK_WAITS):
        if delay:
            say("fork", f"GitHub is still copying the registry into {name} (waited {waited} s)")
            await sleep(delay)
            waited += delay
        if await gh.get_repository(name) is not None:
            return
    raise GitHubError(f"GitHub has not finished making your fork {name} after {waited // 60} minutes",
                      hint="GitHub sometimes takes longer; run the same command again in a few minutes")
