"""Sizes from the real distribution registry, compared with the bytes the test pushed; requests counted."""

from __future__ import annotations

import json

import pytest

from tests.images.conftest import CountingClients
from wizard.errors import PlatformNotFound, RepositoryNotFound, TagNotFound
from wizard.images import ImageSize, image_sizes, lookup_sizes
from wizard.images.image_manifest import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_INDEX,
    OCI_MANIFEST,
)


def config_size(pushed) -> int:
    return json.loads(pushed.manifest)["config"]["size"]


@pytest.mark.parametrize(("kind", "media_type"), [("docker", DOCKER_MANIFEST), ("oci", OCI_MANIFEST)])
async def test_single_platform_image_size_is_config_plus_layers(
    container_registry, unique_repository, look_up, kind, media_type
) -> None:
    pushed = container_registry.push_image(unique_repository, "1.0.2", layers=[1234, 56789, 10], kind=kind)
    found = await look_up(pushed.reference)
    looked_up = (found.reference, found.download_size, found.digest, found.media_type, found.manifest_digest)
    assert looked_up == (pushed.reference, pushed.size, pushed.digest, media_type, pushed.digest)
    assert (found.platform, found.platforms, found.warnings) == (None, (), ())
    assert found.download_size == sum(pushed.layer_sizes) + config_size(pushed)  # the config blob is downloaded too
    assert found.unpacked.exact and found.unpacked.size == pushed.unpacked_size > found.download_size
    assert isinstance(found, ImageSize)


async def test_an_image_with_many_layers(container_registry, unique_repository, look_up) -> None:
    pushed = container_registry.push_image(unique_repository, "big", layers=40)
    found = await look_up(pushed.reference)
    assert len(pushed.layer_sizes) == len(set(pushed.layer_sizes)) == 40
    assert found.download_size == sum(pushed.layer_sizes) + config_size(pushed)


@pytest.mark.parametrize(("kind", "media_type"), [("oci", OCI_INDEX), ("docker", DOCKER_MANIFEST_LIST)])
async def test_an_index_gives_the_platform_asked_for_and_lists_every_platform(
    container_registry, unique_repository, look_up, kind, media_type
) -> None:
    pushed = container_registry.push_index(unique_repository, "multi", kind=kind, attestation=True)
    amd64, arm64 = pushed.images["linux/amd64"], pushed.images["linux/arm64"]
    assert amd64.size != arm64.size
    for_arm = await look_up(pushed.reference, "linux/arm64", every_platform=True)
    for_amd = await look_up(pushed.reference)
    assert (for_arm.download_size, for_arm.platform, for_arm.manifest_digest) == (arm64.size, "linux/arm64", arm64.digest)
    assert for_arm.digest == pushed.digest and for_arm.media_type == media_type
    assert [(p.platform, p.download_size) for p in for_arm.platforms] == [
        ("linux/amd64", amd64.size),
        ("linux/arm64", arm64.size),
    ]
    assert (for_amd.download_size, for_amd.platform) == (amd64.size, "linux/amd64")
    # without every_platform only the chosen platform is fetched; the others are listed, unsized
    assert [(p.platform, p.download_size) for p in for_amd.platforms] == [("linux/amd64", amd64.size), ("linux/arm64", None)]


async def test_a_platform_the_index_lacks(container_registry, unique_repository, look_up) -> None:
    pushed = container_registry.push_index(unique_repository, "multi")
    error = await look_up(pushed.reference, "windows/amd64")
    assert isinstance(error, PlatformNotFound)
    assert "platforms found: linux/amd64, linux/arm64" in error.message


async def test_lookup_by_digest_and_by_tag_and_digest(container_registry, unique_repository, look_up) -> None:
    pushed = container_registry.push_image(unique_repository, "1.0")
    by_digest = await look_up(pushed.by_digest)
    both = await look_up(f"{pushed.reference}@{pushed.digest}")
    assert by_digest.download_size == both.download_size == pushed.size
    assert by_digest.digest == pushed.digest


