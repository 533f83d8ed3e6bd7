"""Real layer blobs for test images: tar streams of known length, compressed the ways image builders do.

A layer's unpacked size is its tar stream's length, which is what the tool must report. Kinds:
gzip with one member (docker, buildkit), with several (concatenated streams, eStargz-like trailers), zstd with
and without the content size in its frame header, plain tar, and a gzip layer of a sparse file that unpacks
past 4 GiB, streamed to disk compressed so that nothing large is ever written or held.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import random
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import zstandard

OCI_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_TAR = "application/vnd.oci.image.layer.v1.tar"
DOCKER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"


@dataclass(frozen=True)
class Layer:
    """A blob to push: its bytes (or a file holding them, for big ones), media type and unpacked length."""

    media_type: str
    unpacked: int
    data: bytes = b""
    path: Path | None = None
    annotations: tuple[tuple[str, str], ...] = ()

    @property
    def size(self) -> int:
        return self.path.stat().st_size if self.path else len(self.data)

    def chunks(self, size: int = 1024 * 1024) -> Iterator[bytes]:
        if self.path is None:
            yield self.data
            return
        with self.path.open("rb") as handle:
            while chunk := handle.read(size):
                yield chunk

    @property
    def digest(self) -> str:
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return "sha256:" + digest.hexdigest()


def sample_tar(content: int, seed: int = 0) -> bytes:
    """A tar of a few files holding ``content`` bytes in all, half random and half text, so that it compresses
    about 2:1 like real layers do."""
    rng = random.Random(seed)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        left, number = content, 0
        while left > 0 or number == 0:
            length = min(left, max(1, content // 3 + 1))
            noise = rng.randbytes(length // 2)
            text = (f"line {number} of a file in a test layer\n" * (length // 30 + 1)).encode()[: length - len(noise)]
            member = tarfile.TarInfo(f"usr/share/test/file-{seed}-{number}")
            member.size, member.mtime = len(noise) + len(text), 1_700_000_000
            archive.addfile(member, io.BytesIO(noise + text))
            left -= length
            number += 1
    return buffer.getvalue()


def gzip_layer(tar: bytes, *, members: int = 1, media_type: str = OCI_GZIP, last_member: int | None = None) -> Layer:
    """``members`` gzip members, concatenated (what ``cat a.gz b.gz`` makes). ``last_member`` bytes of the tar
    go in the last one (default: an even split)."""
    if members == 1:
        return Layer(media_type, len(tar), gzip.compress(tar, mtime=0))
    cut = len(tar) - last_member if last_member is not None else len(tar) // members
    pieces = [tar[:cut]] if last_member is not None else [tar[i * cut : (i + 1) * cut] for i in range(members - 1)]
    pieces.append(tar[len(b"".join(pieces)) :])
    return Layer(media_type, len(tar), b"".join(gzip.compress(piece, mtime=0) for piece in pieces))


def estargz_like_layer(tar: bytes) -> Layer:
    """One gzip member per 16 KiB of tar, then an empty member carrying an extra field: the shape of eStargz and
    BGZF, where the trailer of the last member counts nothing."""
    pieces = [gzip.compress(tar[i : i + 16384], mtime=0) for i in range(0, len(tar), 16384)]
    footer = _gzip_member_with_extra(b"", b"SG" + (22).to_bytes(2, "little") + b"0" * 22)
    return Layer(OCI_GZIP, len(tar), b"".join(pieces) + footer)


def zstd_layer(tar: bytes, *, content_size: bool = True, frames: int = 1) -> Layer:
    compressor = zstandard.ZstdCompressor(write_content_size=content_size)
    if not content_size:
        streaming = compressor.compressobj()  # what a pipe gives: the length is not known when the header goes out
        return Layer(OCI_ZSTD, len(tar), streaming.compress(tar) + streaming.flush())
    step = -(-len(tar) // frames)
    return Layer(OCI_ZSTD, len(tar), b"".join(compressor.compress(tar[i : i + step]) for i in range(0, len(tar), step)))


def plain_layer(tar: bytes) -> Layer:
    return Layer(OCI_TAR, len(tar), tar)


def sparse_gzip_layer(path: Path, file_size: int) -> Layer:
    """A gzip'd tar of one sparse file of ``file_size`` zero bytes, written compressed into ``path`` (cached by
    name): the tar is longer than 4 GiB, yet neither it nor the file ever lands on disk or in memory.

    Deflate forgets everything at a full flush, so the compressed form of 64 MiB of zeros after one is always
    the same bytes: the stream is the tar header's, that piece repeated, and the rest's, with the gzip header
    and trailer (CRC-32 and length mod 2**32 of the whole tar) written here. One gzip member, as builders make.
    """
    header = tarfile.TarInfo("var/lib/model/weights.bin")
    header.size, header.mtime = file_size, 1_700_000_000
    head = header.tobuf(format=tarfile.GNU_FORMAT)
    zeros_after = file_size + (-file_size) % 512 + 1024  # the file, its padding, and the two blocks ending a tar
    length = len(head) + zeros_after
    if not path.exists():
        piece = bytes(_ZERO_PIECE)
        repeats, rest = divmod(zeros_after, _ZERO_PIECE)
        deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
        fresh = zlib.compressobj(6, zlib.DEFLATED, -15)
        repeated = fresh.compress(piece) + fresh.flush(zlib.Z_FULL_FLUSH)
        last = zlib.compressobj(6, zlib.DEFLATED, -15)
        end = last.compress(piece[:rest]) + last.flush()
        crc = zlib.crc32(head)
        for _ in range(repeats):
            crc = zlib.crc32(piece, crc)
        crc = zlib.crc32(piece[:rest], crc)
        partial = path.with_suffix(".partial")
        with partial.open("wb") as out:
            out.write(b"\x1f\x8b\x08\x00" + bytes(4) + b"\x00\xff" + start)
            for _ in range(repeats):
                out.write(repeated)
            out.write(end + crc.to_bytes(4, "little") + (length % 2**32).to_bytes(4, "little"))
        partial.rename(path)
    return Layer(OCI_GZIP, length, path=path)


_ZERO_PIECE = 64 * 1024 * 1024


def _gzip_member_with_extra(data: bytes, extra: bytes) -> bytes:
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = deflate.compress(data) + deflate.flush()
    header = b"\x1f\x8b\x08\x04" + bytes(4) + b"\x00\xff" + len(extra).to_bytes(2, "little") + extra
    trailer = zlib.crc32(data).to_bytes(4, "little") + len(data).to_bytes(4, "little")
    return header + body + trailer
