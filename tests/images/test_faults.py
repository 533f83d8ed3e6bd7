"""Faults through a loopback proxy in front of the real registry: rate limits, 5xx, stalls, resets, no server."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from tests.servers.distribution_registry import free_loopback_port
from wizard.errors import ImageRateLimited, RegistryUnreachable
from wizard.images.faults import docker_hub_quota, retry_after_seconds, wait_words

MANIFESTS = "/manifests/"


@pytest.fixture
def behind_proxy(container_registry, fault_proxy, unique_repository):
    """An image pushed to the registry, and its reference through the proxy."""
    pushed = container_registry.push_image(unique_repository, "1.0")
    return pushed, f"{fault_proxy.host}/{unique_repository}:1.0"


async def test_429_with_retry_after_is_waited_out(behind_proxy, fault_proxy, look_up, recording_sleep) -> None:
    pushed, reference = behind_proxy
    fault_proxy.fail(MANIFESTS, status=429, headers={"Retry-After": "2"})
    assert (await look_up(reference)).download_size == pushed.size
    assert recording_sleep.delays == [2.0]
    assert fault_proxy.count(MANIFESTS) == 2


async def test_503_then_success_backs_off(behind_proxy, fault_proxy, look_up, recording_sleep) -> None:
    pushed, reference = behind_proxy
    fault_proxy.fail(MANIFESTS, status=503, times=2)
    assert (await look_up(reference)).download_size == pushed.size
    assert recording_sleep.delays == [0.5, 1.0]
    assert fault_proxy.count(MANIFESTS) == 3


async def test_a_failing_ping_is_retried_too(behind_proxy, fault_proxy, look_up) -> None:
    pushed, reference = behind_proxy
    fault_proxy.fail("/v2/", status=502)
    assert (await look_up(reference)).download_size == pushed.size
    # ping, ping again, manifest; then the two layers' windows and the config
    assert fault_proxy.count() - fault_proxy.count("/blobs/") == 3
    assert fault_proxy.count("/blobs/") == 3


async def test_5xx_that_does_not_heal(behind_proxy, fault_proxy, look_up) -> None:
    _, reference = behind_proxy
    fault_proxy.fail(MANIFESTS, status=503, times=100)
    error = await look_up(reference)
    assert isinstance(error, RegistryUnreachable)
    assert f"{fault_proxy.host} answered 503 Service Unavailable (tried 4 times)" in error.message
    assert "try again later, or type the size yourself" in (error.hint or "")
    assert fault_proxy.count(MANIFESTS) == 4


LONG_WAITS = [("99999", 99999, "27 hours"), ("3600", 3600, "60 minutes"), ("600", 600, "10 minutes"),
              ("259200", 259200, "3 days")]  # fmt: skip


@pytest.mark.parametrize(("header", "seconds", "words"), LONG_WAITS)
async def test_a_long_retry_after_is_not_waited_out(
    behind_proxy, fault_proxy, look_up, recording_sleep, header, seconds, words
) -> None:
    _, reference = behind_proxy
    fault_proxy.fail(MANIFESTS, status=429, headers={"Retry-After": header})
    error = await look_up(reference)
    assert isinstance(error, ImageRateLimited)
    assert error.retry_after == seconds
    assert f"it asks to wait {words}; try later, or type the size yourself" in (error.hint or "")
    assert recording_sleep.delays == []
    assert fault_proxy.count(MANIFESTS) == 1


async def test_a_retry_after_date_far_ahead_is_said_in_days(behind_proxy, fault_proxy, look_up) -> None:
    _, reference = behind_proxy
    # an hour past three days, so that the seconds the test itself takes cannot change the words
    far_ahead = formatdate(time.time() + 3 * 86400 + 3600, usegmt=True)
    fault_proxy.fail(MANIFESTS, status=429, headers={"Retry-After": far_ahead})
    error = await look_up(reference)
    assert isinstance(error, ImageRateLimited)
    assert "it asks to wait 3 days; try later" in (error.hint or "")
    assert fault_proxy.count(MANIFESTS) == 1


@pytest.mark.parametrize(("header", "seconds", "words"), LONG_WAITS)
async def test_a_503_asking_for_a_long_pause_is_not_waited_out(
    behind_proxy, fault_proxy, look_up, recording_sleep, header, seconds, words
) -> None:
    _, reference = behind_proxy
    fault_proxy.fail(MANIFESTS, status=503, headers={"Retry-After": header})
    error = await look_up(reference)
    assert isinstance(error, RegistryUnreachable)
    assert f"{fault_proxy.host} answered 503 Service Unavailable" in error.message
    assert f"having trouble; it asks to wait {words}; try later, or type the size yourself" in (error.hint or "")
    assert recording_sleep.delays == []
    assert fault_proxy.count(MANIFESTS) == 1


async def test_docker_hub_quota_headers(behind_proxy, fault_proxy, look_up, recording_sleep) -> None:
    _, reference = behind_proxy
    quota = {"ratelimit-limit": "100;w=21600", "ratelimit-remaining": "0;w=21600"}
    fault_proxy.fail(MANIFESTS, status=429, headers=quota)
    error = await look_up(reference)
    assert isinstance(error, ImageRateLimited)
    assert "allows 100 image pulls per 6 hours" in error.message
    assert error.retry_after == 21600
    assert "docker login" in (error.hint or "")
    assert recording_sleep.delays == []


async def test_rate_limited_every_time(behind_proxy, fault_proxy, look_up, recording_sleep) -> None:
    _, reference = behind_proxy
    fault_proxy.fail(MANIFESTS, status=429, headers={"Retry-After": "1"}, times=100)
    error = await look_up(reference)
    assert isinstance(error, ImageRateLimited) and "429 Too Many Requests" in error.message
    assert error.retry_after == 1
    assert "it asks to wait 1 second; try later, or type the size yourself" in (error.hint or "")
    assert recording_sleep.delays == [1.0, 1.0, 1.0]
    assert fault_proxy.count(MANIFESTS) == 4


async def test_a_reset_connection_is_retried(behind_proxy, fault_proxy, look_up) -> None:
    pushed, reference = behind_proxy
    fault_proxy.reset(MANIFESTS)
    assert (await look_up(reference)).download_size == pushed.size
    assert fault_proxy.count(MANIFESTS) == 2


async def test_connections_cut_every_time(behind_proxy, fault_proxy, look_up) -> None:
    _, reference = behind_proxy
    fault_proxy.reset(MANIFESTS, times=100)
    error = await look_up(reference)
    assert isinstance(error, RegistryUnreachable) and "cut the connection (tried 4 times)" in error.message


async def test_nothing_listening_fails_at_once_with_the_offline_hint(look_up, recording_sleep) -> None:
    error = await look_up(f"127.0.0.1:{free_loopback_port()}/a/b:1")
    assert isinstance(error, RegistryUnreachable)
    assert "could not connect to 127.0.0.1" in error.message
    assert "type the size yourself, or run with --offline" in (error.hint or "")
    assert recording_sleep.delays == []


def test_retry_after_in_both_forms() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds({"retry-after": "7"}, now) == 7.0
    assert retry_after_seconds({"retry-after": formatdate(now + 90, usegmt=True)}, now) == 90.0
    assert retry_after_seconds({"retry-after": formatdate(now - 90, usegmt=True)}, now) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}, now) is None
    assert retry_after_seconds({}, now) is None


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "0 seconds"), (0.3, "1 second"), (1, "1 second"), (12, "12 seconds"), (119, "119 seconds"),
     (240, "4 minutes"), (7199, "119 minutes"), (7200, "2 hours"), (99999, "27 hours"), (172799, "47 hours"),
     (259200, "3 days"), (400 * 86400, "more than a year"), (float("inf"), "more than a year"),
     (float("nan"), "an unknown time")],
)  # fmt: skip
def test_wait_words(seconds: float, words: str) -> None:
    assert wait_words(seconds) == words


def test_docker_hub_quota() -> None:
    assert docker_hub_quota({"ratelimit-limit": "100;w=21600", "ratelimit-remaining": "76;w=21600"}) == (76, 100, 21600)
    assert docker_hub_quota({"ratelimit-limit": "100"}) is None
