"""The shapes of GitHub's answers that publishing reads, checked before anything reads them.

Each is a TypedDict of only the keys the flow uses; other keys are kept as they came. An answer that is not
JSON (an HTML page from a captive portal, or from GitHub Enterprise without ``/api/v3``) or not of its shape
(``/user`` without ``login``, a list where a repository belongs) is ``UnexpectedAnswer``, naming the call
and what came back, never the body itself.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import ConfigDict, TypeAdapter, ValidationError, with_config
from typing_extensions import NotRequired, TypedDict  # noqa: UP035 - pydantic reads typing's from 3.12

from wizard.errors import UnexpectedAnswer

KEEP = ConfigDict(extra="allow")


@with_config(KEEP)
class Login(TypedDict):
    login: str


@with_config(KEEP)
class Named(TypedDict):
    full_name: str


@with_config(KEEP)
class Repository(TypedDict):
    full_name: str
    fork: NotRequired[bool]
    parent: NotRequired[Named]
    source: NotRequired[Named]
    created_at: NotRequired[str]


@with_config(KEEP)
class Sha(TypedDict):
    sha: str


@with_config(KEEP)
class Ref(TypedDict):
    object: Sha


@with_config(KEEP)
class Commit(TypedDict):
    sha: str
    message: str
    tree: Sha


@with_config(KEEP)
class TreeEntry(TypedDict):
    path: str
    type: str
    sha: str


@with_config(KEEP)
class Tree(TypedDict):
    sha: str
    tree: list[TreeEntry]
    truncated: NotRequired[bool]


@with_config(KEEP)
class Blob(TypedDict):
    content: str
    encoding: NotRequired[str]


@with_config(KEEP)
class Head(TypedDict):
    sha: str
    repo: NotRequired[Named | None]


@with_config(KEEP)
class PullRequest(TypedDict):
    number: int
    html_url: str
    head: Head


ANYTHING = dict[str, Any]
_ADAPTERS: dict[Any, TypeAdapter] = {}

# the largest answer a call of the flow gets is a recursive tree of the registry (~100 KB for 47 services);
# GitHub caps a tree answer at 100,000 entries, about 7 MiB
MAX_ANSWER_BYTES = 16 * 1024 * 1024


def _adapter(shape: Any) -> TypeAdapter:
    if shape not in _ADAPTERS:
        _ADAPTERS[shape] = TypeAdapter(shape)
    return _ADAPTERS[shape]


def _where(error: ValidationError) -> str:
    first = error.errors()[0]
    path = ".".join(str(part) for part in first["loc"]) or "the answer"
    return f"{path}: {first['msg'].lower()}"


def read_answer(response: httpx.Response, shape: Any, *, action: str, api_url: str) -> Any:
    """The JSON of ``response`` if it has ``shape``; ``UnexpectedAnswer`` otherwise."""
    hint = ("check --api-url (GitHub Enterprise is https://HOST/api/v3; a network that shows a sign-in page "
            "answers every address with it), then run the same command again")
    kind = response.headers.get("content-type", "no content type").split(";")[0].strip() or "no content type"
    if len(response.content) > MAX_ANSWER_BYTES:
        raise UnexpectedAnswer(f"{api_url} answered the call to {action} with {len(response.content)} bytes, far "
                               "more than GitHub sends", status=response.status_code, hint=hint)
    try:
        data = response.json()
    except (ValueError, RecursionError):
        what = "an HTML page" if "html" in kind else f"{kind} that is not JSON"
        raise UnexpectedAnswer(f"{api_url} answered the call to {action} with {what} (status "
                               f"{response.status_code}), not GitHub's JSON", status=response.status_code,
                               hint=hint) from None
    try:
        return _adapter(shape).validate_python(data)
    except ValidationError as error:
        got = type(data).__name__ if not isinstance(data, dict) else "an object"
        raise UnexpectedAnswer(f"{api_url} answered the call to {action} with JSON GitHub does not send "
                               f"({got}; {_where(error)})", status=response.status_code, hint=hint) from None
    except RecursionError:
        raise UnexpectedAnswer(f"{api_url} answered the call to {action} with JSON nested too deeply",
                               status=response.status_code, hint=hint) from None
