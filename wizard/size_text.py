"""What every front end says of an image size it looked up: both figures, which one is written, and why a figure
is only an estimate.

The Prem Daemon compares ``dockerImages.*.size`` with free disk, where a pulled image takes its unpacked size:
so the unpacked size is written unless ``size_kind`` is "download". Pure, and light enough for ``--help``: it
knows an :class:`~wizard.images.ImageSize` by its attributes only.
"""

from __future__ import annotations

from typing import Any

from wizard.units import human_bytes

EXACT_HINT = "--exact reads those layers whole and counts them"


def unpacked_text(found: Any) -> str:
    """``3.4 GiB unpacked (exact)``, ``~3.4 GiB unpacked (estimate)``, or '' when it was not looked up."""
    unpacked = found.unpacked
    if unpacked is None:
        return ""
    if unpacked.exact:
        return f"{human_bytes(unpacked.size)} unpacked (exact)"
    return f"~{human_bytes(unpacked.size)} unpacked (estimate)"


def summary(found: Any, kind: str) -> str:
    """``3.4 GiB unpacked (exact), 1.2 GiB download (3612345678 bytes written)``"""
    figures = [text for text in (unpacked_text(found), f"{human_bytes(found.download_size)} download") if text]
    return f"{', '.join(figures)} ({found.size_for(kind)} bytes written)"


def estimate_reasons(found: Any) -> list[str]:
    """Why the unpacked size is an estimate, a line per reason; [] when it is exact or was not looked up."""
    unpacked = found.unpacked
    return [] if unpacked is None or unpacked.exact else list(unpacked.reasons)


def engine_text(found: Any) -> str:
    """What a local Docker engine that has the image says it takes, as a cross-check; '' without one."""
    size = found.engine_size
    return f"docker images says {human_bytes(size)} ({size} bytes)" if size else ""


def notes(found: Any) -> list[str]:
    """The lines that go under a summary: the estimate's reasons, the engine's figure, the warnings."""
    lines = [f"estimate: {reason}" for reason in estimate_reasons(found)]
    if engine := engine_text(found):
        lines.append(engine)
    return lines + [f"warning: {warning}" for warning in found.warnings]
