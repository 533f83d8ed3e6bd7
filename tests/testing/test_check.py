"""check against loopback services of every interface: each passes, each broken behaviour is named, and the
tokens per second measured from a stream is the rate the server streams at (within 10%)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.servers.service_apis import TCPEngine, port_where_nothing_listens
from wizard.testing.check import check_service
from wizard.testing.speed import stream_speed

INTERFACES = ("chat", "coder", "embeddings", "diffuser", "upscaler", "audio-to-text", "text-to-audio")


async def check(url: str, interface: str, **keywords):
    async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
        return await check_service(client, url, interface, **keywords)


@pytest.mark.parametrize("interface", INTERFACES)
async def test_a_good_service_of_each_interface_passes_every_call(service, interface):
    api = service(interface, rate=200.0, tokens=12)
    report = await check(api.url + "/v1", interface, runs=2)
    assert report.passed, [r.reason for r in report.results]
    assert report.results[0].path == "/v1/"
    expected = {"chat": 4, "coder": 4}.get(interface, 2)  # health, one call, and two streams for text generation
    assert len(report.results) == expected
    assert [method for method, *_ in api.requests].count("POST") == expected - 1
    posted = [body for method, _, body in api.requests if method == "POST"]
    if interface in ("upscaler", "audio-to-text"):
        assert posted[0]["fields"] == (["image", "prompt", "response_format"] if interface == "upscaler"
                                       else ["file", "response_format"])


@pytest.mark.parametrize("rate", [20.0, 50.0])
async def test_tokens_per_second_is_the_rate_the_stream_is_sent_at(service, rate):
    api = service("chat", rate=rate, tokens=25)
    report = await check(api.url, "chat", runs=3)
    assert report.passed
    assert len(report.speeds) == 3 and not report.estimated
    assert report.tokens_per_second == pytest.approx(rate, rel=0.10)
    assert all(s.tokens == 25 for s in report.speeds)


async def test_a_stream_of_one_chunk_is_estimated_and_says_so(service):
    api = service("chat", fault="one-chunk")
    report = await check(api.url, "chat", runs=1)
    assert report.passed and report.estimated
    assert "estimated" in report.results[-1].figures


@pytest.mark.parametrize(("interface", "fault", "failing", "reason"), [
    ("chat", "500", "completion", "answered HTTP 500 Internal Server Error: the service failed"),
    ("chat", "wrong-shape", "completion", "no `choices` list"),
    ("chat", "never-ends", "streamed completion 1 of 1", "did not end within 1 s"),
    ("chat", "no-done", "streamed completion 1 of 1", "closed after 25 events without `data: [DONE]`"),
    ("chat", "not-sse", "streamed completion 1 of 1", "not an event stream"),
    ("coder", "not-sse", "streamed code completion 1 of 1", "not an event stream"),
    ("embeddings", "wrong-shape", "embeddings of two sentences", "not a finite number"),
    ("diffuser", "wrong-shape", "picture from a prompt", "not a PNG, JPEG, GIF or WebP picture"),
    ("audio-to-text", "wrong-shape", "transcribe a 1-second WAV", "has no `text`"),
    ("text-to-audio", "500", "audio from a sentence", "HTTP 500"),
    ("embeddings", "health-down", "health check", "answered HTTP 503 Service Unavailable"),
])
async def test_each_broken_behaviour_is_named(service, interface, fault, failing, reason):
    api = service(interface, fault=fault, rate=500.0, tokens=25)
    report = await check(api.url, interface, runs=1, deadline=1.0)
    failed = {r.name: r.reason for r in report.results if not r.passed}
    assert failing in failed and reason in failed[failing], failed
    assert not report.passed


async def test_a_port_where_nothing_listens_is_said_once():
    report = await check(f"http://127.0.0.1:{port_where_nothing_listens()}", "chat", runs=3)
    assert len(report.results) == 1
    assert report.results[0].reason.startswith("nothing answers at http://127.0.0.1:")


@pytest.mark.parametrize("engine", ["qdrant", "weaviate"])
async def test_http_vector_stores_answer_as_their_engine(service, engine):
    api = service("vector-store", engine=engine)
    assert (await check(api.url, "vector-store", engine=engine)).passed
    wrong = await check(api.url, "vector-store", engine="weaviate" if engine == "qdrant" else "qdrant")
    assert not wrong.passed


@pytest.mark.parametrize("engine", ["redis", "pgvector"])
async def test_tcp_vector_stores_answer_their_protocol(engine):
    server = TCPEngine(engine)
    try:
        assert (await check(f"tcp://127.0.0.1:{server.port}", "vector-store", engine=engine)).passed
        other = "pgvector" if engine == "redis" else "redis"
        failed = await check(f"tcp://127.0.0.1:{server.port}", "vector-store", engine=other)
        assert not failed.passed and "was answered" in failed.results[0].reason
    finally:
        server.stop()


def test_speed_counts_the_tokens_after_the_first_chunk_over_the_time_after_it():
    arrivals = [(1.0 + i * 0.1, "x") for i in range(11)]  # 11 chunks, 10 gaps of 0.1 s
    speed = stream_speed(0.5, arrivals)
    assert speed.tokens_per_second == pytest.approx(10.0)
    assert speed.first_token_seconds == pytest.approx(0.5)
    assert stream_speed(0.5, arrivals, reported_tokens=22).tokens_per_second == pytest.approx(20.0)


def test_the_json_document_holds_every_call(service):
    import asyncio

    api = service("chat", rate=300.0, tokens=10)
    document = asyncio.run(check(api.url, "chat", runs=2)).document()
    json.dumps(document)
    assert document["passed"] and len(document["calls"]) == 4 and len(document["runs"]) == 2
