"""Container images: references, sizes over the OCI distribution API, authentication and credentials.

The core knows no UI. Front ends call :func:`lookup_sizes` (many references, settings and credentials applied)
or :func:`look_up_one` (one reference; raises its :class:`ImageError`), or :func:`image_size` (one reference
through a client they own)::

    results = await lookup_sizes(["ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2"], settings=settings)
    for text, result in results.items():
        if isinstance(result, ImageError): print(result)
        else: print(result.size, human_bytes(result.size))

Modules: ``reference`` (parsing, pure), ``image_manifest`` (manifest documents, pure), ``auth`` (challenges and
tokens), ``credentials`` (flags, environment, Docker's config and helpers), ``faults`` (retries and messages),
``registries`` (per-run state: clients, pings, authorisation), ``lookup`` (sizes), ``docker_engine`` (unpacked
sizes from a local engine), ``units``.
"""

from wizard.images.credentials import Credential, Credentials
from wizard.images.docker_engine import local_unpacked_size
from wizard.images.faults import RetryPolicy
from wizard.images.image_manifest import Platform, parse_platform
from wizard.images.lookup import (
    DEFAULT_PLATFORM,
    ImageSize,
    PlatformSize,
    image_size,
    image_sizes,
    look_up_one,
    lookup_sizes,
)
from wizard.images.reference import ImageReference, parse_reference
from wizard.images.registries import ContainerRegistries, registry_base_url
from wizard.units import human_bytes

__all__ = [
    "DEFAULT_PLATFORM",
    "ContainerRegistries",
    "Credential",
    "Credentials",
    "ImageReference",
    "ImageSize",
    "Platform",
    "PlatformSize",
    "RetryPolicy",
    "human_bytes",
    "image_size",
    "image_sizes",
    "local_unpacked_size",
    "look_up_one",
    "lookup_sizes",
    "parse_platform",
    "parse_reference",
    "registry_base_url",
]
