"""Exercise a running service the way the Prem App will: the health check, then each call of its interface with
small inputs, each answer's shape checked, and, for text generation, several streamed answers timed.

``check_service`` takes an injected ``httpx.AsyncClient``; every failure is a ``CallResult`` with its reason,
never an exception, so one broken call does not hide what the others show.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from wizard.terminal_text import one_line
from wizard.testing.calls import CALLS, HEALTH, STREAMING, Call
from wizard.testing.speed import Speed, stream_speed, typical
from wizard.testing.sse import StreamProblem, read_stream

DEFAULT_RUNS = 3
DEFAULT_DEADLINE = 120.0  # seconds for one call: a model on a CPU may take that long to answer 64 tokens


@dataclass
class CallResult:
    name: str
    method: str
    path: str
    passed: bool
    reason: str | None
    seconds: float
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckReport:
    url: str
    interface: str
    results: list[CallResult] = field(default_factory=list)
    speeds: list[Speed] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(result.passed for result in self.results)

    @property
    def tokens_per_second(self) -> float | None:
        measured = [s.tokens_per_second for s in self.speeds if not s.estimated] or [
            s.tokens_per_second for s in self.speeds]
        return typical(measured) if measured else None

    @property
    def estimated(self) -> bool:
        return bool(self.speeds) and all(s.estimated for s in self.speeds)

    def document(self) -> dict[str, Any]:
        rate = self.tokens_per_second
        return {"url": self.url, "interface": self.interface, "passed": self.passed,
                "calls": [asdict(r) for r in self.results],
                "tokensPerSecond": None if rate is None else round(rate, 2),
                "tokensPerSecondEstimated": self.estimated if self.speeds else None,
                "runs": [round(s.tokens_per_second, 2) for s in self.speeds]}


def service_base(url: str) -> str:
    """The service's root: ``http://h:8000``, ``…/v1`` and ``…/v1/`` all name the same service."""
    url = url.rstrip("/")
    return url.removesuffix("/v1")


def excerpt(text: str, limit: int = 160) -> str:
    text = one_line(text.strip())
    return text if len(text) <= limit else text[:limit] + "…"


def transport_reason(error: Exception, url: str, deadline: float) -> str:
    if isinstance(error, httpx.ConnectError):
        return (f"nothing answers at {url} ({excerpt(str(error)) or 'connection refused'}): is the service running "
                "and its port published? (`docker ps` lists the ports)")
    if isinstance(error, httpx.TimeoutException | TimeoutError):
        return f"no answer within {deadline:g} s"
    return f"the connection broke: {type(error).__name__} {excerpt(str(error))}".rstrip()


def status_reason(response: httpx.Response, body: bytes) -> str | None:
    if 200 <= response.status_code < 300:
        return None
    detail = excerpt(body.decode("utf-8", "replace"))
    what = "the service failed" if response.status_code >= 500 else "the service refused the request the Prem App sends"
    return f"answered HTTP {response.status_code} {response.reason_phrase}: {what}" + (f" ({detail})" if detail else "")


def parsed_answer(response: httpx.Response, body: bytes) -> tuple[Any, str | None]:
    try:
        return json.loads(body), None
    except ValueError:
        kind = response.headers.get("content-type", "no Content-Type")
        return None, f"the answer is not JSON ({kind}): {excerpt(body.decode('utf-8', 'replace')) or 'empty'}"