async def test_a_missing_tag_lists_the_tags_that_exist(container_registry, unique_repository, look_up) -> None:
    pushed = container_registry.push_image(unique_repository, "1.0.1")
    for tag in ("1.0.2", "1.0.10", "latest"):
        container_registry.tag(pushed, tag)
    error = await look_up(f"{container_registry.host}/{unique_repository}:1.0.3")
    assert isinstance(error, TagNotFound)
    assert sorted(error.tags) == ["1.0.1", "1.0.10", "1.0.2", "latest"]
    assert "the tag 1.0.3 does not exist" in error.message
    assert "tags found: 1.0.1, 1.0.2, 1.0.10, latest" in error.message
    assert "use one of the tags found" in (error.hint or "")


async def test_a_missing_repository(container_registry, look_up) -> None:
    error = await look_up(f"{container_registry.host}/nobody/nothing:1")
    assert isinstance(error, RepositoryNotFound)
    assert error.message == f"the repository nobody/nothing does not exist on {container_registry.host}"
    assert "check the spelling" in (error.hint or "")
    assert f"docker login {container_registry.host}" in (error.hint or "")


async def test_a_missing_digest(container_registry, unique_repository, look_up) -> None:
    container_registry.push_image(unique_repository, "1.0")
    missing = "sha256:" + "0" * 64
    error = await look_up(f"{container_registry.host}/{unique_repository}@{missing}")
    assert isinstance(error, TagNotFound) and f"the digest {missing} does not exist" in error.message


async def test_many_references_one_repository_cost_one_manifest_request_each(
    container_registry, unique_repository, make_registries
) -> None:
    pushed = container_registry.push_image(unique_repository, "v0")
    references = [container_registry.tag(pushed, f"v{n}").reference for n in range(10)]
    clients = CountingClients()
    seen: list[str] = []
    async with make_registries(client_factory=clients) as registries:
        results = await image_sizes(
            [*references, references[0]],  # the same reference twice is looked up once
            registries=registries,
            progress=lambda text, result: seen.append(text),
        )
    assert {r.download_size for r in results.values()} == {pushed.size}
    # the ten tags name one image: its two layers' windows and its config are read once for all ten
    assert clients.counts == {"ping": 1, "manifest": 10, "blob": 3}
    assert clients.hosts == [container_registry.host]  # one client, so one connection pool, per registry
    assert sorted(seen) == sorted(references)


async def test_an_index_costs_one_more_request_per_lookup(
    container_registry, unique_repository, make_registries
) -> None:
    pushed = container_registry.push_index(unique_repository, "i0")
    references = [f"{container_registry.host}/{unique_repository}:i0"]
    clients = CountingClients()
    async with make_registries(client_factory=clients) as registries:
        results = await image_sizes(references, registries=registries)
    amd64 = results[references[0]]
    assert amd64.download_size == pushed.images["linux/amd64"].size
    assert amd64.unpacked.size == pushed.images["linux/amd64"].unpacked_size
    assert clients.counts == {"ping": 1, "manifest": 2, "blob": 2}  # an index names the platform: no config read


async def test_results_keep_the_references_as_typed_with_failures_beside_successes(
    container_registry, unique_repository, make_registries
) -> None:
    pushed = container_registry.push_image(unique_repository, "latest")
    short = f"{container_registry.host}/{unique_repository}"  # no tag: latest
    async with make_registries() as registries:
        results = await image_sizes([short, "Bad/Ref:", f"{short}:nope"], registries=registries)
    assert list(results) == [short, "Bad/Ref:", f"{short}:nope"]
    assert results[short].download_size == pushed.size
    assert type(results["Bad/Ref:"]).__name__ == "BadReference"
    assert isinstance(results[f"{short}:nope"], TagNotFound)


async def test_lookup_sizes_applies_settings(container_registry, unique_repository) -> None:
    from wizard.settings import Settings

    pushed = container_registry.push_image(unique_repository, "1")
    results = await lookup_sizes([pushed.reference], settings=Settings())
    assert results[pushed.reference].download_size == pushed.size
    offline = await lookup_sizes([pushed.reference], settings=Settings(offline=True))
    assert "offline" in offline[pushed.reference].message


async def test_look_up_one_raises_what_went_wrong(container_registry, unique_repository) -> None:
    from wizard.images import look_up_one

    pushed = container_registry.push_image(unique_repository, "1")
    assert (await look_up_one(pushed.reference)).download_size == pushed.size
    with pytest.raises(TagNotFound):
        await look_up_one(f"{container_registry.host}/{unique_repository}:2")
