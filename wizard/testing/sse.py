"""Read a server-sent event stream as the Prem App does: ``data:`` lines, one event per blank line, ending at
``data: [DONE]``. A stream that never ends, or an answer that is no stream, is a named failure."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

DONE = "[DONE]"


class StreamProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Stream:
    started: float
    arrivals: list[tuple[float, str]] = field(default_factory=list)  # (moment, text) of chunks with text
    events: int = 0
    reported_tokens: int | None = None
    not_event_stream: str | None = None  # the Content-Type, when it is not text/event-stream


async def events(lines: AsyncIterator[str]) -> AsyncIterator[str]:
    """Each event's data (its ``data:`` lines joined), as it completes."""
    data: list[str] = []
    async for line in lines:
        if line == "":
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        # "event:", "id:", "retry:" and ":" comments carry nothing the app reads
    if data:
        yield "\n".join(data)


async def read_stream(response: httpx.Response, text_of: Callable[[dict[str, Any]], str | None], *,
                      started: float, deadline: float, clock: Callable[[], float] = time.perf_counter) -> Stream:
    """The chunks of a streamed answer, each with the moment it arrived; raises StreamProblem."""
    kind = response.headers.get("content-type", "")
    stream = Stream(started, not_event_stream=None if kind.startswith("text/event-stream") else (kind or "none"))
    finished = False
    try:
        async with asyncio.timeout(deadline):
            async for data in events(response.aiter_lines()):
                if data.strip() == DONE:
                    finished = True
                    break
                stream.events += 1
                try:
                    chunk = json.loads(data)
                except ValueError:
                    raise StreamProblem(f"event {stream.events} is not JSON: {data[:80]!r}") from None
                if not isinstance(chunk, dict):
                    raise StreamProblem(f"event {stream.events} is {type(chunk).__name__}, not a JSON object")
                piece = text_of(chunk)
                if piece:
                    stream.arrivals.append((clock(), piece))
                usage = chunk.get("usage")
                if isinstance(usage, dict) and isinstance(usage.get("completion_tokens"), int):
                    stream.reported_tokens = usage["completion_tokens"] or stream.reported_tokens
    except TimeoutError:
        raise StreamProblem(f"the stream did not end within {deadline:g} s ({stream.events} events, no "
                            f"`data: {DONE}`): the Prem App would wait for ever") from None
    if stream.events == 0 and stream.not_event_stream:
        raise StreamProblem(f"the answer is {stream.not_event_stream}, not an event stream (text/event-stream "
                            "with `data:` lines): the Prem App shows nothing while it streams")
    if not finished:
        raise StreamProblem(f"the stream closed after {stream.events} events without `data: {DONE}`: the Prem App "
                            "cannot tell a finished answer from a broken one")
    if not stream.arrivals:
        raise StreamProblem(f"the stream's {stream.events} events carried no text")
    return stream