class Checker:
    def __init__(self, client: httpx.AsyncClient, url: str, interface: str, *, deadline: float,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.client, self.base, self.interface = client, service_base(url), interface
        self.deadline, self.clock = deadline, clock
        self.report = CheckReport(self.base, interface)

    def _result(self, call: Call, started: float, reason: str | None, figures: dict[str, Any] | None = None,
                name: str | None = None) -> CallResult:
        result = CallResult(name or call.name, call.method, call.path, reason is None, reason,
                            round(self.clock() - started, 4), figures or {})
        self.report.results.append(result)
        return result

    async def plain(self, call: Call) -> CallResult:
        started = self.clock()
        url = self.base + call.path
        try:
            async with asyncio.timeout(self.deadline):
                response = await self.client.request(call.method, url, **call.body())
                body = response.content
        except (httpx.HTTPError, TimeoutError) as error:
            return self._result(call, started, transport_reason(error, url, self.deadline))
        reason = status_reason(response, body)
        if reason:
            return self._result(call, started, reason)
        answer, reason = parsed_answer(response, body)
        if reason and call is HEALTH:
            return self._result(call, started, None)  # any 2xx is healthy; only a JSON answer says more
        if reason:
            return self._result(call, started, reason)
        reason, figures = call.check(answer)
        return self._result(call, started, reason, figures)

    async def streamed(self, call: Call, run: int, runs: int) -> CallResult:
        assert call.stream_text is not None
        started = self.clock()
        url = self.base + call.path
        name = f"{call.name} {run} of {runs}"
        try:
            async with asyncio.timeout(self.deadline + 1), self.client.stream(call.method, url, **call.body()) as response:
                if not 200 <= response.status_code < 300:
                    return self._result(call, started, status_reason(response, await response.aread()), name=name)
                stream = await read_stream(response, call.stream_text, started=started, deadline=self.deadline,
                                           clock=self.clock)
        except StreamProblem as problem:
            return self._result(call, started, problem.reason, name=name)
        except (httpx.HTTPError, TimeoutError) as error:
            return self._result(call, started, transport_reason(error, url, self.deadline), name=name)
        speed = stream_speed(started, stream.arrivals, stream.reported_tokens)
        assert speed is not None  # read_stream refuses a stream without text
        self.report.speeds.append(speed)
        figures = {"tokens": speed.tokens, "tokensPerSecond": round(speed.tokens_per_second, 2),
                   "firstTokenSeconds": round(speed.first_token_seconds, 3), "chunks": len(stream.arrivals)}
        if speed.estimated:
            figures["estimated"] = "the answer came in one piece: tokens guessed from its length"
        if stream.not_event_stream:
            figures["contentType"] = stream.not_event_stream
        return self._result(call, started, None, figures, name=name)


async def check_vector_store(checker: Checker, engine: str, said: Callable[[CallResult], None]) -> None:
    from urllib.parse import urlsplit

    from wizard.testing.vector_stores import HTTP_CALLS, PROBES, tcp_probe

    if engine in HTTP_CALLS:
        for call in HTTP_CALLS[engine]:
            result = await checker.plain(call)
            said(result)
            if not result.passed:
                return
        return
    probe = PROBES[engine]
    parts = urlsplit(checker.base if "//" in checker.base else f"tcp://{checker.base}")
    host, port = parts.hostname or "127.0.0.1", parts.port or (6379 if engine == "redis" else 5432)
    started = checker.clock()
    reason = await tcp_probe(host, port, probe, checker.deadline)
    call = Call(probe.name, "TCP", f"{host}:{port}", dict, lambda answer: (None, {}))
    said(checker._result(call, started, reason))


async def check_service(client: httpx.AsyncClient, url: str, interface: str, *, runs: int = DEFAULT_RUNS,
                        deadline: float = DEFAULT_DEADLINE, skip_health: bool = False, engine: str | None = None,
                        said: Callable[[CallResult], None] = lambda result: None,
                        clock: Callable[[], float] = time.perf_counter) -> CheckReport:
    """Every call of ``interface`` against the service at ``url``; ``said`` hears each result as it comes. A
    vector store needs its ``engine`` (``vector_stores.ENGINES``)."""
    checker = Checker(client, url, interface, deadline=deadline, clock=clock)
    if interface == "vector-store":
        await check_vector_store(checker, engine or "qdrant", said)
        return checker.report
    for call in CALLS[interface]:
        if call is HEALTH and skip_health:
            continue
        if call.stream_text is None:
            result = await checker.plain(call)
            said(result)
            if call is HEALTH and not result.passed:
                break  # a service that is not up fails every call the same way: say it once
            continue
        for run in range(1, (runs if interface in STREAMING else 1) + 1):
            said(await checker.streamed(call, run, runs))
    return checker.report
