"""Manifest documents: sizes, platforms, and the formats that are refused. Pure functions, no network."""

from __future__ import annotations

import json

import pytest

from wizard.errors import InvalidInput, PlatformNotFound, UnsupportedManifest
from wizard.images.image_manifest import (
    DOCKER_MANIFEST,
    DOCKER_SCHEMA1_SIGNED,
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    Platform,
    choose_platform,
    decode_manifest,
    image_blobs,
    image_size_of,
    index_entries,
    is_digest,
    parse_platform,
)
from wizard.units import human_bytes

REF = "ghcr.io/a/b:1"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DAMAGED = "the image may be damaged; push it again, or type the size yourself"


def index_of(*platforms: dict[str, str]) -> dict[str, object]:
    return {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": f"sha256:{n:064x}", "size": 500, "platform": p}
            for n, p in enumerate(platforms)
        ],
    }


def blob(size: object = 100, n: int = 1, **more: object) -> dict[str, object]:
    return {"mediaType": LAYER, "digest": f"sha256:{n:064x}", "size": size, **more}


def image_of(*layers: object, config: object = None) -> dict[str, object]:
    config = blob(7, 0, mediaType="application/vnd.oci.image.config.v1+json") if config is None else config
    return {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": list(layers)}


def refusal(document: object) -> UnsupportedManifest:
    with pytest.raises(UnsupportedManifest) as caught:
        image_size_of(document, REF)  # type: ignore[arg-type]
    return caught.value


def test_size_is_config_plus_layers() -> None:
    assert image_size_of(image_of(blob(100, 1), blob(2000, 2)), "x") == 2107


def test_blobs_are_read_into_descriptors() -> None:
    foreign = blob(5, 2, annotations={"org.opencontainers.image.title": "x", "count": 3}, urls=["https://e/x", 4])
    config, layers = image_blobs(image_of(blob(100, 1), foreign), REF)
    assert config == Descriptor("application/vnd.oci.image.config.v1+json", f"sha256:{0:064x}", 7, {})
    assert layers[0] == Descriptor(LAYER, f"sha256:{1:064x}", 100, {})
    # annotations keep text values only; urls keep text entries only
    assert layers[1] == Descriptor(
        LAYER, f"sha256:{2:064x}", 5, {"org.opencontainers.image.title": "x"}, ("https://e/x",)
    )
    assert len({config, *layers}) == 3  # hashable, annotations and all


def test_a_manifest_without_layers_is_its_config() -> None:
    document = image_of()
    del document["layers"]
    assert image_size_of(document, REF) == 7


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ({"schemaVersion": 2, "layers": []}, f"{REF} has an image manifest without a config blob"),
        (image_of(config="sha256:abc"), 'the config of ghcr.io/a/b:1 is the string "sha256:abc", not an object'),
        (image_of(config=[]), "the config of ghcr.io/a/b:1 is a list of 0, not an object"),
        ({**image_of(), "layers": {"0": blob()}}, "the layers of ghcr.io/a/b:1 are an object, not a list of layers"),
        ({**image_of(), "layers": None}, "the layers of ghcr.io/a/b:1 are null, not a list"),
        (image_of(blob(), blob(), "layer"), 'layer 3 of ghcr.io/a/b:1 is the string "layer", not an object'),
        (image_of(blob(), 17), "layer 2 of ghcr.io/a/b:1 is the number 17, not an object"),
        (image_of({"mediaType": LAYER, "digest": f"sha256:{1:064x}"}), "layer 1 of ghcr.io/a/b:1 has no size"),
        (image_of(blob("1234")), 'layer 1 of ghcr.io/a/b:1 has the size "1234", written as text; a size is a whole number of bytes'),
        (image_of(blob(1e300)), "layer 1 of ghcr.io/a/b:1 has the size 1e+300; a size is a whole number of bytes"),
        (image_of(blob(12.0)), "has the size 12.0; a size is a whole number of bytes"),
        (image_of(blob(True)), "layer 1 of ghcr.io/a/b:1 has the size true; a size is a whole number of bytes"),
        (image_of(blob(None)), "has the size null; a size is a whole number of bytes"),
        (image_of(blob([1])), "has a list of 1 as its size; a size is a whole number of bytes"),
        (image_of(blob(), blob(), blob(-1000000)), "layer 3 of ghcr.io/a/b:1 has the size -1000000; a size is a whole number of bytes"),
        (image_of(blob(2**63)), "has the size 9223372036854775808; a size is a whole number of bytes, less than 8 EiB"),
        (image_of(blob(10**3999)), "layer 1 of ghcr.io/a/b:1 has a size 4000 digits long; a size is a whole number of bytes, less than 8 EiB"),
        (image_of(blob(-(10**3999))), "has a negative size 4000 digits long"),
        (image_of(config={"mediaType": "x", "size": 7}), "the config of ghcr.io/a/b:1 has no digest"),
        (image_of(blob(digest="sha256:abc")), 'layer 1 of ghcr.io/a/b:1 has the digest "sha256:abc", which is not algorithm:hex'),
        (image_of(blob(digest="sha256:" + "A" * 64)), "which is not algorithm:hex (like sha256: and 64 lowercase hex digits)"),
        (image_of(blob(digest=["sha256:" + "a" * 64])), "has the digest a list of 1, which is not algorithm:hex"),
        (image_of(blob(mediaType=7)), "layer 1 of ghcr.io/a/b:1 has the number 7 as its mediaType, which should be text"),
        (image_of(blob(2**62), blob(2**62, 2)), "the config and layers of ghcr.io/a/b:1 add up to 9223372036854775815 bytes"),
        ("a manifest", 'ghcr.io/a/b:1 is the string "a manifest", not an image manifest'),
    ],
)  # fmt: skip
def test_every_bad_shape_of_an_image_manifest_is_named(document: object, says: str) -> None:
    error = refusal(document)
    assert says in error.message
    assert error.hint == DAMAGED


