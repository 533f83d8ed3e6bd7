"""What a layer takes once unpacked, from a few bytes of it: pure functions, no I/O.

The Prem Daemon compares ``dockerImages.*.size`` with free disk, and a pulled image takes its unpacked size there,
2-3x what a pull downloads. A layer blob is a tar stream, compressed (gzip or zstd) or not; the tar's length is
the layer's unpacked size. Three readings, from cheapest:

- **gzip**: the last 4 bytes of a gzip member (ISIZE) hold its unpacked length modulo 2**32. Deflate can neither
  shrink data past 1032:1 nor grow it much, so the compressed length bounds the unpacked one; when exactly one
  ``ISIZE + k * 2**32`` fits in those bounds, that is the length, exactly. A layer made of several gzip members
  (eStargz, BGZF, concatenated streams) would make ISIZE count the last member only: the first and last 64 KiB
  of the layer are read too, and a member boundary found in either makes the figure an estimate.
- **zstd**: a frame header may record the frame's content size; a frame that ends inside the first 256 KiB of
  a longer layer, or a zstd:chunked annotation, shows the layer holds several frames.
- **counted**: the layer read whole and decompressed, bytes counted, nothing kept (``--exact``), or a layer
  small enough that its window already holds all of it.

Where no reading is exact, the estimate is the compressed length times the ratio the layer's first window
compresses at (for gzip, the ``ISIZE + k * 2**32`` nearest to that), and the reason is said.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

WINDOW = 64 * 1024
# A zstd block may take up to 128 KiB: a zstd layer's head window must hold at least one whole block.
ZSTD_WINDOW = 256 * 1024
MAX_DEFLATE_RATIO = 1032  # a 258-byte match coded in 2 bits: nothing deflates better
WRAP = 2**32
# Bounded pieces: a 64 KiB window of zeros would otherwise inflate to 64 MiB at once.
_STEP = 1024 * 1024
# A ratio needs no more than this much of a window decompressed: past it, the ratio is "very high" anyway.
_HEAD_LIMIT = 256 * 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b\x08"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

GZIP_TYPES = frozenset(
    {
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    }
)
ZSTD_TYPES = frozenset(
    {
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    }
)
TAR_TYPES = frozenset(
    {
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.docker.image.rootfs.diff.tar",
    }
)
# Tools that write several zstd frames or gzip members mark their layers with these annotations.
CHUNKED_ANNOTATIONS = (
    "io.github.containers.zstd-chunked.manifest-checksum",
    "io.github.containers.zstd-chunked.manifest-position",
    "containerd.io/snapshot/stargz/toc.digest",
)


@dataclass(frozen=True)
class LayerUnpacked:
    """One layer: ``size`` is its unpacked (tar) length, exact or not; ``how`` says where the figure came from
    ("counted", "gzip trailer", "zstd header", "not compressed", "estimate"); ``reason`` why it is an estimate."""

    digest: str
    media_type: str
    download_size: int
    size: int
    exact: bool
    how: str
    reason: str = ""


@dataclass(frozen=True)
class Windows:
    """What was read of a layer: its first and last bytes (``None`` where not asked for or not given), and
    whether the registry honoured the Range requests."""

    head: bytes | None = None
    tail: bytes | None = None
    ranges_honoured: bool = True


def compression_of(media_type: str) -> str | None:
    """'gzip', 'zstd', 'none', or None for a media type the tool does not know (sniffed from its first bytes)."""
    if media_type in GZIP_TYPES:
        return "gzip"
    if media_type in ZSTD_TYPES:
        return "zstd"
    if media_type in TAR_TYPES:
        return "none"
    return None


def window_for(media_type: str) -> int:
    return ZSTD_WINDOW if compression_of(media_type) == "zstd" else WINDOW


def windows_wanted(media_type: str, size: int) -> tuple[bool, bool]:
    """(head, tail): which windows (``window_for`` bytes each) a reading needs. A layer no longer than a
    window is read whole, as its tail; an uncompressed one needs nothing."""
    kind = compression_of(media_type)
    if kind == "none":
        return False, False
    if size <= window_for(media_type):
        return False, True
    return True, kind in ("gzip", None)


def sniff(data: bytes) -> str:
    if data.startswith(GZIP_MAGIC[:2]):
        return "gzip"
    if data.startswith(ZSTD_MAGIC):
        return "zstd"
    return "none" if data[257:262] == b"ustar" else "unknown"


def judge(
    digest: str, media_type: str, size: int, windows: Windows, annotations: Mapping[str, str] | None = None
) -> LayerUnpacked:
    """The unpacked size of one layer from what was read of it."""
    annotations = annotations or {}

    def found(unpacked: int, exact: bool, how: str, reason: str = "") -> LayerUnpacked:
        return LayerUnpacked(digest, media_type, size, unpacked, exact, how, reason)

    kind = compression_of(media_type)
    small = size <= window_for(media_type)
    whole = windows.tail if windows.tail is not None and small and len(windows.tail) == size else None
    sample = whole if whole is not None else windows.head
    if kind is None:
        kind = sniff(sample) if sample else "unknown"
        if kind == "unknown":
            return found(size, False, "estimate", f"its media type '{media_type}' is not a layer type the tool reads")
    if kind == "none":
        return found(size, True, "not compressed")
    if whole is not None:
        counted = count_whole(kind, whole)
        if counted is None:
            return found(size, False, "estimate", f"it is not the {kind} stream its media type says")
        return found(counted, True, "counted")
    if windows.head is None:
        return found(size, False, "estimate", "the registry sent none of its bytes")
    ratio = head_ratio(kind, windows.head)
    if ratio is None:
        return found(size, False, "estimate", f"it does not start like the {kind} stream its media type says")
    guess = round(size * ratio)
    if kind == "zstd":
        return _judge_zstd(found, size, windows.head, guess, annotations)
    return _judge_gzip(found, size, windows, guess, annotations)


def _judge_gzip(found, size: int, windows: Windows, guess: int, annotations: Mapping[str, str]) -> LayerUnpacked:
    head = windows.head or b""
    if not windows.ranges_honoured or windows.tail is None:
        return found(guess, False, "estimate", "the registry does not answer Range requests, so its end was not read")
    if any(key in annotations for key in CHUNKED_ANNOTATIONS) or first_member_ends(head) or member_starts_in(
        windows.tail
    ):
        return found(guess, False, "estimate", "it is made of several gzip members, and the trailer counts the last")
    header = gzip_header_length(head) or 10
    deflated = max(0, size - header - 8)
    low, high = deflated // 2, MAX_DEFLATE_RATIO * deflated + 258
    isize = int.from_bytes(windows.tail[-4:], "little")
    candidates = [isize + k * WRAP for k in range(high // WRAP + 1) if low <= isize + k * WRAP <= high]
    if len(candidates) == 1:
        return found(candidates[0], True, "gzip trailer")
    if not candidates:
        return found(guess, False, "estimate", "its gzip trailer does not fit its length (several members?)")
    nearest = min(candidates, key=lambda c: abs(c - guess))
    return found(nearest, False, "estimate", "it may unpack past 4 GiB, where the gzip trailer wraps round")


def _judge_zstd(found, size: int, head: bytes, guess: int, annotations: Mapping[str, str]) -> LayerUnpacked:
    if any(key in annotations for key in CHUNKED_ANNOTATIONS):
        return found(guess, False, "estimate", "it is zstd:chunked, made of many zstd frames")
    frame = zstd_frame(head)
    if frame is None:
        return found(size, False, "estimate", "it does not start like the zstd stream its media type says")
    content_size, ends_at = frame
    if ends_at is not None and ends_at < size:
        return found(guess, False, "estimate", SEVERAL_FRAMES)
    if content_size is None:
        return found(guess, False, "estimate", "its zstd frame header does not record the content size")
    # zstd stores incompressible blocks raw (3 bytes a block of 128 KiB): a frame cannot be much shorter than this
    if content_size < size - 64 - 3 * (size // (128 * 1024) + 1):
        return found(guess, False, "estimate", SEVERAL_FRAMES)
    return found(content_size, True, "zstd header")


SEVERAL_FRAMES = "it is made of several zstd frames, and the header counts the first"


# --- gzip ------------------------------------------------------------------------------------------


def gzip_header_length(data: bytes) -> int | None:
    """Length of the gzip member header at the start of ``data`` (RFC 1952), None if it is not one or is cut."""
    if len(data) < 10 or not data.startswith(GZIP_MAGIC):
        return None
    flags, at = data[3], 10
    if flags & 0xE0:
        return None
    if flags & 4:  # FEXTRA
        if len(data) < at + 2:
            return None
        at += 2 + int.from_bytes(data[at : at + 2], "little")
    for bit in (8, 16):  # FNAME, FCOMMENT: zero-terminated
        if flags & bit:
            end = data.find(b"\0", at)
            if end < 0:
                return None
            at = end + 1
    if flags & 2:  # FHCRC
        at += 2
    return at if at <= len(data) else None


def _inflate(data: bytes) -> tuple[int, int, bool, bytes]:
    """Inflate one gzip member from the start of ``data``: (bytes out, bytes of input used, member ended,
    what follows it). Raises zlib.error on a damaged stream."""
    inflater = zlib.decompressobj(31)
    produced, pending = 0, data
    while pending and not inflater.eof:
        produced += len(inflater.decompress(pending, _STEP))
        pending = inflater.unconsumed_tail
    rest = inflater.unused_data
    return produced, len(data) - len(pending) - len(rest), inflater.eof, rest


def first_member_ends(head: bytes) -> bool:
    """Whether the first gzip member ends inside ``head``, the start of a longer layer."""
    try:
        return _inflate(head)[2]
    except zlib.error:
        return False


def member_starts_in(tail: bytes) -> bool:
    """Whether a whole gzip member (or run of them) starts inside ``tail`` and ends exactly at its end: then the
    layer holds more than one member. zlib checks each member's CRC and length, so chance cannot fake one."""
    at = tail.find(GZIP_MAGIC)
    while at >= 0:
        if _members_to_end(tail[at:]):
            return True
        at = tail.find(GZIP_MAGIC, at + 1)
    return False


