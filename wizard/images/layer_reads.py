"""Reading layers for their unpacked size: small windows by HTTP Range, or whole blobs streamed and counted.

Every layer's reads go out at once; with ``exact``, layers whose windows give no exact figure are then streamed,
at most ``STREAMS`` at a time, decompressed as they arrive and counted, with nothing written anywhere and each
blob's digest checked against the manifest.
"""

from __future__ import annotations

import asyncio
import json
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from wizard.errors import ImageError
from wizard.images.auth import pull_scope
from wizard.images.image_manifest import Descriptor, Platform
from wizard.images.reference import ImageReference
from wizard.images.registries import ContainerRegistries
from wizard.images.unpacked import (
    DigestCheck,
    LayerUnpacked,
    Windows,
    compression_of,
    counter_for,
    judge,
    sniff,
    window_for,
    windows_wanted,
)

STREAMS = 4
OnBytes = Callable[[int, int], None]  # (bytes read so far, bytes to read in all), for a progress bar

_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


@dataclass(frozen=True)
class UnpackedSize:
    """The image unpacked: the sum of its layers' tar lengths. ``exact`` when every layer's figure is."""

    size: int
    exact: bool
    layers: tuple[LayerUnpacked, ...]

    @property
    def reasons(self) -> list[str]:
        """Why the figure is an estimate: one line per reason, with how many layers it applies to."""
        counts: dict[str, int] = {}
        for layer in self.layers:
            if not layer.exact:
                counts[layer.reason] = counts.get(layer.reason, 0) + 1
        return [f"{n} layer{'s' if n > 1 else ''}: {reason}" for reason, n in counts.items()]


def total(layers: Sequence[LayerUnpacked]) -> UnpackedSize:
    return UnpackedSize(sum(layer.size for layer in layers), all(layer.exact for layer in layers), tuple(layers))


async def unpacked_size(
    client: httpx.AsyncClient,
    registries: ContainerRegistries,
    ref: ImageReference,
    layers: Sequence[Descriptor],
    *,
    exact: bool = False,
    on_bytes: OnBytes | None = None,
    extend_deadline: Callable[[float], None] | None = None,
) -> UnpackedSize:
    """Each layer's unpacked size from its windows; with ``exact``, the layers that stay estimates are read
    whole. ``extend_deadline(seconds)`` is told how much longer reading them whole may take."""
    found = list(
        await asyncio.gather(
            *(
                registries.once(
                    ("windows", ref.api_host, ref.path, layer.digest),
                    lambda layer=layer: _from_windows(client, registries, ref, layer),
                )
                for layer in layers
            )
        )
    )
    unsure = [i for i, layer in enumerate(found) if not layer.exact]
    if exact and unsure:
        to_read = sum(layers[i].size for i in unsure)
        if extend_deadline:
            extend_deadline(to_read / registries.retry.min_rate)
        progress = _Progress(to_read, on_bytes)
        slots = asyncio.Semaphore(STREAMS)

        async def count(i: int) -> None:
            async with slots:
                found[i] = await _count_whole(client, registries, ref, layers[i], found[i], progress)

        await asyncio.gather(*(count(i) for i in unsure))
    return total(found)


async def config_platform(
    client: httpx.AsyncClient, registries: ContainerRegistries, ref: ImageReference, config: Descriptor
) -> Platform | None:
    """The platform an image config says it was built for; None when it cannot be read (never a failure: it
    only decides whether to warn)."""
    key = ("config", ref.api_host, ref.path, config.digest)
    return await registries.once(key, lambda: _config_platform(client, registries, ref, config))


async def _config_platform(
    client: httpx.AsyncClient, registries: ContainerRegistries, ref: ImageReference, config: Descriptor
) -> Platform | None:
    response = await registries.get(client, ref.api_host, _blob_path(ref, config), scope=pull_scope(ref.path))
    if response.status_code != 200:
        return None
    try:
        document = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    os_name, architecture, variant = (document.get(key) for key in ("os", "architecture", "variant"))
    if not isinstance(os_name, str) or not isinstance(architecture, str) or not os_name or not architecture:
        return None
    return Platform(os_name.lower(), architecture.lower(), variant.lower() if isinstance(variant, str) and variant else None)


class _Progress:
    def __init__(self, to_read: int, on_bytes: OnBytes | None) -> None:
        self.done, self.to_read, self.on_bytes = 0, to_read, on_bytes

    def add(self, count: int) -> None:
        self.done += count
        if self.on_bytes:
            self.on_bytes(self.done, self.to_read)


