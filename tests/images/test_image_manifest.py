"""Manifest documents: sizes, platforms, and the formats that are refused. Pure functions, no network."""

from __future__ import annotations

import json

import pytest

from wizard.errors import InvalidInput, PlatformNotFound, UnsupportedManifest
from wizard.images.image_manifest import (
    DOCKER_SCHEMA1_SIGNED,
    OCI_INDEX,
    OCI_MANIFEST,
    Platform,
    choose_platform,
    decode_manifest,
    image_size_of,
    index_entries,
    parse_platform,
)


def index_of(*platforms: dict[str, str]) -> dict[str, object]:
    return {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": f"sha256:{n:064x}", "size": 500, "platform": p}
            for n, p in enumerate(platforms)
        ],
    }


def test_size_is_config_plus_layers() -> None:
    document = {"config": {"size": 7}, "layers": [{"size": 100}, {"size": 2000}]}
    assert image_size_of(document, "x") == 2107


def test_a_manifest_without_sizes_is_refused() -> None:
    with pytest.raises(UnsupportedManifest, match="without config or layer sizes"):
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
