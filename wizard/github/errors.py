"""GitHub's refusals, made into the project's exceptions with messages that say what to do next.

Pure functions over a response's status, headers and body, so each rule is tested without a server:

    401                               BadToken            the token is wrong, expired or revoked
    403, 404 on a call that writes    MissingPermission   names the scope (GitHub answers 404 to hide things)
    422                               GitHubValidation    GitHub's own messages, in plain words
    403/429, x-ratelimit-remaining 0  primary limit: wait for x-ratelimit-reset when it is soon, else
                                      GitHubRateLimited saying when
    403/429, "secondary rate limit"   honour retry-after, else wait a minute, doubling; then GitHubRateLimited
    5xx                               GitHubUnreachable
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from wizard.errors import (
    BadToken,
    GitHubError,
    GitHubRateLimited,
    GitHubUnreachable,
    GitHubValidation,
    MissingPermission,
)
from wizard.github.token import Secret, new_token_url

SOON = 90.0  # a primary-limit wait worth sitting through instead of stopping
ATTEMPTS = 3  # per call, for network failures and for rate limits alike


def _json_of(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except (ValueError, RecursionError):  # not JSON, or JSON nested past the interpreter's limit
        return {}
    return data if isinstance(data, dict) else {}


def message_of(response: httpx.Response) -> str:
    data = _json_of(response)
    errors = data.get("errors")
    texts = [str(data.get("message", ""))] + [str(e.get("message", "")) for e in errors if isinstance(e, dict)] \
        if isinstance(errors, list) else [str(data.get("message", ""))]
    return " ".join(t for t in texts if t)[:500]  # GitHub's messages are a line or two; anything longer is not one


@dataclass(frozen=True)
class RateLimit:
    wait: float | None  # seconds to wait before the same call again; None: too long, stop and say when
    reset_at: float  # epoch seconds when GitHub will answer again
    secondary: bool


def rate_limit_of(status: int, headers: Mapping[str, str], message: str, *, now: float, attempt: int,
                  soon: float = SOON) -> RateLimit | None:
    """Whether an answer is a rate limit, and how long to wait, following GitHub's documented rules."""
    if status not in (403, 429):
        return None
    secondary = "secondary rate limit" in message.lower() or "abuse" in message.lower()
    retry_after = headers.get("retry-after", "")
    reset = headers.get("x-ratelimit-reset", "")
    if retry_after.isdigit():
        wait = float(retry_after)
        secondary = secondary or headers.get("x-ratelimit-remaining") != "0"
    elif headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        wait = max(0.0, float(reset) - now) + 1  # the reset second itself may still be refused
    elif secondary:
        wait = 60.0 * 2**attempt
    else:
        return None
    give_up = attempt + 1 >= ATTEMPTS or wait > soon
    return RateLimit(None if give_up else wait, now + wait, secondary)


def _clock_time(epoch: float) -> str:
    return time.strftime("%H:%M", time.localtime(epoch))


def rate_limited(limit: RateLimit, headers: Mapping[str, str]) -> GitHubRateLimited:
    minutes = max(1, round((limit.reset_at - time.time()) / 60)) if limit.reset_at > time.time() else None
    when = f"{_clock_time(limit.reset_at)}" + (f" (in about {minutes} min)" if minutes else "")
    if limit.secondary:
        return GitHubRateLimited(
            "GitHub asked to slow down (a secondary rate limit) and kept refusing after waiting",
            reset_at=limit.reset_at, hint=f"wait a few minutes (until about {when}), then run the same command again",
        )
    allowed = headers.get("x-ratelimit-limit", "the")
    return GitHubRateLimited(
        f"your GitHub account has used up its {allowed} API calls for this hour; GitHub answers again at {when}",
        reset_at=limit.reset_at, hint=f"run the same command again after {_clock_time(limit.reset_at)}",
    )