def _members_to_end(data: bytes) -> bool:
    try:
        while data:
            _, _, ended, data = _inflate(data)
            if not ended:
                return False
            data = data.lstrip(b"\0") if not data.startswith(GZIP_MAGIC) else data
        return True
    except zlib.error:
        return False


def head_ratio(kind: str, head: bytes) -> float | None:
    """Unpacked bytes per compressed byte in the layer's first window, None if it does not decode."""
    if kind == "gzip":
        try:
            produced, used, _, _ = _inflate(head)
        except zlib.error:
            return None
        return produced / used if used else None
    if kind == "zstd":
        counter = ZstdCounter(limit=_HEAD_LIMIT)
        try:
            counter.feed(head)
            produced = counter.finish()
        except zlib.error:
            return None
        return produced / len(head) if head and zstd_frame(head) else None
    return 1.0


# --- zstd ------------------------------------------------------------------------------------------


def zstd_frame(data: bytes) -> tuple[int | None, int | None] | None:
    """(content size recorded in the first frame's header or None, where that frame ends if inside ``data``
    or None), skipping skippable frames first; None if ``data`` does not start with a zstd frame."""
    at = 0
    while len(data) >= at + 8 and 0x184D2A50 <= int.from_bytes(data[at : at + 4], "little") <= 0x184D2A5F:
        at += 8 + int.from_bytes(data[at + 4 : at + 8], "little")
    if data[at : at + 4] != ZSTD_MAGIC or len(data) < at + 6:
        return None
    descriptor = data[at + 4]
    fcs_flag, single, checksum, dict_flag = descriptor >> 6, (descriptor >> 5) & 1, (descriptor >> 2) & 1, descriptor & 3
    at += 5 + (0 if single else 1) + (0, 1, 2, 4)[dict_flag]
    width = (1 if single else 0, 2, 4, 8)[fcs_flag]
    if len(data) < at + width:
        return None
    content = int.from_bytes(data[at : at + width], "little") + (256 if width == 2 else 0) if width else None
    at += width
    while len(data) >= at + 3:
        block = int.from_bytes(data[at : at + 3], "little")
        last, kind, length = block & 1, (block >> 1) & 3, block >> 3
        if kind == 3:
            return None  # reserved block type: not zstd
        at += 3 + (1 if kind == 1 else length)
        if last:
            end = at + 4 * checksum
            return content, end if end <= len(data) else None
    return content, None


