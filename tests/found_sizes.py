"""Lookup results for tests whose fakes stand in for the container registry: real ImageSize values, built the
way the core builds them, so that a front end reads them as it reads a real lookup."""

from __future__ import annotations

from wizard.images import ImageSize, PlatformSize
from wizard.images.layer_reads import total
from wizard.images.unpacked import LayerUnpacked

DIGEST = "sha256:" + "ab" * 32
GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"


def found_size(
    reference: str,
    unpacked: int,
    download: int,
    *,
    reason: str = "",
    digest: str = DIGEST,
    engine_size: int | None = None,
    warnings: tuple[str, ...] = (),
    platforms: tuple[PlatformSize, ...] = (),
    platform: str | None = None,
) -> ImageSize:
    """An image of one layer that unpacks to ``unpacked`` bytes and downloads ``download``; with a ``reason``
    the unpacked figure is an estimate."""
    layer = LayerUnpacked("sha256:" + "cd" * 32, GZIP, download, unpacked, not reason,
                          "estimate" if reason else "gzip trailer", reason)
    media_type = "application/vnd.oci.image.index.v1+json" if platforms else "application/vnd.oci.image.manifest.v1+json"
    manifest = platforms[0].digest if platforms else digest
    return ImageSize(reference, download, digest, media_type, manifest, platform=platform, platforms=platforms,
                     unpacked=total([layer]), engine_size=engine_size, warnings=warnings)