def test_a_size_too_long_to_write_out_is_not_written_out() -> None:
    # Python refuses to turn ints of over 4300 digits into text: the message must not try
    error = refusal(image_of(blob(10**5000)))
    assert "has a size 5001 digits long" in error.message and len(error.message) < 300


def test_a_long_bad_digest_is_cut_short_in_the_message() -> None:
    error = refusal(image_of(blob(digest="\x1b[31m" + "x" * 10_000)))
    assert len(error.message) < 300 and "\x1b" not in error.message


@pytest.mark.parametrize(
    ("digest", "valid"),
    [
        ("sha256:" + "0123456789abcdef" * 4, True),
        ("sha512:" + "ab" * 64, True),
        ("sha256:" + "ab" * 31, False),  # 62 hex digits
        ("sha256:" + "AB" * 32, False),
        ("sha256:" + "ab" * 32 + "\n", False),
        ("sha512:" + "ab" * 32, False),
        ("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", True),
        ("blake3:" + "cd" * 32, True),
        ("sha256", False),
        (":abc", False),
        ("SHA256:" + "ab" * 32, False),
        ("sha256:", False),
        ("sha--256:abc", False),
        (256, False),
    ],
)
def test_the_oci_digest_grammar(digest: object, valid: bool) -> None:
    assert is_digest(digest) is valid


def test_a_manifest_without_sizes_is_refused() -> None:
    with pytest.raises(UnsupportedManifest, match="without a config blob"):
        image_size_of({"layers": [{"size": 1}]}, "ghcr.io/a/b:1")


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (json.dumps({"schemaVersion": 1, "fsLayers": []}).encode(), DOCKER_SCHEMA1_SIGNED, "schema 1"),
        (json.dumps({"schemaVersion": 1, "fsLayers": []}).encode(), None, "schema 1"),
        (b"<html>hello</html>", "text/html", "not a JSON image manifest"),
        (json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.cncf.helm.config"}).encode(), None, "not a container image"),
    ],
)  # fmt: skip
def test_manifests_we_cannot_size_are_refused_with_a_reason(body: bytes, content_type: str | None, says: str) -> None:
    with pytest.raises(UnsupportedManifest) as caught:
        decode_manifest(body, content_type, "ghcr.io/a/b:1")
    assert says in caught.value.message
    assert "type the size yourself" in (caught.value.hint or "") or "check" in (caught.value.hint or "")


def test_media_type_comes_from_the_header_then_the_body() -> None:
    body = json.dumps({"schemaVersion": 2, "manifests": []}).encode()
    assert decode_manifest(body, f"{OCI_INDEX}; charset=utf-8", "x")[0] == OCI_INDEX
    assert decode_manifest(body, None, "x")[0] == OCI_INDEX  # guessed from "manifests"


