"""Text from files and answers, made safe to print: a terminal never obeys what a message quotes.

A manifest can hold ``"\\u001b]0;pwned\\u0007"``; printed raw, it retitles the terminal, and ``\\u001b[2J`` clears
it. Bidirectional overrides (U+202A-U+202E, U+2066-U+2069) make a line read differently from what it holds.
Each is shown as an escape instead, the way Python writes it.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_IN_A_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# every token this process holds (``wizard.github.token.redact_in_logs`` adds them): masked in whatever is printed,
# also when a server quotes one back in its message
SECRETS: set[str] = set()
MASK = "********"


def _masked(text: str) -> str:
    for secret in SECRETS:
        text = text.replace(secret, MASK)
    return text


def printable(text: str) -> str:
    """``text`` with every control character but the line break and the tab escaped, and every token masked."""
    return _UNSAFE.sub(_escape, _masked(text))


def one_line(text: str) -> str:
    """``text`` escaped to stay on one line: line breaks too."""
    return _UNSAFE_IN_A_LINE.sub(_escape, _masked(text))