def _blob_path(ref: ImageReference, blob: Descriptor) -> str:
    return f"/v2/{ref.path}/blobs/{blob.digest}"


async def _from_windows(
    client: httpx.AsyncClient, registries: ContainerRegistries, ref: ImageReference, layer: Descriptor
) -> LayerUnpacked:
    want_head, want_tail = windows_wanted(layer.media_type, layer.size)
    if not want_head and not want_tail:
        return judge(layer.digest, layer.media_type, layer.size, Windows(), layer.annotations)
    reads = []
    window = window_for(layer.media_type)
    if want_head:
        reads.append(_window(client, registries, ref, layer, 0, window - 1))
    if want_tail:
        reads.append(_window(client, registries, ref, layer, max(0, layer.size - window), layer.size - 1))
    answers = await asyncio.gather(*reads)
    failed = next((answer for answer in answers if isinstance(answer, str)), None)
    if failed is not None:
        return LayerUnpacked(layer.digest, layer.media_type, layer.size, layer.size, False, "estimate", failed)
    head = answers[0][0] if want_head else None
    tail, honoured = (answers[-1][0], answers[-1][1]) if want_tail else (None, True)
    if want_tail and not honoured:
        # a 200 to a Range request carries the blob from its start: what was read is its head
        head, tail = (head or tail), (tail if layer.size <= window else None)
    # the head's flag does not matter: a 200 for it still starts at byte 0, which is all a head is
    return judge(layer.digest, layer.media_type, layer.size, Windows(head, tail, honoured), layer.annotations)


async def _window(
    client: httpx.AsyncClient,
    registries: ContainerRegistries,
    ref: ImageReference,
    layer: Descriptor,
    first: int,
    last: int,
) -> tuple[bytes, bool] | str:
    """Bytes ``first``-``last`` of the layer and whether the registry honoured the range (a 200 sends the blob
    from its start instead); or why it sent nothing."""
    asked = f"bytes=-{last - first + 1}" if last == layer.size - 1 and first else f"bytes={first}-{last}"
    response = await registries.get(
        client,
        ref.api_host,
        _blob_path(ref, layer),
        scope=pull_scope(ref.path),
        headers={"Range": asked, "Accept-Encoding": "identity"},
        limit=last - first + 1,
        truncate=True,
    )
    if response.status_code == 200:
        return response.content, first == 0 and len(response.content) == layer.size
    if response.status_code != 206:
        return f"the registry answered {response.status_code} when asked for its bytes"
    match = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
    honoured = match is not None and (int(match[1]), int(match[2])) == (first, last)
    return response.content, honoured and len(response.content) == last - first + 1


async def _count_whole(
    client: httpx.AsyncClient,
    registries: ContainerRegistries,
    ref: ImageReference,
    layer: Descriptor,
    windows_said: LayerUnpacked,
    progress: _Progress,
) -> LayerUnpacked:
    deadline = registries.retry.request_deadline + layer.size / registries.retry.min_rate
    check = DigestCheck(layer.digest)
    kind = compression_of(layer.media_type)
    counter = None
    read = 0
    async with registries.stream(
        client, ref.api_host, _blob_path(ref, layer), scope=pull_scope(ref.path), deadline=deadline
    ) as response:
        if response.status_code != 200:
            return _still_estimate(windows_said, f"the registry answered {response.status_code} to reading it whole")
        try:
            async for chunk in response.aiter_raw():
                if counter is None:
                    kind = kind or sniff(chunk)
                    if kind not in ("gzip", "zstd", "none"):
                        return windows_said
                    counter = counter_for(kind) if kind != "none" else None
                read += len(chunk)
                if read > layer.size:
                    break
                check.feed(chunk)
                if counter is not None:
                    counter.feed(chunk)
                progress.add(len(chunk))
            counted = counter.finish() if counter is not None else read
        except zlib.error as error:
            raise ImageError(
                f"layer {layer.digest[:19]} of {ref.name} does not decompress: {error}",
                hint="the image may be damaged; push it again, or type the size yourself",
            ) from None
    if read != layer.size or not check.matches():
        raise ImageError(
            f"{ref.api_host} sent {read} bytes for layer {layer.digest[:19]} of {ref.name}, which are not the "
            f"{layer.size} bytes the manifest names",
            hint="something between you and the container registry changed it; try again, or from another network",
        )
    return LayerUnpacked(layer.digest, layer.media_type, layer.size, counted, True, "counted")


def _still_estimate(layer: LayerUnpacked, reason: str) -> LayerUnpacked:
    return LayerUnpacked(layer.digest, layer.media_type, layer.download_size, layer.size, False, "estimate", reason)
