"""The calls the Prem App makes to each kind of service (premAI-io/prem-services: port 8000, under ``/v1``), with
small inputs and what a right answer looks like. A checker returns the reason an answer is wrong, or None, and
the figures worth reporting."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.testing import inputs

Figures = dict[str, Any]
Verdict = tuple[str | None, Figures]


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    body: Callable[[], dict[str, Any]]  # httpx request keywords: json=, files=, data=
    check: Callable[[Any], Verdict]  # the parsed JSON answer
    stream_text: Callable[[dict[str, Any]], str | None] | None = None  # a streamed call: each chunk's text


def _first_choice(answer: Any) -> dict[str, Any] | str:
    if not isinstance(answer, dict):
        return f"the answer is {type(answer).__name__}, not a JSON object"
    choices = answer.get("choices")
    if not isinstance(choices, list) or not choices:
        return "the answer has no `choices` list with a choice in it"
    if not isinstance(choices[0], dict):
        return "choices[0] is not an object"
    return choices[0]


def _message_text(choice: dict[str, Any], key: str) -> str | None:
    part = choice.get(key)
    if isinstance(part, dict) and isinstance(part.get("content"), str):
        return part["content"]
    return choice["text"] if isinstance(choice.get("text"), str) else None


def completion_text(answer: Any) -> Verdict:
    choice = _first_choice(answer)
    if isinstance(choice, str):
        return choice, {}
    text = _message_text(choice, "message")
    if text is None:
        return "choices[0] has neither message.content nor text", {}
    return None, {"characters": len(text)}


def chunk_text(chunk: dict[str, Any]) -> str | None:
    choice = _first_choice(chunk)
    return None if isinstance(choice, str) else _message_text(choice, "delta")


def health(answer: Any) -> Verdict:
    if isinstance(answer, dict) and answer.get("status") is False:
        return "the health check answers status false: the service says it is not ready", {}
    return None, {}


def embeddings(answer: Any) -> Verdict:
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list) or len(data) != len(inputs.SENTENCES):
        return f"the answer's `data` is not a list of {len(inputs.SENTENCES)} embeddings, one a sentence sent", {}
    sizes = set()
    for place, item in enumerate(data):
        vector = item.get("embedding") if isinstance(item, dict) else None
        if not isinstance(vector, list) or not vector:
            return f"data[{place}].embedding is not a list of numbers", {}
        if not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in vector):
            return f"data[{place}].embedding holds something that is not a finite number", {}
        sizes.add(len(vector))
    if len(sizes) != 1:
        return f"the embeddings differ in length ({', '.join(map(str, sorted(sizes)))})", {}
    return None, {"dimensions": sizes.pop()}


def pictures(answer: Any) -> Verdict:
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return "the answer's `data` is not a list of pictures", {}
    first = data[0]
    if isinstance(first.get("url"), str) and first["url"]:
        return None, {"pictures": len(data), "as": "url"}
    if not isinstance(first.get("b64_json"), str):
        return "data[0] has neither b64_json nor url", {}
    try:
        raw = base64.b64decode(first["b64_json"], validate=True)
    except (binascii.Error, ValueError):
        return "data[0].b64_json is not base64", {}
    found = inputs.picture_size(raw)
    if found is None:
        return "data[0].b64_json decodes to something that is not a PNG, JPEG, GIF or WebP picture", {}
    kind, width, height = found
    figures: Figures = {"pictures": len(data), "as": kind, "bytes": len(raw)}
    if width:
        figures["size"] = f"{width}x{height}"
    return None, figures


def transcription(answer: Any) -> Verdict:
    if not isinstance(answer, dict) or not isinstance(answer.get("text"), str):
        return "the answer has no `text`", {}
    return None, {"characters": len(answer["text"])}


def generated_audio(answer: Any) -> Verdict:
    if not isinstance(answer, dict) or not isinstance(answer.get("url"), str) or not answer["url"]:
        return "the answer has no `url` of the audio made", {}
    return None, {}


HEALTH = Call("health check", "GET", "/v1/", dict, health)


def _chat(stream: bool) -> dict[str, Any]:
    return {"json": {"model": "prem-check", "messages": [{"role": "user", "content": inputs.PROMPT}],
                     "max_tokens": 64, "stream": stream}}


def _code(stream: bool) -> dict[str, Any]:
    return {"json": {"model": "prem-check", "prompt": inputs.CODE_PROMPT, "max_tokens": 64, "stream": stream}}


CHAT = Call("completion", "POST", "/v1/chat/completions", lambda: _chat(False), completion_text)
CHAT_STREAM = Call("streamed completion", "POST", "/v1/chat/completions", lambda: _chat(True), completion_text,
                   stream_text=chunk_text)
CODE = Call("code completion", "POST", "/v1/completions", lambda: _code(False), completion_text)
CODE_STREAM = Call("streamed code completion", "POST", "/v1/completions", lambda: _code(True), completion_text,
                   stream_text=chunk_text)

CALLS: dict[str, tuple[Call, ...]] = {
    "chat": (HEALTH, CHAT, CHAT_STREAM),
    "coder": (HEALTH, CODE, CODE_STREAM),
    "embeddings": (HEALTH, Call("embeddings of two sentences", "POST", "/v1/embeddings",
                                lambda: {"json": {"model": "prem-check", "input": list(inputs.SENTENCES)}},
                                embeddings)),
    "diffuser": (HEALTH, Call("picture from a prompt", "POST", "/v1/images/generations",
                              lambda: {"json": {"prompt": inputs.IMAGE_PROMPT, "n": 1, "size": "256x256",
                                                "response_format": "b64_json"}}, pictures)),
    "upscaler": (HEALTH, Call("upscale a 32x32 PNG", "POST", "/v1/images/upscale",
                              lambda: {"files": {"image": ("check.png", inputs.small_png(), "image/png")},
                                       "data": {"prompt": inputs.IMAGE_PROMPT, "response_format": "b64_json"}},
                              pictures)),
    "audio-to-text": (HEALTH, Call("transcribe a 1-second WAV", "POST", "/v1/audio/transcriptions",
                                   lambda: {"files": {"file": ("check.wav", inputs.one_second_wav(), "audio/wav")},
                                            "data": {"response_format": "json"}}, transcription)),
    "text-to-audio": (HEALTH, Call("audio from a sentence", "POST", "/v1/audio/generation",
                                   lambda: {"json": {"prompt": inputs.SENTENCES[0]}}, generated_audio)),
}
STREAMING = frozenset({"chat", "coder"})