def zstd_frames_complete(data: bytes) -> bool:
    """Whether ``data`` is a run of whole zstd (or skippable) frames, none cut short."""
    while data:
        frame = zstd_frame(data)
        if frame is None or frame[1] is None:
            return False
        data = data[frame[1] :]
    return True


# --- counting whole streams -----------------------------------------------------------------------


class Counter(Protocol):
    total: int

    def feed(self, chunk: bytes) -> None: ...

    def finish(self) -> int: ...


class GzipCounter:
    """Counts the unpacked bytes of a gzip stream fed in pieces, across members; keeps none of them."""

    def __init__(self) -> None:
        self.total = 0
        self._inflater = zlib.decompressobj(31)
        self._between = False  # after a member's end: padding or the next member
        self._members = 0

    def feed(self, chunk: bytes) -> None:
        while chunk:
            if self._between:
                chunk = chunk.lstrip(b"\0")
                if not chunk:
                    return
                self._inflater, self._between = zlib.decompressobj(31), False
            pending = chunk
            while pending and not self._inflater.eof:
                self.total += len(self._inflater.decompress(pending, _STEP))
                pending = self._inflater.unconsumed_tail
            if not self._inflater.eof:
                return
            self._members += 1
            chunk, self._between = self._inflater.unused_data, True

    def finish(self) -> int:
        if not self._between:
            raise zlib.error("the gzip stream ends in the middle of a member")
        return self.total


