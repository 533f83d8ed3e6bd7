"""Bounded time and bounded answers, through the fault proxy in front of the real registry: a registry that
trickles, stalls, loops or floods ends in its named error within its deadline, with the requests counted."""

from __future__ import annotations

import pytest

from tests.images.conftest import RecordingSleep
from tests.servers.layers import gzip_layer, sample_tar, zstd_layer
from wizard.errors import RegistryUnreachable, UnsupportedManifest
from wizard.images import RetryPolicy, image_size, parse_reference

MANIFESTS = "/manifests/"
BLOBS = "/blobs/"


@pytest.fixture
def behind_proxy(container_registry, fault_proxy, unique_repository):
    pushed = container_registry.push_layers(unique_repository, "1.0", [gzip_layer(sample_tar(300_000, 1))])
    return pushed, f"{fault_proxy.host}/{unique_repository}:1.0"


@pytest.fixture
def quick(recording_sleep: RecordingSleep) -> RetryPolicy:
    """Deadlines short enough for a test; the sleeps between attempts are recorded, not slept."""
    return RetryPolicy(jitter=False, sleep=recording_sleep, request_deadline=0.4, lookup_deadline=1.0)


async def outcome(make_registries, reference: str, retry: RetryPolicy, **options):
    async with make_registries(retry=retry) as registries:
        client = registries.client_for(parse_reference(reference).api_host)
        try:
            return await image_size(client, reference, registries=registries, **options)
        except Exception as error:  # noqa: BLE001 - the test asserts which
            return error


async def test_a_trickling_manifest_ends_at_the_request_deadline(behind_proxy, fault_proxy, make_registries, quick) -> None:
    pushed, reference = behind_proxy
    fault_proxy.trickle(MANIFESTS, interval=0.1)  # a byte every 0.1 s: no read ever times out
    found = await outcome(make_registries, reference, quick)
    assert found.download_size == pushed.size, "the second attempt, not trickled, answers"
    assert fault_proxy.count(MANIFESTS) == 2


async def test_a_registry_that_trickles_for_ever(behind_proxy, fault_proxy, make_registries, quick) -> None:
    _, reference = behind_proxy
    fault_proxy.trickle(MANIFESTS, interval=0.1, times=100)
    error = await outcome(make_registries, reference, quick)
    assert isinstance(error, RegistryUnreachable)
    assert error.message == (
        f"{fault_proxy.host} did not answer in 1 s (waiting for the manifest of {reference.split('/', 1)[1]})"
    )
    assert "try again later" in (error.hint or "")
    # 1 s of lookup fits two 0.4 s attempts and the start of a third, never more
    assert 2 <= fault_proxy.count(MANIFESTS) <= 3


async def test_a_stalled_answer_is_asked_again(behind_proxy, fault_proxy, make_registries, quick, recording_sleep) -> None:
    pushed, reference = behind_proxy
    fault_proxy.stall(MANIFESTS)
    found = await outcome(make_registries, reference, quick)
    assert found.download_size == pushed.size
    assert fault_proxy.count(MANIFESTS) == 2
    assert recording_sleep.delays == [0.5]


async def test_a_registry_that_never_answers(behind_proxy, fault_proxy, make_registries, recording_sleep) -> None:
    _, reference = behind_proxy
    fault_proxy.stall(MANIFESTS, times=100)
    retry = RetryPolicy(attempts=2, jitter=False, sleep=recording_sleep, request_deadline=0.3, lookup_deadline=5)
    error = await outcome(make_registries, reference, retry)
    assert isinstance(error, RegistryUnreachable)
    assert error.message == f"{fault_proxy.host} did not answer in 0.3 s (tried 2 times)"
    assert "--offline" in (error.hint or "")
    assert fault_proxy.count(MANIFESTS) == 2


