"""Image manifests and indexes as the distribution API returns them: pure functions, no I/O.

An image manifest lists a config blob and layers; what ``docker pull`` downloads is their sum, so that sum is the
image size. An index (OCI image index, Docker manifest list) lists one image manifest per platform.

Whatever a registry sends, each reader here returns a value or raises :class:`UnsupportedManifest` saying what is
wrong with the document: a registry's answer is input from outside, and a traceback would tell nobody anything.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

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

# Content types that say nothing about which manifest this is: registries and proxies that do not know the
# manifest types send these, so the document's own mediaType decides.
GENERIC_TYPES = frozenset({"", "application/json", "text/plain", "application/octet-stream", "binary/octet-stream"})

# A manifest is three or four levels deep (document, layers, descriptor, annotations); far deeper is not one.
MAX_DEPTH = 32
# Byte counts are signed 64-bit in the OCI spec and in every registry and runtime.
SIZE_LIMIT = 2**63

# arm64 images are v8 unless they say otherwise; Docker and containerd match them that way
DEFAULT_VARIANTS = {"arm64": "v8"}

DAMAGED_HINT = "the image may be damaged; push it again, or type the size yourself"
NOT_A_REGISTRY_HINT = "check that the host is a container registry; or type the size yourself"

# The OCI digest grammar; the registered algorithms also fix the length and case of the hex.
_DIGEST = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_REGISTERED_DIGESTS = {"sha256": re.compile(r"[a-f0-9]{64}"), "sha512": re.compile(r"[a-f0-9]{128}")}
# No byte count needs more digits than this; longer numbers are not converted (see _LongNumber).
_LONGEST_NUMBER = 64


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


@dataclass(frozen=True)
class Descriptor:
    """A blob an image manifest names (its config or a layer), checked: ``digest`` follows the OCI digest
    grammar, ``size`` is a whole number of bytes in [0, 2**63)."""

    media_type: str
    digest: str
    size: int
    # a plain dict, so that asdict and json.dumps take it; left out of the hash (a dict has none), still compared
    annotations: Mapping[str, str] = field(hash=False)
    urls: tuple[str, ...] = ()  # where a foreign layer is downloaded from instead of the registry


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


def is_digest(value: object) -> bool:
    """Whether ``value`` is a digest as the OCI spec writes them: ``algorithm:encoded``."""
    if not isinstance(value, str) or not _DIGEST.fullmatch(value):
        return False
    algorithm, _, encoded = value.partition(":")
    registered = _REGISTERED_DIGESTS.get(algorithm)
    return registered is None or registered.fullmatch(encoded) is not None


def decode_manifest(body: bytes, content_type: str | None, where: str) -> tuple[str, dict[str, Any]]:
    """The media type and the document; refuse schema1 and anything that is not an image or an index.

    The media type is the Content-Type's, unless that is a generic one (application/json, text/plain, ...):
    then the document's own ``mediaType``, else a guess from its keys."""
    try:
        document = json.loads(body, parse_int=_json_int)
    except RecursionError:
        raise _too_deep(where) from None
    except ValueError:  # also UnicodeDecodeError: bytes that are no text at all
        document = None
    if not isinstance(document, dict):
        raise UnsupportedManifest(
            f"{where} answered with something that is not a JSON image manifest", hint=NOT_A_REGISTRY_HINT
        )
    if _deeper_than(document, MAX_DEPTH):
        raise _too_deep(where)
    header_type = (content_type or "").split(";")[0].strip().lower()
    own_type = document.get("mediaType")
    if header_type not in GENERIC_TYPES:
        media_type = header_type
    elif isinstance(own_type, str) and own_type:
        media_type = own_type
    else:
        media_type = _guess_type(document)
    if media_type in SCHEMA1_TYPES or _is_exactly(document.get("schemaVersion"), 1):
        raise UnsupportedManifest(
            f"{where} is stored in the old Docker schema 1 format, which lists no layer sizes",
            hint="push the image again with a current Docker or buildx (they write schema 2), "
            "or type the size yourself",
        )
    if media_type not in INDEX_TYPES | IMAGE_TYPES:
        raise UnsupportedManifest(
            f"{where} is a {_shown(media_type)}, not a container image",
            hint="check the reference; the tool sizes OCI and Docker v2 images and indexes",
        )
    return media_type, document


