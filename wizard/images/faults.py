"""What goes wrong between us and a container registry, what is retried, and what people are told.

Retried, with exponential backoff: 429, 5xx, timeouts and cut connections. ``Retry-After`` is honoured up to
``RetryPolicy.retry_after_cap``; a longer wait, or Docker Hub's ``ratelimit-remaining: 0``, is not waited out: the
lookup fails at once with :class:`ImageRateLimited` saying when to come back. A refused connection (nothing
listening, unknown host, TLS trouble) is not retried: it will not heal in seconds.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from wizard.errors import ImageRateLimited, RegistryUnreachable

OFFLINE_HINT = "check the host name and your network; or type the size yourself, or run with --offline"


@dataclass(frozen=True)
class RetryPolicy:
    """How patiently to talk to a container registry. ``sleep`` is injected so tests wait for nothing."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    retry_after_cap: float = 30.0
    jitter: bool = True
    # Each request must be answered whole within request_deadline; each image's lookup, retries and all, within
    # lookup_deadline. Two requests fit in one lookup, so a single lost answer heals and a dead registry is
    # reported after lookup_deadline, never later.
    request_deadline: float = 15.0
    lookup_deadline: float = 30.0
    # Reading a layer whole (--exact) may take as long as the layer needs at this rate, and no longer.
    min_rate: float = 1024 * 1024
    sleep: Callable[[float], Awaitable[Any]] = field(default=asyncio.sleep, compare=False)

    def backoff(self, attempt: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        # jitter keeps many concurrent lookups from retrying in lockstep
        return delay * random.uniform(0.5, 1.0) if self.jitter else delay


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now, from either of its forms (seconds, or an HTTP date)."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is not None:
        # "inf", "nan" and "1e400" parse as floats too: a wait nobody can name is an hour, not a retry at once
        return max(0.0, seconds) if math.isfinite(seconds) else 3600.0
    try:
        moment = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, moment - (time.time() if now is None else now))


def docker_hub_quota(headers: Mapping[str, str]) -> tuple[int, int, int] | None:
    """Docker Hub's ``ratelimit-limit: 100;w=21600`` and ``ratelimit-remaining: 0;w=21600`` as
    (remaining, limit, window seconds)."""
    try:
        limit, _, window = headers["ratelimit-limit"].partition(";w=")
        remaining = headers["ratelimit-remaining"].partition(";")[0]
        return int(remaining), int(limit), int(window or 0)
    except (KeyError, ValueError):
        return None