async def test_the_defaults_say_30_seconds(behind_proxy, fault_proxy, make_registries, recording_sleep) -> None:
    policy = RetryPolicy()
    assert (policy.request_deadline, policy.lookup_deadline) == (15.0, 30.0)
    _, reference = behind_proxy
    fault_proxy.stall(MANIFESTS, times=100)
    # the default lookup deadline, run at a hundredth of the time: the words are the defaults'
    scaled = RetryPolicy(jitter=False, sleep=recording_sleep, request_deadline=0.15, lookup_deadline=0.3)
    error = await outcome(make_registries, reference, scaled)
    assert "did not answer in 0.3 s" in error.message


async def test_a_stalled_layer_window_is_bounded_too(behind_proxy, fault_proxy, make_registries, quick) -> None:
    _, reference = behind_proxy
    fault_proxy.stall(BLOBS, times=100)
    error = await outcome(make_registries, reference, quick)
    assert isinstance(error, RegistryUnreachable)
    assert "did not answer in 1 s (waiting for a layer of" in error.message


async def test_a_connection_reset_mid_body_is_asked_again(behind_proxy, fault_proxy, make_registries, quick) -> None:
    pushed, reference = behind_proxy
    fault_proxy.reset(BLOBS)
    found = await outcome(make_registries, reference, quick)
    assert found.unpacked.exact and found.unpacked.size == pushed.unpacked_size
    assert fault_proxy.count(BLOBS) == 4  # head and tail windows, the config, and the window asked again


async def test_a_50_mib_manifest_is_not_read(behind_proxy, fault_proxy, make_registries, quick) -> None:
    _, reference = behind_proxy
    fault_proxy.huge(MANIFESTS, size=50 * 1024 * 1024, content_type="application/vnd.oci.image.manifest.v1+json")
    error = await outcome(make_registries, reference, quick)
    assert isinstance(error, UnsupportedManifest)
    assert "answered with more than 4 MiB for the manifest of" in error.message
    assert fault_proxy.count(MANIFESTS) == 1


async def test_a_redirect_loop(behind_proxy, fault_proxy, make_registries, quick) -> None:
    _, reference = behind_proxy
    fault_proxy.redirect_loop(MANIFESTS, times=1000)
    error = await outcome(make_registries, reference, quick)
    assert isinstance(error, RegistryUnreachable)
    assert error.message == f"{fault_proxy.host} sends its answers round in a loop of redirects"
    assert fault_proxy.count(MANIFESTS) == 21  # httpx follows 20 redirects, then stops: not retried


async def test_a_token_service_that_is_not_a_url(behind_proxy, fault_proxy, make_registries, quick) -> None:
    _, reference = behind_proxy
    challenge = {"WWW-Authenticate": 'Bearer realm="::::not a url::::",service="x"'}
    fault_proxy.answer("/v2/", status=401, headers=challenge, body=b"{}", times=1000)
    error = await outcome(make_registries, reference, quick)
    assert isinstance(error, RegistryUnreachable)
    assert "names a token service that is not a web address: '::::not a url::::'" in error.message


async def test_a_layer_read_whole_is_bounded_by_its_length(
    container_registry, fault_proxy, unique_repository, make_registries, recording_sleep
) -> None:
    layer = zstd_layer(sample_tar(1_000_000, 9), content_size=False)
    container_registry.push_layers(unique_repository, "1.0", [layer])
    fault_proxy.content_type(BLOBS + layer.digest, "application/octet-stream")  # the head window passes
    fault_proxy.trickle(BLOBS + layer.digest, interval=0.05, times=100)
    # reading it whole may take 0.2 s plus its length at 100 MB/s: far less than a trickle needs
    retry = RetryPolicy(jitter=False, sleep=recording_sleep, request_deadline=0.2, lookup_deadline=2, min_rate=1e8)
    error = await outcome(make_registries, f"{fault_proxy.host}/{unique_repository}:1.0", retry, exact=True)
    assert isinstance(error, RegistryUnreachable)
    assert f"did not answer in 0.2 s (waiting for a layer of {unique_repository})" in error.message
