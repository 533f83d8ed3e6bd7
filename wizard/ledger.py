"""What this run has made outside itself so far, so that an interruption says it truly.

"interrupted; nothing was written" is a promise: once a folder is on disk, a fork exists on GitHub or a branch
is pushed, the last line says so instead, with what to run next. Each step that makes something durable
records it here, in the order it happened.
"""

from __future__ import annotations

_made: list[tuple[str, str]] = []  # (what was made, what to do with it next)


def made(what: str, next_step: str = "") -> None:
    if (what, next_step) not in _made:
        _made.append((what, next_step))


def forget() -> None:
    """A new run in the same process (tests, the wizard's Ctrl+N) starts with nothing made."""
    _made.clear()


def made_so_far() -> str:
    """"nothing was written." or "it made: X; Y. Next: …", for the last line of a run that stops early."""
    if not _made:
        return "nothing was written."
    things = "; ".join(what for what, _ in _made)
    steps = [step for _, step in _made if step]
    return f"it made: {things}." + (f" Next: {steps[-1]}" if steps else "")


def interrupted_line() -> str:
    said = made_so_far()
    return f"interrupted; {said}" if not _made else f"interrupted after {said}"
