"""Push test images to a container registry over the distribution API, and say what a lookup should find.

Blobs go up monolithically (``POST /v2/<name>/blobs/uploads/``, then ``PUT <location>&digest=...``); manifests
with ``PUT /v2/<name>/manifests/<tag>``. Layers are real gzip'd tar streams (``tests.servers.layers``), or any
:class:`Layer` given to ``push_layers``. The download size of an image is its config blob plus its layer blobs,
and its unpacked size the sum of its tar streams' lengths, both computed here from what was actually pushed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace

import httpx

from tests.servers.layers import DOCKER_GZIP, Layer, gzip_layer, sample_tar

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"

MEDIA_TYPES = {
    "docker": (DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER, DOCKER_MANIFEST_LIST),
    "oci": (OCI_MANIFEST, OCI_CONFIG, OCI_LAYER, OCI_INDEX),
}


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class PushedImage:
    """One image manifest as pushed. ``size`` is the download size a lookup must report (config plus layer
    blobs), ``unpacked_size`` the unpacked one (the layers' tar lengths)."""

    host: str
    repository: str
    tag: str | None
    digest: str
    media_type: str
    size: int
    platform: str
    layer_sizes: tuple[int, ...]
    manifest: bytes = field(repr=False)
    unpacked_size: int = 0

    @property
    def reference(self) -> str:
        return f"{self.host}/{self.repository}:{self.tag}" if self.tag else self.by_digest

    @property
    def by_digest(self) -> str:
        return f"{self.host}/{self.repository}@{self.digest}"


@dataclass(frozen=True)
class PushedIndex:
    """A multi-platform index; ``images`` maps ``os/arch[/variant]`` to each platform's image."""

    host: str
    repository: str
    tag: str
    digest: str
    media_type: str
    images: dict[str, PushedImage]

    @property
    def reference(self) -> str:
        return f"{self.host}/{self.repository}:{self.tag}"


class ChallengeAuth(httpx.Auth):
    """Answer a registry's 401 the simple way, for pushing: Basic, or a Bearer token from the realm."""

    requires_response_body = True

    def __init__(self, username: str | None = None, password: str | None = None) -> None:
        self._basic = None
        if username is not None and password is not None:
            self._basic = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield request
        if response.status_code != 401:
            return
        header = response.headers.get("www-authenticate", "")
        params = dict(re.findall(r'(\w+)="([^"]*)"', header))
        if header.lower().startswith("basic"):
            request.headers["Authorization"] = self._basic or ""
        else:
            query = {k: v for k, v in params.items() if k in ("service", "scope")}
            token_request = httpx.Request("GET", httpx.URL(params["realm"]).copy_merge_params(query))
            if self._basic:
                token_request.headers["Authorization"] = self._basic
            token_response = yield token_request
            request.headers["Authorization"] = "Bearer " + token_response.json()["token"]
        yield request


class ImagePusher:
    """Pushes images to one container registry through a synchronous httpx client."""

    def __init__(self, host: str, auth: httpx.Auth | None = None) -> None:
        self.host = host
        self.client = httpx.Client(base_url=f"http://{host}", auth=auth, timeout=30.0)

    def close(self) -> None:
        self.client.close()

    def push_blob(self, repository: str, data: bytes | Layer) -> str:
        digest = data.digest if isinstance(data, Layer) else sha256_digest(data)
        # bytes where they fit, so that an authentication flow can send them again
        content = (data.chunks() if data.path else data.data) if isinstance(data, Layer) else data
        started = self.client.post(f"/v2/{repository}/blobs/uploads/")
        started.raise_for_status()
        location = httpx.URL(started.headers["location"])
        if not location.is_absolute_url:
            location = self.client.base_url.join(location)
        done = self.client.put(
            location.copy_merge_params({"digest": digest}),
            content=content,
            headers={"Content-Type": "application/octet-stream"},
        )
        done.raise_for_status()
        return digest

    def push_manifest(self, repository: str, reference: str, body: bytes, media_type: str) -> str:
        response = self.client.put(
            f"/v2/{repository}/manifests/{reference}", content=body, headers={"Content-Type": media_type}
        )
        response.raise_for_status()
        return sha256_digest(body)

    def push_image(
        self,
        repository: str,
        tag: str | None = "latest",
        *,
        layers: int | Sequence[int] = (1500, 2500),
        kind: str = "docker",
        platform: str = "linux/amd64",
    ) -> PushedImage:
        """Push an image of gzip'd tar layers holding about the given numbers of bytes each (or that many
        layers of assorted sizes)."""
        media_type = DOCKER_GZIP if kind == "docker" else MEDIA_TYPES["oci"][2]
        built = [
            gzip_layer(sample_tar(size, seed=zlib.crc32(f"{repository}:{tag}:{n}:{size}".encode())), media_type=media_type)
            for n, size in enumerate(layer_sizes_of(layers))
        ]
        return self.push_layers(repository, tag, built, kind=kind, platform=platform)

    def push_layers(
        self,
        repository: str,
        tag: str | None,
        layers: Sequence[Layer],
        *,
        kind: str = "oci",
        platform: str = "linux/amd64",
        config_platform: str | None = None,
    ) -> PushedImage:
        """Push an image made of these layers; its config says ``config_platform`` (default: ``platform``)."""
        manifest_type, config_type, _, _ = MEDIA_TYPES[kind]
        os_name, architecture, *variant = (config_platform or platform).split("/")
        descriptors = []
        for layer in layers:
            descriptor = {"mediaType": layer.media_type, "size": layer.size, "digest": self.push_blob(repository, layer)}
            if layer.annotations:
                descriptor["annotations"] = dict(layer.annotations)
            descriptors.append(descriptor)
        config = {
            "architecture": architecture,
            "os": os_name,
            **({"variant": variant[0]} if variant else {}),
            "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in descriptors]},
            "config": {},
        }
        config_bytes = json.dumps(config).encode()
        document = {
            "schemaVersion": 2,
            "mediaType": manifest_type,
            "config": {
                "mediaType": config_type,
                "size": len(config_bytes),
                "digest": self.push_blob(repository, config_bytes),
            },
            "layers": descriptors,
        }
        body = json.dumps(document, indent=3).encode()
        digest = self.push_manifest(repository, tag or sha256_digest(body), body, manifest_type)
        layer_sizes = tuple(layer.size for layer in layers)
        return PushedImage(
            host=self.host,
            repository=repository,
            tag=tag,
            digest=digest,
            media_type=manifest_type,
            size=len(config_bytes) + sum(layer_sizes),
            platform=platform,
            layer_sizes=layer_sizes,
            manifest=body,
            unpacked_size=sum(layer.unpacked for layer in layers),
        )

    def tag(self, image: PushedImage, tag: str) -> PushedImage:
        """The same image manifest under another tag (no new blobs)."""
        self.push_manifest(image.repository, tag, image.manifest, image.media_type)
        return replace(image, tag=tag)

    def push_index(
        self,
        repository: str,
        tag: str = "latest",
        *,
        platforms: Sequence[str] = ("linux/amd64", "linux/arm64"),
        kind: str = "oci",
        layers: int | Sequence[int] = (1500, 2500),
        attestation: bool = False,
    ) -> PushedIndex:
        """A multi-platform index; each platform gets its own layers (so its own size). ``attestation`` adds a
        buildx-style ``unknown/unknown`` entry that lookups must ignore."""
        _, _, _, index_type = MEDIA_TYPES[kind]
        images = {}
        for number, platform in enumerate(platforms):
            sizes = [size + 101 * number for size in layer_sizes_of(layers)]
            images[platform] = self.push_image(repository, None, layers=sizes, kind=kind, platform=platform)
        entries = [_index_entry(image) for image in images.values()]
        if attestation:
            extra = self.push_layers(repository, None, [Layer("application/vnd.in-toto+json", 64, bytes(64))],
                                     kind=kind, platform="unknown/unknown")
            entries.append(_index_entry(extra))
        body = json.dumps({"schemaVersion": 2, "mediaType": index_type, "manifests": entries}, indent=3).encode()
        digest = self.push_manifest(repository, tag, body, index_type)
        return PushedIndex(self.host, repository, tag, digest, index_type, images)


def layer_sizes_of(layers: int | Sequence[int]) -> tuple[int, ...]:
    """Sizes as given, or ``layers`` distinct sizes, so that a sum that drops or repeats a layer is wrong."""
    return tuple(1000 + 37 * i for i in range(layers)) if isinstance(layers, int) else tuple(layers)


def _index_entry(image: PushedImage) -> dict[str, object]:
    os_name, architecture, *variant = image.platform.split("/")
    platform = {"os": os_name, "architecture": architecture, **({"variant": variant[0]} if variant else {})}
    return {"mediaType": image.media_type, "size": len(image.manifest), "digest": image.digest, "platform": platform}