# GitHub's 422 messages, and what they mean for someone opening their first pull request
PLAIN_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"A pull request already exists for (?P<head>[^\s.]+(?:\.[^\s.]+)*)"),
     "a pull request from {head} is already open"),
    (re.compile(r"No commits between (?P<base>\S+) and (?P<head>\S+)"),
     "{head} holds no change compared to {base}: the registry already has exactly these files"),
    (re.compile(r"Reference already exists"), "a branch of that name already exists"),
    (re.compile(r"Update is not a fast forward"), "the branch moved since it was read: someone else pushed to it"),
    (re.compile(r"(base_tree|tree\.sha|Tree SHA|Parent SHA|Object)\b.*\b(not|does not) (a valid|exist)", re.I),
     "GitHub cannot find the upstream's latest commit in your fork yet"),
    (re.compile(r"^Invalid request"), "GitHub did not accept the request's shape (a bug in prem-new-service; "
     "please report it): {raw}"),
)


def plain_words(raw: str) -> str:
    for pattern, words in PLAIN_WORDS:
        match = pattern.search(raw)
        if match:
            return words.format(raw=raw, **match.groupdict())
    return raw


def validation_messages(data: Mapping[str, Any]) -> list[str]:
    """GitHub's own words from a 422 body: the message, then each error (custom messages or field codes)."""
    found = [] if data.get("message") in (None, "Validation Failed") else [str(data["message"])]
    for error in data.get("errors") or []:
        if isinstance(error, Mapping) and error.get("message"):
            found.append(str(error["message"]))
        elif isinstance(error, Mapping):
            found.append(f"the {error.get('field', '?')} of the {error.get('resource', 'request')} is "
                         f"{error.get('code', 'invalid')}")
        else:
            found.append(str(error))
    return found or ["Validation Failed"]


def permission_hint(token: Secret | None, scopes: str | None, api_url: str) -> str:
    url = new_token_url(api_url)
    if token is not None and token.kind == "fine-grained":
        return (f"a fine-grained token cannot open a pull request on a repository you do not own; create a classic "
                f"token with the 'public_repo' scope at {url} and set GH_TOKEN to it")
    if scopes is not None and not {"public_repo", "repo"} & {s.strip() for s in scopes.split(",")}:
        have = scopes.strip() or "no scopes"
        return (f"your token has {have}; it needs the 'public_repo' scope ('repo' for a private registry): "
                f"create a classic token at {url}")
    return (f"a classic token needs the 'public_repo' scope ('repo' for a private registry), and a fine-grained "
            f"token cannot open a pull request on a repository you do not own; create a classic token at {url}")


def error_for(response: httpx.Response, *, action: str, token: Secret | None, api_url: str) -> GitHubError:
    status = response.status_code
    data = _json_of(response)
    message = str(data.get("message") or response.reason_phrase)
    if status == 401:
        return BadToken(f"GitHub did not accept the token ({message}) when asked to {action}: it is wrong, "
                        "expired or revoked", status=401,
                        hint=f"create a new token at {new_token_url(api_url)} and set GH_TOKEN to it, or run "
                        "`gh auth login`")
    if status in (403, 404):
        why = ("GitHub answers 404 both when something does not exist and when a token may not touch it"
               if status == 404 else message)
        return MissingPermission(f"GitHub refused to {action} (HTTP {status}: {why})", status=status,
                                 hint=permission_hint(token, response.headers.get("x-oauth-scopes"), api_url))
    if status == 422:
        words = "; ".join(plain_words(m) for m in validation_messages(data))
        return GitHubValidation(f"GitHub did not {action}: {words}", status=422,
                                hint="fix what it names, or run again with --force if the branch should be replaced")
    if status >= 500:
        return GitHubUnreachable(f"GitHub had a problem (HTTP {status}) when asked to {action}", status=status,
                                 hint="GitHub may be busy; try again in a few minutes")
    return GitHubError(f"GitHub refused to {action} (HTTP {status}: {message})", status=status,
                       hint="run again; if it keeps failing, open an issue with this message")