@pytest.mark.parametrize(
    "content_type",
    [None, "", "application/json", "application/json; charset=utf-8", "text/plain", "Application/JSON",
     "application/octet-stream", "binary/octet-stream", " text/plain ;charset=UTF-8"],
)  # fmt: skip
def test_a_generic_content_type_leaves_the_choice_to_the_document(content_type: str | None) -> None:
    image = json.dumps(image_of(blob())).encode()
    assert decode_manifest(image, content_type, REF) == (OCI_MANIFEST, json.loads(image))
    docker = json.dumps({**image_of(blob()), "mediaType": DOCKER_MANIFEST}).encode()
    assert decode_manifest(docker, content_type, REF)[0] == DOCKER_MANIFEST
    # no mediaType, or one that is no text: the keys decide
    for own in ({}, {"mediaType": ["x"]}):
        bare = json.dumps({"schemaVersion": 2, "config": blob(), "layers": [], **own}).encode()
        assert decode_manifest(bare, content_type, REF)[0] == OCI_MANIFEST


def test_a_specific_content_type_wins_over_the_document() -> None:
    body = json.dumps({**image_of(blob()), "mediaType": DOCKER_MANIFEST}).encode()
    assert decode_manifest(body, OCI_MANIFEST, REF)[0] == OCI_MANIFEST
    with pytest.raises(UnsupportedManifest, match='is a "text/html", not a container image'):
        decode_manifest(body, "text/html; charset=utf-8", REF)


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_a_document_nested_too_deep_is_refused(depth: int) -> None:
    body = b'{"a": ' * depth + b"1" + b"}" * depth
    with pytest.raises(UnsupportedManifest, match="nested more than 32 levels deep") as caught:
        decode_manifest(body, OCI_MANIFEST, REF)
    assert "check that the host is a container registry" in (caught.value.hint or "")


def test_32_levels_are_still_read() -> None:
    nested: object = "x"
    for _ in range(28):
        nested = [nested]
    # document, layers, descriptor, then the annotations holding the nested lists: 32 levels
    document = image_of(blob(annotations={"deep": nested}))
    assert decode_manifest(json.dumps(document).encode(), None, REF)[0] == OCI_MANIFEST
    deeper = image_of(blob(annotations={"deep": [nested]}))
    with pytest.raises(UnsupportedManifest, match="nested"):
        decode_manifest(json.dumps(deeper).encode(), None, REF)


def test_numbers_longer_than_python_reads_are_a_bad_size_not_bad_json() -> None:
    document = json.dumps(image_of(blob(1))).encode().replace(b'"size": 1}', b'"size": ' + b"9" * 5000 + b"}")
    media_type, decoded = decode_manifest(document, None, REF)
    assert media_type == OCI_MANIFEST
    error = refusal(decoded)
    assert "layer 1 of ghcr.io/a/b:1 has a size 5000 digits long" in error.message


@pytest.mark.parametrize(
    "body", [b"", b"\xff\xfe\x00garbage", b"[1, 2]", b'"text"', b"null", b"{", b"\x00" * 10, "é".encode("latin-1")]
)
def test_answers_that_are_no_json_object(body: bytes) -> None:
    with pytest.raises(UnsupportedManifest, match="not a JSON image manifest"):
        decode_manifest(body, "application/json", REF)


def test_index_entries_still_take_the_document_alone() -> None:
    assert [e.digest for e in index_entries(index_of({"os": "linux", "architecture": "amd64"}))] == [f"sha256:{0:064x}"]


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ({"manifests": "sha256:abc"}, 'the manifests of ghcr.io/a/b:1 are the string "sha256:abc", not a list'),
        ({"manifests": {"a": 1}}, "the manifests of ghcr.io/a/b:1 are an object, not a list of manifests"),
        ({"manifests": ["sha256:" + "a" * 64]}, "entry 1 of ghcr.io/a/b:1 is the string \"sha256:"),
        ({"manifests": [{"digest": "sha256:" + "a" * 64, "platform": {"os": "linux", "architecture": "amd64"}}, 5]},
         "entry 2 of ghcr.io/a/b:1 is the number 5, not an object"),
        ({"manifests": [{"mediaType": OCI_MANIFEST, "platform": {"os": "linux", "architecture": "amd64"}}]},
         "entry 1 of ghcr.io/a/b:1 has no digest"),
        ({"manifests": [{"digest": "latest", "platform": {"os": "linux", "architecture": "amd64"}}]},
         'entry 1 of ghcr.io/a/b:1 has the digest "latest", which is not algorithm:hex'),
        ({"manifests": [{"digest": None}]}, "entry 1 of ghcr.io/a/b:1 has the digest null"),
        ({"manifests": [{"digest": "sha256:" + "a" * 64, "mediaType": {}}]}, "has an object as its mediaType"),
        ([], "ghcr.io/a/b:1 is a list of 0, not an index"),
    ],
)  # fmt: skip
def test_every_bad_shape_of_an_index_is_named(document: object, says: str) -> None:
    with pytest.raises(UnsupportedManifest) as caught:
        index_entries(document, REF)  # type: ignore[arg-type]
    assert says in caught.value.message
    assert caught.value.hint == DAMAGED


