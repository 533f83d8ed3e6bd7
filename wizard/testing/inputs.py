"""Small inputs made on the fly, so a check needs no file of the user's and no download."""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib

PROMPT = "Write one sentence about the sea."
SENTENCES = ("Prem runs AI services on your own machine.", "The registry lists every service Prem can run.")
CODE_PROMPT = "def fibonacci(n):\n    "
IMAGE_PROMPT = "a red circle on a white background"


def one_second_wav(rate: int = 16000, tone: float = 440.0) -> bytes:
    """A 1-second 16-bit mono WAV of a tone: what a speech model accepts, whatever it makes of it."""
    frames = b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * tone * i / rate))) for i in range(rate))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def small_png(width: int = 32, height: int = 32) -> bytes:
    """An 8-bit RGB PNG of a gradient: a picture an upscaler can enlarge."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 128))
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")


def picture_size(data: bytes) -> tuple[str, int, int] | None:
    """(kind, width, height) of a PNG or the kind of a JPEG/WebP/GIF (sizes 0); None when it is no picture."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "PNG", width, height
    for magic, kind in ((b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF")):
        if data.startswith(magic):
            return kind, 0, 0
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP", 0, 0
    return None
