"""Whatever a registry answers, the manifest readers return a value or raise an ImageError: never a traceback.

The documents are arbitrary JSON with the real keys mixed in, so that most of them get past the first checks and
reach the deeper ones; the bodies are arbitrary bytes and the content types arbitrary text."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import event, given, settings
from hypothesis import strategies as st

from wizard.errors import ImageError, PlatformNotFound
from wizard.images.image_manifest import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    DOCKER_SCHEMA1,
    GENERIC_TYPES,
    IMAGE_TYPES,
    INDEX_TYPES,
    OCI_INDEX,
    OCI_MANIFEST,
    SIZE_LIMIT,
    Descriptor,
    IndexEntry,
    Platform,
    choose_platform,
    decode_manifest,
    image_blobs,
    image_size_of,
    index_entries,
    is_digest,
)
from wizard.units import human_bytes

T = TypeVar("T")
WHERE = "127.0.0.1:5000/a/b:1"
EXAMPLES = settings(max_examples=300, deadline=None)

KEYS = ["schemaVersion", "mediaType", "config", "layers", "manifests", "size", "digest", "platform", "annotations"]
MEDIA_TYPES = [OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST, DOCKER_SCHEMA1, "text/html"]
CONTENT_TYPES = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from([*GENERIC_TYPES, *MEDIA_TYPES]),
    st.builds(lambda t, p: f"{t}; {p}", st.sampled_from([*GENERIC_TYPES, *MEDIA_TYPES]), st.text(max_size=20)),
)

# sizes at the edges, and numbers too long for Python to turn into text (over 4300 digits)
EDGE_INTS = st.one_of(
    st.sampled_from([0, -1, 2**63 - 1, 2**63, -(2**63), 10**4000, -(10**4000)]),
    st.integers(4301, 4400).map(lambda digits: 10**digits),  # built late: repr() of such a number raises
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    EDGE_INTS,
    st.floats(),  # NaN and infinities included: Python's json reads and writes them
    st.text(max_size=30),
    st.sampled_from(MEDIA_TYPES),
    st.builds(lambda n: f"sha256:{n:064x}", st.integers(0, 2**256 - 1)),
)
KEY = st.one_of(st.sampled_from(KEYS), st.text(max_size=10), st.sampled_from(["os", "architecture", "variant"]))
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(KEY, children, max_size=6)),
    max_leaves=20,
)

# Documents close to real ones: well-formed parts, parts with any field replaced by any JSON value, and any JSON
# value in the place of a part. Well-formed parts come up more often, so that whole documents often are.
SHA256 = st.builds(lambda n: f"sha256:{n:064x}", st.integers(0, 2**256 - 1))
DIGESTS = st.one_of(SHA256, JSON)
SIZES = st.one_of(st.integers(0, 2**62), st.integers(), EDGE_INTS, JSON)
ANNOTATIONS = st.dictionaries(st.text(max_size=5), SCALARS, max_size=3)
GOOD_DESCRIPTOR = st.fixed_dictionaries(
    {"mediaType": st.sampled_from(MEDIA_TYPES), "digest": SHA256, "size": st.integers(0, 2**40)},
    optional={"annotations": ANNOTATIONS, "urls": st.lists(st.text(max_size=10), max_size=2)},
)
ANY_DESCRIPTOR = st.fixed_dictionaries(
    {"mediaType": st.one_of(st.sampled_from(MEDIA_TYPES), JSON), "digest": DIGESTS, "size": SIZES},
    optional={"annotations": st.one_of(ANNOTATIONS, JSON),
              "urls": st.one_of(st.lists(st.one_of(st.text(max_size=10), SCALARS), max_size=3), JSON)},
)  # fmt: skip
DESCRIPTORS = st.one_of(GOOD_DESCRIPTOR, GOOD_DESCRIPTOR, GOOD_DESCRIPTOR, ANY_DESCRIPTOR, JSON)
GOOD_PLATFORM = st.fixed_dictionaries(
    {"os": st.sampled_from(["linux", "windows"]), "architecture": st.sampled_from(["amd64", "arm64", "arm"])},
    optional={"variant": st.sampled_from(["v6", "v7", "v8"])},
)
ANY_PLATFORM = st.fixed_dictionaries(
    {"os": st.one_of(st.sampled_from(["linux", "unknown", ""]), SCALARS),
     "architecture": st.one_of(st.sampled_from(["amd64", "unknown"]), SCALARS)},
    optional={"variant": st.one_of(st.sampled_from(["v6", "v7", "v8"]), SCALARS)},
)  # fmt: skip
PLATFORMS = st.one_of(GOOD_PLATFORM, GOOD_PLATFORM, ANY_PLATFORM, JSON)
GOOD_IMAGE = st.fixed_dictionaries(
    {"schemaVersion": st.just(2), "mediaType": st.sampled_from([OCI_MANIFEST, DOCKER_MANIFEST]),
     "config": GOOD_DESCRIPTOR, "layers": st.lists(GOOD_DESCRIPTOR, max_size=6)},
)  # fmt: skip
ANY_IMAGE = st.fixed_dictionaries(
    {"schemaVersion": st.one_of(st.just(2), SCALARS), "config": DESCRIPTORS},
    optional={"mediaType": st.one_of(st.sampled_from(MEDIA_TYPES), JSON),
              "layers": st.one_of(st.lists(DESCRIPTORS, max_size=6), JSON)},
)  # fmt: skip
IMAGES = st.one_of(GOOD_IMAGE, ANY_IMAGE, ANY_IMAGE)
GOOD_ENTRY = st.fixed_dictionaries(
    {"mediaType": st.sampled_from(MEDIA_TYPES), "digest": SHA256, "platform": PLATFORMS},
    optional={"size": st.integers(0, 2**20)},
)
ANY_ENTRY = st.fixed_dictionaries(
    {"digest": DIGESTS},
    optional={"mediaType": st.one_of(st.sampled_from(MEDIA_TYPES), JSON), "platform": PLATFORMS, "size": SIZES},
)
ENTRIES = st.one_of(GOOD_ENTRY, GOOD_ENTRY, GOOD_ENTRY, ANY_ENTRY, JSON)
GOOD_INDEX = st.fixed_dictionaries(
    {"schemaVersion": st.just(2), "mediaType": st.sampled_from([OCI_INDEX, DOCKER_MANIFEST_LIST]),
     "manifests": st.lists(GOOD_ENTRY, min_size=1, max_size=6)},
)  # fmt: skip
ANY_INDEX = st.fixed_dictionaries(
    {"schemaVersion": st.one_of(st.just(2), SCALARS), "manifests": st.one_of(st.lists(ENTRIES, max_size=6), JSON)},
    optional={"mediaType": st.one_of(st.sampled_from(MEDIA_TYPES), JSON)},
)
INDEXES = st.one_of(GOOD_INDEX, ANY_INDEX, ANY_INDEX)
DOCUMENTS = st.one_of(IMAGES, INDEXES, JSON)
WANTED = st.builds(Platform, st.sampled_from(["linux", "windows"]), st.sampled_from(["amd64", "arm64", "arm"]),
                   st.sampled_from([None, "v7", "v8"]))  # fmt: skip


def value_or_image_error(call: Callable[[], T]) -> T | None:
    """The value, or None for an ImageError; anything else is raised, and fails the test."""
    try:
        return call()
    except ImageError:
        return None


def body_of(document: Any) -> bytes:
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # write numbers past Python's 4300 digits, as a registry may
    try:
        return json.dumps(document).encode()
    finally:
        sys.set_int_max_str_digits(limit)


def check_descriptor(descriptor: Descriptor) -> None:
    assert isinstance(descriptor.media_type, str) and is_digest(descriptor.digest)
    assert type(descriptor.size) is int and 0 <= descriptor.size < SIZE_LIMIT
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in descriptor.annotations.items())
    assert all(isinstance(url, str) for url in descriptor.urls)
    hash(descriptor)


def check_image(document: Any) -> None:
    blobs = value_or_image_error(lambda: image_blobs(document, WHERE))
    size = value_or_image_error(lambda: image_size_of(document, WHERE))
    if blobs is None:
        assert size is None  # the size is read through image_blobs: one refuses when the other does
        event("image: refused")
        return
    config, layers = blobs
    for descriptor in (config, *layers):
        check_descriptor(descriptor)
    total = config.size + sum(layer.size for layer in layers)
    if total >= SIZE_LIMIT:
        assert size is None
    else:
        assert size == total
        human_bytes(size)
    event("image: sized" if size is not None else "image: sizes add up to too much")


def check_index(document: Any, wanted: Platform) -> None:
    entries = value_or_image_error(lambda: index_entries(document, WHERE))
    event("index: refused" if entries is None else f"index: {min(len(entries), 2)} platforms or more")
    if entries is None:
        return
    for entry in entries:
        assert isinstance(entry, IndexEntry) and is_digest(entry.digest) and isinstance(entry.media_type, str)
        assert all(isinstance(part, str) and part for part in (entry.platform.os, entry.platform.architecture))
        assert entry.platform.variant is None or isinstance(entry.platform.variant, str)
        assert "unknown" not in str(entry.platform).split("/")
    try:
        chosen = choose_platform(entries, wanted, WHERE)
    except PlatformNotFound as error:
        assert not any(entry.platform.matches(wanted) for entry in entries)
        assert "platforms found:" in error.message
    else:
        assert chosen in entries and chosen.platform.matches(wanted)


@EXAMPLES
@given(st.binary(max_size=300), CONTENT_TYPES)
def test_any_bytes_under_any_content_type(body: bytes, content_type: str | None) -> None:
    decoded = value_or_image_error(lambda: decode_manifest(body, content_type, WHERE))
    if decoded is not None:
        media_type, document = decoded
        assert media_type in IMAGE_TYPES | INDEX_TYPES and isinstance(document, dict)


@EXAMPLES
@given(DOCUMENTS, CONTENT_TYPES, WANTED)
def test_any_json_document_read_as_a_lookup_reads_it(document: Any, content_type: str | None, wanted: Platform) -> None:
    decoded = value_or_image_error(lambda: decode_manifest(body_of(document), content_type, WHERE))
    if decoded is None:
        return
    media_type, document = decoded
    if media_type in IMAGE_TYPES:
        check_image(document)
    else:
        check_index(document, wanted)


@EXAMPLES
@given(st.one_of(IMAGES, JSON))
def test_image_readers_on_any_value(document: Any) -> None:
    check_image(document)


@EXAMPLES
@given(st.one_of(INDEXES, JSON), WANTED)
def test_index_readers_on_any_value(document: Any, wanted: Platform) -> None:
    check_index(document, wanted)
    # the one-argument call lookups make must behave the same
    value_or_image_error(lambda: index_entries(document))


@EXAMPLES
@given(st.integers(0, 2**63 - 1))
def test_human_bytes_on_any_size_a_manifest_may_give(size: int) -> None:
    number, unit = human_bytes(size).split()
    assert float(number) >= 0 and unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


@EXAMPLES
@given(st.one_of(st.integers(0, 40), st.integers(0, 200_000)))
def test_nesting_is_refused_past_32_levels_however_deep(depth: int) -> None:
    # document, layers, descriptor, annotations: four levels before the nested lists start
    layer = f'{{"digest": "sha256:{"a" * 64}", "size": 1, "annotations": {{"x": {"[" * depth}1{"]" * depth}}}}}'
    body = f'{{"mediaType": "{OCI_MANIFEST}", "config": {layer}, "layers": [{layer}]}}'.encode()
    decoded = value_or_image_error(lambda: decode_manifest(body, None, WHERE))
    assert (decoded is not None) == (4 + depth <= 32)