def test_the_index_is_named_the_index_when_nothing_else_is_said() -> None:
    with pytest.raises(UnsupportedManifest, match="entry 1 of the index is null"):
        index_entries({"manifests": [None]})


@pytest.mark.parametrize(
    "platform",
    [None, "linux/amd64", ["linux", "amd64"], 7, {"os": "linux"}, {"os": 7, "architecture": "amd64"},
     {"os": "linux", "architecture": ""}, {"os": ["linux"], "architecture": {"a": 1}}],
)  # fmt: skip
def test_an_entry_with_a_platform_that_is_no_platform_is_left_out(platform: object) -> None:
    document = index_of({"os": "linux", "architecture": "arm64"})
    odd = {"mediaType": OCI_MANIFEST, "digest": f"sha256:{9:064x}", "platform": platform}
    document["manifests"].append(odd)  # type: ignore[union-attr]
    assert [str(e.platform) for e in index_entries(document)] == ["linux/arm64"]


def test_a_variant_that_is_no_text_is_no_variant() -> None:
    document = index_of({"os": "linux", "architecture": "arm64", "variant": 8})  # type: ignore[dict-item]
    assert [e.platform for e in index_entries(document)] == [Platform("linux", "arm64")]


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 2**40, 2**62, 2**63 - 1])
def test_human_bytes_takes_any_size_a_manifest_may_have(size: int) -> None:
    assert human_bytes(size).split()[1] in ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def test_index_entries_leave_attestations_out() -> None:
    document = index_of({"os": "linux", "architecture": "amd64"}, {"os": "unknown", "architecture": "unknown"})
    assert [str(e.platform) for e in index_entries(document)] == ["linux/amd64"]


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        ("linux/amd64", "linux/amd64"),
        ("linux/arm64", "linux/arm64/v8"),
        ("linux/arm64/v8", "linux/arm64/v8"),
        ("linux/arm/v7", "linux/arm/v7"),
        ("LINUX/AMD64", "linux/amd64"),
    ],
)
def test_platform_matching(wanted: str, chosen: str) -> None:
    document = index_of(
        {"os": "linux", "architecture": "arm", "variant": "v6"},
        {"os": "linux", "architecture": "arm", "variant": "v7"},
        {"os": "linux", "architecture": "amd64"},
        {"os": "linux", "architecture": "arm64", "variant": "v8"},
    )
    assert str(choose_platform(index_entries(document), parse_platform(wanted), "x").platform) == chosen


def test_arm64_without_variant_matches_v8() -> None:
    assert Platform("linux", "arm64").matches(parse_platform("linux/arm64/v8"))
    assert not Platform("linux", "arm", "v6").matches(parse_platform("linux/arm/v7"))


def test_a_missing_platform_lists_those_found() -> None:
    entries = index_entries(index_of({"os": "linux", "architecture": "amd64"}))
    with pytest.raises(PlatformNotFound) as caught:
        choose_platform(entries, parse_platform("linux/s390x"), "ghcr.io/a/b:1")
    assert "no image for linux/s390x; platforms found: linux/amd64" in caught.value.message
    assert "--platform" in (caught.value.hint or "")


@pytest.mark.parametrize("text", ["amd64", "linux/", "a/b/c/d", ""])
def test_a_bad_platform_is_an_input_error(text: str) -> None:
    with pytest.raises(InvalidInput, match="os/architecture"):
        parse_platform(text)
