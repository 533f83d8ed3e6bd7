"""Tokens per second from the moments a stream's chunks arrived: pure, so the figure is tested, not the clock."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

CHARACTERS_PER_TOKEN = 4  # English text, for a service that sends its whole answer in one chunk


@dataclass(frozen=True)
class Speed:
    tokens: int
    tokens_per_second: float
    estimated: bool  # the answer came in one piece: tokens guessed from its length, over the whole wait
    first_token_seconds: float


def stream_speed(started: float, arrivals: Sequence[tuple[float, str]], reported_tokens: int | None = None
                 ) -> Speed | None:
    """The decoding speed of one stream: the tokens after the first chunk over the time from the first chunk to
    the last, so the wait for the first token (the prompt being read) is not counted. ``arrivals`` are (moment,
    text) of each chunk that carried text; ``reported_tokens`` is the answer's ``usage.completion_tokens``."""
    if not arrivals:
        return None
    first, last = arrivals[0][0], arrivals[-1][0]
    text = "".join(piece for _, piece in arrivals)
    tokens = reported_tokens if reported_tokens and reported_tokens > 0 else len(arrivals)
    if len(arrivals) < 3 or last <= first:
        guessed = reported_tokens or max(1, round(len(text) / CHARACTERS_PER_TOKEN))
        wait = max(last - started, 1e-6)
        return Speed(guessed, guessed / wait, True, first - started)
    after_first = tokens * (len(arrivals) - 1) / len(arrivals)  # a chunk may carry several tokens
    return Speed(tokens, after_first / (last - first), False, first - started)


def typical(speeds: Sequence[float]) -> float:
    return statistics.median(speeds)


def recorded_value(tokens_per_second: float) -> int | float:
    """As the registry writes it: a whole number, or one decimal below 10."""
    return round(tokens_per_second, 1) if tokens_per_second < 10 else round(tokens_per_second)