def wait_words(seconds: float) -> str:
    """A wait as people say it, in one unit: "12 seconds", "4 minutes", "27 hours", "3 days".

    A unit is used from two of it on and counted in whole units (27.8 hours is "27 hours"), so the number
    stays small without turning 90 minutes into "1 hour". Seconds round up: a wait of 0.3 s is "1 second"."""
    if math.isnan(seconds):  # a Retry-After of "nan" parses as a float
        return "an unknown time"
    if seconds > 365 * 86400:  # also inf; beyond a year the exact count means nothing to anyone
        return "more than a year"
    for length, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= 2 * length:
            return f"{int(seconds // length)} {unit}s"
    count = max(0, -int(-seconds // 1))
    return f"{count} second" if count == 1 else f"{count} seconds"


def rate_limited(host: str, headers: Mapping[str, str], retry_after: float | None) -> ImageRateLimited:
    quota = docker_hub_quota(headers)
    if quota and quota[0] <= 0:
        _, limit, window = quota
        period = wait_words(window) if window > 0 else "a while"
        return ImageRateLimited(
            f"{host} allows {limit} image pulls per {period} from your address, and they are used up",
            retry_after=retry_after if retry_after is not None else float(window) or None,
            hint="log in with `docker login` (logged-in users get a larger quota), or type the size yourself",
        )
    if retry_after is not None:
        when = f"it asks to wait {wait_words(retry_after)}; try later"
    else:
        when = "try again in a few minutes"
    return ImageRateLimited(
        f"{host} is limiting how fast we may ask (429 Too Many Requests)",
        retry_after=retry_after,
        hint=f"{when}, or type the size yourself",
    )


def seconds_text(seconds: float) -> str:
    """30, 1.5, 0.2: whole seconds from 10 on, else one decimal."""
    return f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.1f}".removesuffix(".0")


def deadline_passed(host: str, what: str, seconds: float) -> RegistryUnreachable:
    return RegistryUnreachable(
        f"{host} did not answer in {seconds_text(seconds)} s (waiting for {what})",
        hint="the container registry is slow or stuck; try again later, or type the size yourself, "
        "or run with --offline",
    )


def unreachable(
    host: str, error: httpx.HTTPError | httpx.InvalidURL, attempts: int = 1, seconds: float | None = None
) -> RegistryUnreachable:
    text = str(error) or type(error).__name__
    tried = f" (tried {attempts} times)" if attempts > 1 else ""
    if isinstance(error, httpx.TimeoutException):
        when = f"in {seconds_text(seconds)} s" if seconds is not None else "in time"
        return RegistryUnreachable(f"{host} did not answer {when}{tried}", hint=OFFLINE_HINT)
    if isinstance(error, httpx.TooManyRedirects):
        return RegistryUnreachable(
            f"{host} sends its answers round in a loop of redirects",
            hint="the container registry (or a proxy in front of it) is misconfigured; try again later, "
            "or type the size yourself",
        )
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return RegistryUnreachable(
            f"{host} redirected to an address that cannot be followed: {text}",
            hint="the container registry is misconfigured; try again later, or type the size yourself",
        )
    if isinstance(error, httpx.ConnectError) and any(
        mark in text for mark in ("CERTIFICATE", "SSL", "TLS", "WRONG_VERSION_NUMBER", "record layer")
    ):
        return RegistryUnreachable(
            f"could not open a secure (TLS) connection to {host}: {text}",
            hint=f"if {host} is your own registry served over plain HTTP or with a self-made certificate, "
            f"name it with --insecure-registry {host} (or insecure_registries in the config file)",
        )
    if isinstance(error, httpx.ConnectError):
        return RegistryUnreachable(f"could not connect to {host}: {text}", hint=OFFLINE_HINT)
    return RegistryUnreachable(f"{host} cut the connection{tried}: {text}", hint=OFFLINE_HINT)


def server_trouble(
    host: str, response: httpx.Response, attempts: int, retry_after: float | None
) -> RegistryUnreachable:
    tried = f" (tried {attempts} times)" if attempts > 1 else ""
    when = f"it asks to wait {wait_words(retry_after)}; try later" if retry_after is not None else "try again later"
    return RegistryUnreachable(
        f"{host} answered {response.status_code} {response.reason_phrase}{tried}",
        hint=f"the container registry is having trouble; {when}, or type the size yourself",
    )


async def send_with_retries(
    send: Callable[[], Awaitable[httpx.Response]], host: str, policy: RetryPolicy
) -> httpx.Response:
    """Call ``send`` until it gives an answer worth interpreting; raise the :class:`ImageError` that explains why
    not otherwise. Only idempotent GETs come through here."""
    for attempt in range(1, policy.attempts + 1):
        final = attempt == policy.attempts
        try:
            response = await send()
        except httpx.ConnectError as error:
            raise unreachable(host, error) from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as error:
            if final:
                raise unreachable(host, error, attempts=attempt, seconds=policy.request_deadline) from None
            await policy.sleep(policy.backoff(attempt))
            continue
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            # redirect loops, unfollowable redirects, undecodable bodies: asking again gives the same answer
            raise unreachable(host, error) from None
        status = response.status_code
        if status != 429 and status < 500:
            return response
        retry_after = retry_after_seconds(response.headers)
        # a wait longer than the cap is not waited out: the person is told when to come back instead
        too_long = retry_after is not None and retry_after > policy.retry_after_cap
        if status == 429:
            quota = docker_hub_quota(response.headers)
            if final or too_long or (quota and quota[0] <= 0):
                raise rate_limited(host, response.headers, retry_after)
        elif final or too_long:
            raise server_trouble(host, response, attempt, retry_after)
        await policy.sleep(policy.backoff(attempt) if retry_after is None else retry_after)
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover
