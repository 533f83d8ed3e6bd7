"""Image manifests and indexes as the distribution API returns them: pure functions, no I/O.

An image manifest lists a config blob and layers; what ``docker pull`` downloads is their sum, so that sum is the
image size. An index (OCI image index, Docker manifest list) lists one image manifest per platform.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from wizard.errors import InvalidInput, PlatformNotFound, UnsupportedManifest

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"

INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
IMAGE_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
SCHEMA1_TYPES = frozenset({DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED})
# A registry answers 404 to a request for a multi-platform tag whose Accept leaves the index types out.
ACCEPT = f"{OCI_INDEX}, {DOCKER_MANIFEST_LIST}, {OCI_MANIFEST}, {DOCKER_MANIFEST}"

# arm64 images are v8 unless they say otherwise; Docker and containerd match them that way
DEFAULT_VARIANTS = {"arm64": "v8"}


@dataclass(frozen=True)
class Platform:
    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def matches(self, wanted: Platform) -> bool:
        if (self.os, self.architecture) != (wanted.os, wanted.architecture):
            return False
        default = DEFAULT_VARIANTS.get(self.architecture)
        return wanted.variant is None or (self.variant or default) == (wanted.variant or default)


@dataclass(frozen=True)
class IndexEntry:
    """One platform's image manifest, as an index lists it."""

    platform: Platform
    digest: str
    media_type: str


def parse_platform(text: str) -> Platform:
    """``linux/amd64``, ``linux/arm64/v8``: os/architecture[/variant]."""
    parts = text.strip().lower().split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise InvalidInput(
            [f"--platform '{text}' is not os/architecture[/variant]"], hint="write it like linux/amd64 or linux/arm64"
        )
    return Platform(*parts)


def manifest_digest(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def decode_manifest(body: bytes, content_type: str | None, where: str) -> tuple[str, dict[str, Any]]:
    """The media type and the document; refuse schema1 and anything that is not an image or an index."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise UnsupportedManifest(
            f"{where} answered with something that is not a JSON image manifest",
            hint="check that the host is a container registry; or type the size yourself",
        )
    media_type = (content_type or "").split(";")[0].strip() or document.get("mediaType") or _guess_type(document)
    if media_type in SCHEMA1_TYPES or document.get("schemaVersion") == 1:
        raise UnsupportedManifest(
            f"{where} is stored in the old Docker schema 1 format, which lists no layer sizes",
            hint="push the image again with a current Docker or buildx (they write schema 2), "
            "or type the size yourself",
        )
    if media_type not in INDEX_TYPES | IMAGE_TYPES:
        raise UnsupportedManifest(
            f"{where} is a '{media_type}', not a container image",
            hint="check the reference; the tool sizes OCI and Docker v2 images and indexes",
        )
    return media_type, document


def image_size_of(document: dict[str, Any], where: str) -> int:
    """Config blob plus layers: the bytes a pull downloads (compressed)."""
    try:
        blobs = [document["config"], *document.get("layers", [])]
        return sum(int(blob["size"]) for blob in blobs)
    except (KeyError, TypeError, ValueError):
        raise UnsupportedManifest(
            f"{where} has an image manifest without config or layer sizes",
            hint="the image may be damaged; push it again, or type the size yourself",
        ) from None


def index_entries(document: dict[str, Any]) -> list[IndexEntry]:
    """The platform images of an index; attestations (``unknown/unknown``) and entries without a platform are
    left out, as ``docker pull`` ignores them."""
    entries = []
    for item in document.get("manifests", []):
        platform = item.get("platform") or {}
        os_name, arch = platform.get("os"), platform.get("architecture")
        if not os_name or not arch or "unknown" in (os_name, arch):
            continue
        entries.append(
            IndexEntry(
                platform=Platform(os_name, arch, platform.get("variant") or None),
                digest=item["digest"],
                media_type=item.get("mediaType", ""),
            )
        )
    return entries


def choose_platform(entries: list[IndexEntry], wanted: Platform, where: str) -> IndexEntry:
    for entry in entries:
        if entry.platform.matches(wanted):
            return entry
    found = ", ".join(str(e.platform) for e in entries) or "none"
    raise PlatformNotFound(
        f"{where} has no image for {wanted}; platforms found: {found}",
        hint="pick one of those with --platform, or ask the image's maintainers to build for yours",
    )


def _guess_type(document: dict[str, Any]) -> str:
    if "manifests" in document:
        return OCI_INDEX
    if "layers" in document or "config" in document:
        return OCI_MANIFEST
    return ""