class _Enough(Exception):
    pass


class ZstdCounter:
    """Counts the unpacked bytes of a zstd stream fed in pieces, across frames; keeps none of them. The
    decompressed bytes come out in pieces of at most 1 MiB (a few KiB of zstd can stand for GiB), and with
    ``limit`` counting stops there, as a ratio needs no more."""

    def __init__(self, limit: int | None = None) -> None:
        import zstandard

        self.total = 0
        self._limit = limit
        self._error = zstandard.ZstdError
        decompressor = zstandard.ZstdDecompressor(max_window_size=2**31)
        self._writer = decompressor.stream_writer(self, write_size=_STEP, write_return_read=True)

    def write(self, data: bytes) -> int:  # the stream writer's sink
        self.total += len(data)
        if self._limit is not None and self.total >= self._limit:
            raise _Enough
        return len(data)

    def feed(self, chunk: bytes) -> None:
        try:
            self._writer.write(chunk)
        except _Enough:
            return
        except self._error as error:
            raise zlib.error(str(error)) from None

    def finish(self) -> int:
        try:
            self._writer.flush()
        except _Enough:
            pass
        except self._error as error:
            raise zlib.error(str(error)) from None
        return self.total


def counter_for(kind: str) -> Counter:
    return GzipCounter() if kind == "gzip" else ZstdCounter()


def count_whole(kind: str, data: bytes) -> int | None:
    """The unpacked length of a whole (small) layer, None if it does not decode as ``kind``."""
    if kind not in ("gzip", "zstd"):
        return len(data)
    if kind == "zstd" and not zstd_frames_complete(data):
        return None
    try:
        counter = counter_for(kind)
        counter.feed(data)
        return counter.finish()
    except zlib.error:
        return None


class DigestCheck:
    """The sha256 of a blob read whole, to be sure the bytes counted are the layer the manifest names."""

    def __init__(self, digest: str) -> None:
        algorithm, _, self.expected = digest.partition(":")
        self._hash = hashlib.sha256() if algorithm == "sha256" else None

    def feed(self, chunk: bytes) -> None:
        if self._hash is not None:
            self._hash.update(chunk)

    def matches(self) -> bool:
        return self._hash is None or self._hash.hexdigest() == self.expected
