"""Malformed answers from a registry, end to end: the real registry behind the fault proxy, which swaps in the
answer under test. Each ends in a named ImageError, after exactly the requests the lookup needs."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.servers.fault_proxy import FaultProxy
from wizard.errors import UnsupportedManifest
from wizard.images.image_manifest import OCI_INDEX, OCI_MANIFEST

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = "/manifests/"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DAMAGED = "the image may be damaged; push it again, or type the size yourself"
NOT_A_REGISTRY = "check that the host is a container registry; or type the size yourself"


@pytest.fixture
def behind_proxy(container_registry, fault_proxy, unique_repository):
    """An image pushed to the registry, and its reference through the proxy."""
    pushed = container_registry.push_image(unique_repository, "1.0")
    return pushed, f"{fault_proxy.host}/{unique_repository}:1.0"


def blob(n: int, size: object) -> dict[str, object]:
    return {"mediaType": LAYER, "digest": f"sha256:{n:064x}", "size": size}


def image_body(*sizes: object) -> bytes:
    config = {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": f"sha256:{0:064x}", "size": 7}
    layers = [blob(n, size) for n, size in enumerate(sizes, 1)]
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": layers}).encode()


def index_body(*entries: object) -> bytes:
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": list(entries)}).encode()


AMD64 = {"os": "linux", "architecture": "amd64"}
FOUR_THOUSAND_DIGITS = "9" * 4000
# (Content-Type, body, what the message says, the hint): each answered in place of the tag's manifest
MALFORMED = {
    "an index entry without a digest": (
        OCI_INDEX,
        index_body({"mediaType": OCI_MANIFEST, "size": 500, "platform": AMD64}),
        "entry 1 of the index {ref} has no digest",
        DAMAGED,
    ),
    "index entries that are strings": (
        OCI_INDEX,
        index_body(f"sha256:{1:064x}", f"sha256:{2:064x}"),
        f'entry 1 of the index {{ref}} is the string "sha256:{1:064x}", not an object',
        DAMAGED,
    ),
    "JSON nested 100,000 deep": (
        OCI_MANIFEST,
        b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
        "answered with a JSON document nested more than 32 levels deep",
        NOT_A_REGISTRY,
    ),
    "a 4000-digit layer size": (
        OCI_MANIFEST,
        image_body(100).replace(b'"size": 100}', f'"size": {FOUR_THOUSAND_DIGITS}}}'.encode()),
        "layer 1 of {ref} has a size 4000 digits long; a size is a whole number of bytes, less than 8 EiB",
        DAMAGED,
    ),
    "a negative layer size": (
        OCI_MANIFEST,
        image_body(100, 200, -1000000),
        "layer 3 of {ref} has the size -1000000; a size is a whole number of bytes",
        DAMAGED,
    ),
    "a size of 1e300": (
        OCI_MANIFEST,
        image_body(100).replace(b'"size": 100}', b'"size": 1e300}'),
        "layer 1 of {ref} has the size 1e+300; a size is a whole number of bytes",
        DAMAGED,
    ),
    "HTML that is no JSON": (
        "text/html; charset=utf-8",
        b"<html><body>Sign in to continue</body></html>",
        "{ref} answered with something that is not a JSON image manifest",
        NOT_A_REGISTRY,
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_malformed_manifest_is_named(behind_proxy, fault_proxy, look_up, recording_sleep, case) -> None:
    _, reference = behind_proxy
    content_type, body, says, hint = MALFORMED[case]
    fault_proxy.answer(MANIFESTS, headers={"Content-Type": content_type}, body=body)
    error = await look_up(reference)
    assert isinstance(error, UnsupportedManifest), error
    assert says.format(ref=reference) in error.message
    assert error.hint == hint
    assert fault_proxy.count(MANIFESTS) == 1  # a malformed answer is not asked for again
    assert recording_sleep.delays == []


@pytest.mark.parametrize("kind", ["oci", "docker"])
async def test_a_valid_manifest_served_as_plain_json_is_read(
    container_registry, fault_proxy, unique_repository, look_up, kind
) -> None:
    pushed = container_registry.push_image(unique_repository, "1.0", kind=kind)
    fault_proxy.content_type(MANIFESTS, "application/json; charset=utf-8")
    found = await look_up(f"{fault_proxy.host}/{unique_repository}:1.0")
    assert (found.download_size, found.media_type, found.digest) == (pushed.size, pushed.media_type, pushed.digest)
    assert fault_proxy.count(MANIFESTS) == 1


async def test_a_manifest_served_as_html_is_refused(behind_proxy, fault_proxy, look_up) -> None:
    _, reference = behind_proxy
    fault_proxy.content_type(MANIFESTS, "text/html")
    error = await look_up(reference)
    assert isinstance(error, UnsupportedManifest)
    assert f'{reference} is a "text/html", not a container image' in error.message
    assert fault_proxy.count(MANIFESTS) == 1


async def test_an_index_with_a_broken_platform_entry_still_gives_the_good_one(
    container_registry, fault_proxy, unique_repository, look_up
) -> None:
    pushed = container_registry.push_image(unique_repository, None)
    good = {"mediaType": pushed.media_type, "digest": pushed.digest, "size": len(pushed.manifest), "platform": AMD64}
    odd = {"mediaType": OCI_MANIFEST, "digest": f"sha256:{3:064x}", "size": 5, "platform": "linux/arm64"}
    fault_proxy.answer(f"{MANIFESTS}multi", headers={"Content-Type": OCI_INDEX}, body=index_body(odd, good))
    found = await look_up(f"{fault_proxy.host}/{unique_repository}:multi")
    assert (found.download_size, found.platform, found.manifest_digest) == (pushed.size, "linux/amd64", pushed.digest)
    assert fault_proxy.count(MANIFESTS) == 2  # the index, then the one platform's manifest


@pytest.mark.parametrize("case", ["index entries that are strings", "a 4000-digit layer size"])
def test_the_size_command_says_it_in_words(behind_proxy, fault_proxy, case) -> None:
    _, reference = behind_proxy
    content_type, body, says, hint = MALFORMED[case]
    fault_proxy.answer(MANIFESTS, headers={"Content-Type": content_type}, body=body)
    # the environment the fixtures set (Docker config, user folders) goes to the child as it is
    done = subprocess.run(
        [sys.executable, "-m", "wizard", "size", reference],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert f"prem-new-service: {reference}: " in done.stderr
    assert says.format(ref=reference) in done.stderr and hint in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert fault_proxy.count(MANIFESTS) == 1


# The proxy's own modes, each checked against the real registry with a plain client.


def first_layer(pushed) -> tuple[str, int]:
    layer = json.loads(pushed.manifest)["layers"][0]
    return f"/v2/{pushed.repository}/blobs/{layer['digest']}", layer["size"]


def test_answer_sends_what_it_is_given_then_the_registry_answers(behind_proxy, fault_proxy) -> None:
    pushed, _ = behind_proxy
    path = f"/v2/{pushed.repository}/manifests/1.0"
    fault_proxy.answer(MANIFESTS, status=418, headers={"Content-Type": "text/plain", "X-Test": "1"}, body=b"teapot")
    with httpx.Client(base_url=f"http://{fault_proxy.host}") as client:
        answered = client.get(path)
        real = client.get(path, headers={"Accept": pushed.media_type})
    assert (answered.status_code, answered.text, answered.headers["x-test"]) == (418, "teapot", "1")
    assert answered.headers["content-type"] == "text/plain" and answered.headers["content-length"] == "6"
    assert (real.status_code, real.content) == (200, pushed.manifest)
    assert fault_proxy.count(MANIFESTS) == 2


def test_content_type_replaces_or_drops_the_header(behind_proxy, fault_proxy) -> None:
    pushed, _ = behind_proxy
    path = f"/v2/{pushed.repository}/manifests/1.0"
    fault_proxy.content_type(MANIFESTS, "text/html")
    fault_proxy.content_type(MANIFESTS, "")
    with httpx.Client(base_url=f"http://{fault_proxy.host}", headers={"Accept": pushed.media_type}) as client:
        replaced, dropped, real = client.get(path), client.get(path), client.get(path)
    assert replaced.headers.get_list("content-type") == ["text/html"] and replaced.content == pushed.manifest
    assert "content-type" not in dropped.headers and dropped.content == pushed.manifest
    assert real.headers["content-type"] == pushed.media_type


def test_redirect_loop_sends_the_client_round_until_it_gives_up(behind_proxy, fault_proxy) -> None:
    pushed, _ = behind_proxy
    path = f"/v2/{pushed.repository}/manifests/1.0?x=1"
    fault_proxy.redirect_loop(MANIFESTS, times=1)
    fault_proxy.redirect_loop(MANIFESTS, times=1000)
    with httpx.Client(base_url=f"http://{fault_proxy.host}", max_redirects=5) as client:
        once = client.get(path)
        assert (once.status_code, once.headers["location"]) == (307, path)
        with pytest.raises(httpx.TooManyRedirects):
            client.get(path, follow_redirects=True)
    assert fault_proxy.count(MANIFESTS) == 1 + 6  # one, then the first request and five redirects followed


def test_ignore_range_makes_the_registry_send_the_whole_blob(behind_proxy, fault_proxy) -> None:
    pushed, _ = behind_proxy
    path, size = first_layer(pushed)
    fault_proxy.ignore_range("/blobs/")
    with httpx.Client(base_url=f"http://{fault_proxy.host}", follow_redirects=True) as client:
        whole = client.get(path, headers={"Range": "bytes=0-9"})
        ranged = client.get(path, headers={"Range": "bytes=0-9"})
    assert (whole.status_code, len(whole.content)) == (200, size)
    assert (ranged.status_code, ranged.content) == (206, whole.content[:10])


def test_huge_streams_as_many_bytes_as_it_says(fault_proxy) -> None:
    size = 24 * 1024 * 1024 + 5
    fault_proxy.huge(MANIFESTS, size=size, content_type="application/json")
    read, start = 0, b""
    with (
        httpx.Client(base_url=f"http://{fault_proxy.host}") as client,
        client.stream("GET", "/v2/a/b/manifests/1") as response,
    ):
        assert response.headers["content-length"] == str(size)
        assert response.headers["content-type"] == "application/json"
        for chunk in response.iter_bytes():
            start = start or chunk[:20]
            read += len(chunk)
    assert read == size and start.startswith(b'{"schemaVersion": 2')


def test_trickle_sends_the_real_answer_byte_by_byte(behind_proxy, fault_proxy) -> None:
    pushed, _ = behind_proxy
    fault_proxy.trickle(MANIFESTS, interval=0.001)
    with httpx.Client(base_url=f"http://{fault_proxy.host}", headers={"Accept": pushed.media_type}) as client:
        answer = client.get(f"/v2/{pushed.repository}/manifests/1.0")
    assert (answer.status_code, answer.content) == (200, pushed.manifest)
    assert answer.headers["content-length"] == str(len(pushed.manifest))


@pytest.mark.parametrize("mode", ["trickle", "stall", "huge"])
def test_a_stopping_proxy_ends_what_it_holds_open(container_registry, unique_repository, mode) -> None:
    pushed = container_registry.push_image(unique_repository, "1.0")
    proxy = FaultProxy(container_registry.host).start()
    if mode == "trickle":
        proxy.trickle(MANIFESTS, interval=3600)
    elif mode == "stall":
        proxy.stall(MANIFESTS)
    else:
        proxy.huge(MANIFESTS, size=2**40, content_type="application/json")
    outcome: list[str] = []
    answering = threading.Event()

    def fetch() -> None:
        # the timeout only keeps a broken proxy from hanging the run; a working stop ends the answer long before
        with httpx.Client(base_url=f"http://{proxy.host}", timeout=60.0) as client:
            try:
                with client.stream("GET", f"/v2/{pushed.repository}/manifests/1.0") as response:
                    answering.set()
                    for _ in response.iter_raw():
                        pass
                outcome.append("complete")
            except httpx.TimeoutException:
                outcome.append("timed out")
            except httpx.TransportError:
                outcome.append("cut")

    reader = threading.Thread(target=fetch, daemon=True)
    reader.start()
    try:
        wait_until(lambda: answering.is_set() if mode != "stall" else proxy.count(MANIFESTS) == 1)
    finally:
        proxy.stop()
    reader.join(90)
    assert not reader.is_alive() and outcome == ["cut"]
    assert proxy.count(MANIFESTS) == 1


def wait_until(condition: Callable[[], bool], limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "the request never reached the proxy"
        time.sleep(0.01)  # polling another thread's progress, bounded by the deadline
