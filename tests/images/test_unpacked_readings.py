"""The readings of ``wizard.images.unpacked`` on bytes made here: what each window proves, and what it cannot."""

from __future__ import annotations

import gzip
import zlib

import pytest
import zstandard

from tests.servers.layers import (
    OCI_GZIP,
    OCI_TAR,
    OCI_ZSTD,
    estargz_like_layer,
    gzip_layer,
    sample_tar,
)
from wizard.images.unpacked import (
    WINDOW,
    GzipCounter,
    Windows,
    ZstdCounter,
    count_whole,
    gzip_header_length,
    judge,
    zstd_frame,
)

TAR = sample_tar(900_000, 1)


def windows_of(blob: bytes, *, zstd: bool = False) -> Windows:
    head = blob[: 4 * WINDOW] if zstd else blob[:WINDOW]
    return Windows(head=head, tail=None if zstd else blob[-WINDOW:])


def test_one_gzip_member_is_exact_from_its_trailer() -> None:
    blob = gzip.compress(TAR)
    found = judge("sha256:x", OCI_GZIP, len(blob), windows_of(blob))
    assert (found.size, found.exact, found.how) == (len(TAR), True, "gzip trailer")


def test_a_gzip_header_with_name_comment_and_extra_is_skipped() -> None:
    body = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = body.compress(TAR) + body.flush()
    extra = b"AB" + (4).to_bytes(2, "little") + b"wxyz"
    header = b"\x1f\x8b\x08\x1c" + bytes(4) + b"\x00\xff" + len(extra).to_bytes(2, "little") + extra
    header += b"layer.tar\x00a comment\x00"
    blob = header + deflated + zlib.crc32(TAR).to_bytes(4, "little") + len(TAR).to_bytes(4, "little")
    assert gzip_header_length(blob) == len(header)
    assert judge("d", OCI_GZIP, len(blob), windows_of(blob)).size == len(TAR)


def test_a_trailer_that_cannot_fit_the_length_is_an_estimate() -> None:
    blob = bytearray(gzip.compress(TAR))
    blob[-4:] = (10).to_bytes(4, "little")  # 10 bytes from 450 KB of gzip: no single member does that
    found = judge("d", OCI_GZIP, len(blob), windows_of(bytes(blob)))
    assert not found.exact and "does not fit its length" in found.reason


def test_a_stargz_annotation_makes_an_estimate() -> None:
    blob = gzip.compress(TAR)
    found = judge("d", OCI_GZIP, len(blob), windows_of(blob), {"containerd.io/snapshot/stargz/toc.digest": "x"})
    assert not found.exact and "several gzip members" in found.reason


def test_an_estargz_footer_is_seen_in_the_tail() -> None:
    layer = estargz_like_layer(TAR)
    found = judge("d", OCI_GZIP, layer.size, windows_of(layer.data))
    assert not found.exact and "several gzip members" in found.reason


def test_a_first_member_ending_in_the_head_is_seen() -> None:
    layer = gzip_layer(TAR, members=2, last_member=len(TAR) - 20_000)  # a short first member
    found = judge("d", OCI_GZIP, layer.size, windows_of(layer.data))
    assert not found.exact and "several gzip members" in found.reason


def test_bytes_that_are_not_gzip() -> None:
    blob = bytes(range(256)) * 1000
    found = judge("d", OCI_GZIP, len(blob), windows_of(blob))
    assert not found.exact and "does not start like the gzip stream" in found.reason
    assert count_whole("gzip", blob[:1000]) is None


def test_an_unknown_media_type_is_sniffed() -> None:
    blob = gzip.compress(TAR)
    found = judge("d", "application/octet-stream", len(blob), windows_of(blob))
    assert found.exact and found.size == len(TAR)
    assert judge("d", "application/x-thing", 10, Windows(tail=b"0123456789")).reason.startswith("its media type")


def test_a_plain_tar_needs_no_bytes() -> None:
    found = judge("d", OCI_TAR, 12345, Windows())
    assert (found.size, found.exact, found.how) == (12345, True, "not compressed")


def test_zstd_skippable_frames_come_first() -> None:
    frame = zstandard.ZstdCompressor().compress(TAR)
    skippable = (0x184D2A50).to_bytes(4, "little") + (6).to_bytes(4, "little") + b"abcdef"
    assert zstd_frame(skippable + frame[:WINDOW])[0] == len(TAR)
    found = judge("d", OCI_ZSTD, len(skippable + frame), windows_of(skippable + frame, zstd=True))
    assert found.exact and found.size == len(TAR)


def test_a_zstd_chunked_annotation_makes_an_estimate() -> None:
    frame = zstandard.ZstdCompressor().compress(TAR)
    key = "io.github.containers.zstd-chunked.manifest-checksum"
    found = judge("d", OCI_ZSTD, len(frame), windows_of(frame, zstd=True), {key: "sha256:x"})
    assert not found.exact and "zstd:chunked" in found.reason


def test_counters_take_any_piece_sizes() -> None:
    gz = gzip.compress(TAR[:500_000]) + gzip.compress(TAR[500_000:])
    zs = zstandard.ZstdCompressor().compress(TAR[:300_000]) + zstandard.ZstdCompressor().compress(TAR[300_000:])
    for counter, blob in ((GzipCounter(), gz), (ZstdCounter(), zs)):
        for at in range(0, len(blob), 999):
            counter.feed(blob[at : at + 999])
        assert counter.finish() == len(TAR)


def test_a_cut_gzip_stream_is_not_counted() -> None:
    counter = GzipCounter()
    counter.feed(gzip.compress(TAR)[:-100])
    with pytest.raises(zlib.error):
        counter.finish()


def test_a_zstd_bomb_window_is_bounded() -> None:
    # 1 GiB of zeros in a few KiB: the ratio is read from at most 256 MiB of output, not all of it
    compressor = zstandard.ZstdCompressor(write_content_size=False).compressobj()
    bomb = compressor.compress(bytes(1 << 30)) + compressor.flush()
    found = judge("d", OCI_ZSTD, len(bomb) * 100, Windows(head=bomb))
    assert not found.exact and found.size > len(bomb) * 100