def image_blobs(document: dict[str, Any], where: str) -> tuple[Descriptor, list[Descriptor]]:
    """The config blob and the layers of an image manifest, each checked (see :class:`Descriptor`)."""
    if not isinstance(document, dict):
        raise UnsupportedManifest(f"{where} is {_kind(document)}, not an image manifest", hint=DAMAGED_HINT)
    if "config" not in document:
        raise UnsupportedManifest(f"{where} has an image manifest without a config blob", hint=DAMAGED_HINT)
    config = _descriptor(document["config"], "the config", where)
    # a manifest without the key lists no layers; one whose layers are not a list is damaged
    layers = document.get("layers", [])
    if not isinstance(layers, list):
        raise UnsupportedManifest(f"the layers of {where} are {_kind(layers)}, not a list of layers", hint=DAMAGED_HINT)
    return config, [_descriptor(layer, f"layer {number}", where) for number, layer in enumerate(layers, 1)]


def image_size_of(document: dict[str, Any], where: str) -> int:
    """Config blob plus layers: the bytes a pull downloads (compressed)."""
    config, layers = image_blobs(document, where)
    total = config.size + sum(layer.size for layer in layers)
    if total >= SIZE_LIMIT:
        raise UnsupportedManifest(
            f"the config and layers of {where} add up to {total} bytes, more than any image can hold (8 EiB)",
            hint=DAMAGED_HINT,
        )
    return total


def index_entries(document: dict[str, Any], where: str = "the index") -> list[IndexEntry]:
    """The platform images of an index; attestations (``unknown/unknown``) and entries without a platform are
    left out, as ``docker pull`` ignores them. Every entry must still be an object with a valid digest."""
    if not isinstance(document, dict):
        raise UnsupportedManifest(f"{where} is {_kind(document)}, not an index", hint=DAMAGED_HINT)
    items = document.get("manifests", [])
    if not isinstance(items, list):
        raise UnsupportedManifest(
            f"the manifests of {where} are {_kind(items)}, not a list of manifests", hint=DAMAGED_HINT
        )
    entries = []
    for number, item in enumerate(items, 1):
        what = f"entry {number} of {where}"
        if not isinstance(item, dict):
            raise UnsupportedManifest(
                f"{what} is {_kind(item)}, not an object with mediaType, digest and platform", hint=DAMAGED_HINT
            )
        digest = _checked_digest(item, what)
        media_type = _checked_media_type(item, what)
        platform = _platform_of(item.get("platform"))
        if platform is not None:
            entries.append(IndexEntry(platform=platform, digest=digest, media_type=media_type))
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


def _descriptor(value: object, what: str, where: str) -> Descriptor:
    if not isinstance(value, dict):
        raise UnsupportedManifest(
            f"{what} of {where} is {_kind(value)}, not an object with mediaType, digest and size", hint=DAMAGED_HINT
        )
    described = f"{what} of {where}"
    media_type = _checked_media_type(value, described)
    digest = _checked_digest(value, described)
    if "size" not in value:
        raise UnsupportedManifest(f"{described} has no size; a size is a whole number of bytes", hint=DAMAGED_HINT)
    size = value["size"]
    if type(size) is not int or not 0 <= size < SIZE_LIMIT:
        raise UnsupportedManifest(f"{described} {_size_problem(size)}", hint=DAMAGED_HINT)
    annotations = value.get("annotations")
    kept = {k: v for k, v in annotations.items() if isinstance(v, str)} if isinstance(annotations, dict) else {}
    urls = value.get("urls")
    return Descriptor(
        media_type=media_type,
        digest=digest,
        size=size,
        annotations=kept,
        urls=tuple(url for url in urls if isinstance(url, str)) if isinstance(urls, list) else (),
    )


def _checked_digest(value: dict[str, Any], described: str) -> str:
    if "digest" not in value:
        raise UnsupportedManifest(f"{described} has no digest", hint=DAMAGED_HINT)
    digest = value["digest"]
    if not is_digest(digest):
        raise UnsupportedManifest(
            f"{described} has the digest {_shown(digest)}, which is not algorithm:hex "
            "(like sha256: and 64 lowercase hex digits)",
            hint=DAMAGED_HINT,
        )
    return digest


