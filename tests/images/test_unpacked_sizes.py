"""Unpacked sizes against the real CNCF registry: layers that are real tar streams of known length, compressed
every way image builders do, read by Range requests (or whole, with ``exact``) and never pulled."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.images.conftest import CountingClients
from tests.servers.layers import (
    DOCKER_GZIP,
    Layer,
    estargz_like_layer,
    gzip_layer,
    plain_layer,
    sample_tar,
    sparse_gzip_layer,
    zstd_layer,
)
from wizard.images import ContainerRegistries, image_size

BLOBS = "/blobs/"
FOUR_GIB = 2**32


async def size_of(make_registries: Callable[..., ContainerRegistries], reference: str, **options: object):
    exact = bool(options.pop("exact", False))
    platform = str(options.pop("platform", "linux/amd64"))
    on_bytes = options.pop("on_bytes", None)
    async with make_registries(**options) as registries:
        client = registries.client_for(reference.split("/")[0])
        return await image_size(client, reference, platform, registries=registries, exact=exact, on_bytes=on_bytes)


# Each kind: the layers, and whether the Range reading alone is exact.
KINDS: dict[str, tuple[Callable[[], list[Layer]], bool]] = {
    "gzip, one member": (lambda: [gzip_layer(sample_tar(600_000, 1))], True),
    "gzip, docker media type": (lambda: [gzip_layer(sample_tar(300_000, 2), media_type=DOCKER_GZIP)], True),
    "gzip, small enough to read whole": (lambda: [gzip_layer(sample_tar(30_000, 3))], True),
    "gzip, two members, a short last one": (
        lambda: [gzip_layer(sample_tar(700_000, 4), members=2, last_member=20_000)],
        False,
    ),
    "gzip, many members and an empty footer (eStargz-like)": (lambda: [estargz_like_layer(sample_tar(400_000, 5))], False),
    "gzip, multi-member and small": (lambda: [gzip_layer(sample_tar(40_000, 6), members=3)], True),
    "zstd with the content size": (lambda: [zstd_layer(sample_tar(1_500_000, 7))], True),
    "zstd without the content size": (lambda: [zstd_layer(sample_tar(1_500_000, 8), content_size=False)], False),
    "zstd, several frames": (lambda: [zstd_layer(sample_tar(2_400_000, 9), frames=4)], False),
    "plain tar": (lambda: [plain_layer(sample_tar(200_000, 10))], True),
    "four layers of mixed kinds": (
        lambda: [
            gzip_layer(sample_tar(500_000, 11)),
            zstd_layer(sample_tar(1_000_000, 12)),
            plain_layer(sample_tar(100_000, 13)),
            gzip_layer(sample_tar(20_000, 14)),
        ],
        True,
    ),
}


@pytest.mark.parametrize("kind", KINDS)
async def test_the_unpacked_size_is_the_tar_length(kind, container_registry, unique_repository, make_registries) -> None:
    layers, exact_from_ranges = KINDS[kind]
    pushed = container_registry.push_layers(unique_repository, "1.0", layers())
    found = await size_of(make_registries, pushed.reference)
    assert found.download_size == pushed.size
    assert found.unpacked is not None
    assert found.unpacked.exact is exact_from_ranges
    if exact_from_ranges:
        assert found.unpacked.size == pushed.unpacked_size
        assert found.unpacked.reasons == []
    else:
        assert found.unpacked.reasons, "an estimate says why"
        assert all(layer.how == "estimate" for layer in found.unpacked.layers if not layer.exact)
    counted = await size_of(make_registries, pushed.reference, exact=True)
    assert counted.unpacked.exact and counted.unpacked.size == pushed.unpacked_size


async def test_each_estimate_names_its_reason(container_registry, unique_repository, make_registries) -> None:
    layers = [
        gzip_layer(sample_tar(700_000, 20), members=2, last_member=10_000),
        zstd_layer(sample_tar(1_000_000, 21), content_size=False),
        zstd_layer(sample_tar(1_800_000, 22), frames=3),
        gzip_layer(sample_tar(200_000, 23)),
    ]
    pushed = container_registry.push_layers(unique_repository, "1.0", layers)
    found = await size_of(make_registries, pushed.reference)
    assert [layer.exact for layer in found.unpacked.layers] == [False, False, False, True]
    assert found.unpacked.reasons == [
        "1 layer: it is made of several gzip members, and the trailer counts the last",
        "1 layer: its zstd frame header does not record the content size",
        "1 layer: it is made of several zstd frames, and the header counts the first",
    ]
    # an estimate is the compressed length times the ratio the layer starts with: rough (these layers start
    # with incompressible bytes and end with text), never wild
    for layer, built in zip(found.unpacked.layers, layers):
        assert 0.25 < layer.size / built.unpacked < 4


async def test_ranges_cost_one_round_of_requests(container_registry, unique_repository, make_registries) -> None:
    layers = [gzip_layer(sample_tar(300_000 + n * 50_000, 30 + n)) for n in range(4)]
    pushed = container_registry.push_layers(unique_repository, "1.0", layers)
    clients = CountingClients()
    found = await size_of(make_registries, pushed.reference, client_factory=clients)
    assert found.unpacked.exact and found.unpacked.size == pushed.unpacked_size
    # ping, manifest; then at once: a head and a tail window per layer, and the config for its platform
    assert clients.counts == {"ping": 1, "manifest": 1, "blob": 4 * 2 + 1}


async def test_counting_reads_only_what_is_not_exact(container_registry, unique_repository, make_registries) -> None:
    layers = [gzip_layer(sample_tar(300_000, 40)), zstd_layer(sample_tar(1_000_000, 41), content_size=False)]
    pushed = container_registry.push_layers(unique_repository, "1.0", layers)
    seen: list[tuple[int, int]] = []
    found = await size_of(make_registries, pushed.reference, exact=True, on_bytes=lambda done, whole: seen.append((done, whole)))
    assert found.unpacked.exact and found.unpacked.size == pushed.unpacked_size
    assert [layer.how for layer in found.unpacked.layers] == ["gzip trailer", "counted"]
    assert seen and seen[-1] == (layers[1].size, layers[1].size), "progress ends at the streamed layer's length"


@pytest.fixture(scope="session")
def sparse_layer(tmp_path_factory: pytest.TempPathFactory) -> Layer:
    # 4 GiB + 123 MB of zeros: its gzip trailer says 123 MB, the length modulo 4 GiB
    return sparse_gzip_layer(tmp_path_factory.mktemp("sparse") / "weights.tar.gz", FOUR_GIB + 123_456_789)


async def test_a_layer_past_4_gib_is_an_estimate_that_fits(
    sparse_layer, container_registry, unique_repository, make_registries
) -> None:
    assert sparse_layer.unpacked > FOUR_GIB and sparse_layer.size < 10_000_000
    pushed = container_registry.push_layers(unique_repository, "1.0", [sparse_layer, gzip_layer(sample_tar(50_000, 50))])
    found = await size_of(make_registries, pushed.reference)
    layer = found.unpacked.layers[0]
    assert not layer.exact and layer.how == "estimate"
    assert layer.reason == "it may unpack past 4 GiB, where the gzip trailer wraps round"
    # the trailer gives the length modulo 4 GiB; the layer's start (zeros) picks the right multiple
    assert layer.size == sparse_layer.unpacked
    assert found.unpacked.size == pushed.unpacked_size and not found.unpacked.exact


async def test_a_layer_past_4_gib_counted_exactly(sparse_layer, container_registry, unique_repository, make_registries) -> None:
    pushed = container_registry.push_layers(unique_repository, "1.0", [sparse_layer])
    found = await size_of(make_registries, pushed.reference, exact=True)
    assert found.unpacked.exact and found.unpacked.size == sparse_layer.unpacked
    assert found.unpacked.layers[0].how == "counted"


async def test_a_registry_that_ignores_range(container_registry, fault_proxy, unique_repository, make_registries) -> None:
    layers = [gzip_layer(sample_tar(400_000, 60)), zstd_layer(sample_tar(1_000_000, 61)), gzip_layer(sample_tar(20_000, 62))]
    pushed = container_registry.push_layers(unique_repository, "1.0", layers)
    reference = pushed.reference.replace(container_registry.host, fault_proxy.host)
    fault_proxy.ignore_range(BLOBS, times=1000)
    found = await size_of(make_registries, reference)
    gzip_big, zstd_big, gzip_small = found.unpacked.layers
    assert not gzip_big.exact and "does not answer Range requests" in gzip_big.reason
    assert zstd_big.exact and zstd_big.how == "zstd header"  # its head is all it needs, and a 200 starts there
    assert gzip_small.exact and gzip_small.size == layers[2].unpacked  # a whole small blob is a whole blob
    counted = await size_of(make_registries, reference, exact=True)
    assert counted.unpacked.exact and counted.unpacked.size == pushed.unpacked_size


async def test_a_platform_the_image_is_not_built_for_is_a_warning(
    container_registry, unique_repository, make_registries
) -> None:
    pushed = container_registry.push_layers(unique_repository, "1.0", [gzip_layer(sample_tar(20_000, 70))])
    assert (await size_of(make_registries, pushed.reference)).warnings == ()
    found = await size_of(make_registries, pushed.reference, platform="linux/arm64")
    assert found.download_size == pushed.size
    warning = (
        f"{pushed.reference} is built for linux/amd64 only, not linux/arm64: the sizes are linux/amd64's, "
        "and a linux/arm64 machine cannot run it"
    )
    assert found.warnings == (warning,)


async def test_download_only_reads_no_layer(container_registry, unique_repository, make_registries) -> None:
    pushed = container_registry.push_layers(unique_repository, "1.0", [gzip_layer(sample_tar(200_000, 80))])
    clients = CountingClients()
    async with make_registries(client_factory=clients) as registries:
        client = registries.client_for(container_registry.host)
        found = await image_size(client, pushed.reference, registries=registries, unpacked=False)
    assert found.unpacked is None and found.size_for("unpacked") == found.size_for("download") == pushed.size
    assert clients.counts["blob"] == 1  # the config, for its platform