def _checked_media_type(value: dict[str, Any], described: str) -> str:
    # a missing mediaType costs nothing when sizing; one of the wrong type means the document is not what it says
    media_type = value.get("mediaType", "")
    if not isinstance(media_type, str):
        raise UnsupportedManifest(
            f"{described} has {_kind(media_type)} as its mediaType, which should be text like {OCI_MANIFEST}",
            hint=DAMAGED_HINT,
        )
    return media_type


def _platform_of(value: object) -> Platform | None:
    """The entry's platform, or None for one ``docker pull`` would not pick: none, not an object, or unknown."""
    if not isinstance(value, dict):
        return None
    os_name, arch, variant = value.get("os"), value.get("architecture"), value.get("variant")
    if not (isinstance(os_name, str) and isinstance(arch, str)) or not os_name or not arch:
        return None
    if "unknown" in (os_name, arch):
        return None
    return Platform(os_name, arch, variant if isinstance(variant, str) and variant else None)


def _size_problem(size: object) -> str:
    rule = "a size is a whole number of bytes"
    if isinstance(size, int) and not isinstance(size, bool) and size >= SIZE_LIMIT:
        rule += ", less than 8 EiB (2**63)"
    if _too_long_to_show(size):
        sign = "negative " if size < 0 else ""  # type: ignore[operator]
        return f"has a {sign}size {_digit_count(size)} digits long; {rule}"  # type: ignore[arg-type]
    if isinstance(size, str):
        return f"has the size {_shown(size)}, written as text; {rule}"
    if isinstance(size, dict | list):
        return f"has {_kind(size)} as its size; {rule}"
    return f"has the size {_shown(size)}; {rule}"


def _kind(value: object) -> str:
    """What a JSON value is, in words: 'the string "x"', 'the number 7', 'a list of 3', 'null'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the string {_shown(value)}"
    if isinstance(value, int | float):
        return f"the number {_shown(value)}" if not _too_long_to_show(value) else _shown(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _shown(value: object, limit: int = 140) -> str:
    """A JSON value short enough for a message (a sha512 digest still fits), control characters escaped."""
    if _too_long_to_show(value):
        return f"a number {_digit_count(value)} digits long"  # type: ignore[arg-type]
    if isinstance(value, dict | list):
        return _kind(value)
    try:
        text = json.dumps(value)  # ensure_ascii: no terminal control sequences reach the message
    except (TypeError, ValueError):
        text = type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _too_long_to_show(value: object) -> bool:
    return isinstance(value, _LongNumber) or (
        isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200
    )


def _digit_count(value: int) -> int:
    if isinstance(value, _LongNumber):
        return value.digits
    # from the bit length: converting a huge int to text is what Python refuses (and what costs)
    digits = int(abs(value).bit_length() * 0.30102999566398120) + 1
    return digits - 1 if 10 ** (digits - 1) > abs(value) else digits


class _LongNumber(int):
    """A JSON integer longer than any byte count, kept as its digit count. Converting it would cost quadratic
    time, and Python refuses numbers over 4300 digits, which would make the whole answer look like no JSON.
    Its value is ±2**63, so every range check refuses it."""

    digits: int

    def __new__(cls, text: str) -> Self:
        negative = text.startswith("-")
        number = super().__new__(cls, -SIZE_LIMIT if negative else SIZE_LIMIT)
        number.digits = len(text) - negative
        return number


def _json_int(text: str) -> int:
    return _LongNumber(text) if len(text) > _LONGEST_NUMBER else int(text)


def _is_exactly(value: object, number: int) -> bool:
    return type(value) is int and value == number


def _deeper_than(document: object, limit: int) -> bool:
    # a stack, not recursion: a document's depth is the sender's choice
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _too_deep(where: str) -> UnsupportedManifest:
    return UnsupportedManifest(
        f"{where} answered with a JSON document nested more than {MAX_DEPTH} levels deep; "
        "an image manifest is a few levels deep",
        hint=NOT_A_REGISTRY_HINT,
    )
