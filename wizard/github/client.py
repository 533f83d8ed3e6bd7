"""GitHub's REST API over httpx: one method per call the publishing flow makes, and nothing else.

Every refusal becomes one of the project's exceptions (``wizard.github.errors`` says which and how);
rate limits are waited out when the wait is short. Network failures are retried only for calls safe to
repeat (reads, and writes whose connection never opened); server errors only for reads.

Each request is recorded in ``GitHub.calls`` (method, path, status, bytes), which is how tests and the
benchmark count what a pull request costs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from wizard.errors import GitHubUnreachable, UnexpectedAnswer
from wizard.github import answers
from wizard.github.errors import (
    ATTEMPTS,
    error_for,
    message_of,
    rate_limit_of,
    rate_limited,
)
from wizard.github.token import Secret

log = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
REQUEST_DEADLINE = 60.0
WAIT_NOTICE_AFTER, WAIT_NOTICE_EVERY = 2.0, 5.0
MEDIA_TYPE = "application/vnd.github+json"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int  # 0 when no answer came back
    sent_bytes: int
    received_bytes: int
    summary: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f"  ({self.summary})" if self.summary else "")


@dataclass(frozen=True)
class User:
    login: str
    scopes: frozenset[str] | None  # None: the token does not list scopes (fine-grained tokens, apps)


class GitHub:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        api_url: str,
        token: Secret | None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        deadline: float | None = None,
        waiting: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.deadline = deadline or REQUEST_DEADLINE  # seconds for a whole answer: httpx's read timeout never ends a trickle
        self.waiting = waiting  # told "still waiting …" when an answer takes longer than WAIT_NOTICE_AFTER
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.sleep = sleep
        self.clock = clock
        self.calls: list[Call] = []
        self.github_time: float | None = None  # GitHub's clock (Date header) at its latest answer

    # --- the calls --------------------------------------------------------------------------------

    async def authenticated_user(self) -> User:
        action = "read your GitHub account"
        response = await self._call("GET", "/user", action=action)
        scopes = response.headers.get("x-oauth-scopes")
        listed = None if scopes is None else frozenset(s.strip() for s in scopes.split(",") if s.strip())
        return User(self._read(response, answers.Login, action)["login"], listed)

    async def get_repository(self, full_name: str) -> dict[str, Any] | None:
        action = f"read {full_name}"
        response = await self._call("GET", f"/repos/{full_name}", action=action, absent_ok=True)
        return None if response is None else self._read(response, answers.Repository, action)

    async def create_fork(self, full_name: str) -> dict[str, Any]:
        """Your fork of ``full_name``; GitHub answers with the fork you already have, whatever its name."""
        action = f"fork {full_name}"
        response = await self._call("POST", f"/repos/{full_name}/forks", action=action, body={})
        return self._read(response, answers.Repository, action)

    async def sync_fork_branch(self, full_name: str, branch: str) -> dict[str, Any]:
        action = f"bring the {branch} branch of {full_name} up to date"
        response = await self._call("POST", f"/repos/{full_name}/merge-upstream", body={"branch": branch},
                                    action=action)
        return self._read(response, answers.ANYTHING, action)

    async def get_ref(self, full_name: str, ref: str) -> str | None:
        """The commit a ref such as ``heads/dev`` points at, or None when there is no such ref."""
        action = f"read {ref} of {full_name}"
        response = await self._call("GET", f"/repos/{full_name}/git/ref/{ref}", action=action, absent_ok=True)
        return None if response is None else self._read(response, answers.Ref, action)["object"]["sha"]

    async def get_commit(self, full_name: str, sha: str) -> dict[str, Any]:
        action = f"read commit {sha[:7]} of {full_name}"
        response = await self._call("GET", f"/repos/{full_name}/git/commits/{sha}", action=action)
        return self._read(response, answers.Commit, action)

    async def get_tree(self, full_name: str, tree: str) -> dict[str, Any]:
        """Every entry of a tree (a sha, or a branch name) and below it, in one call: ``{"tree": [...], "truncated"}``."""
        action = f"read the files of {full_name} at {tree[:12]}"
        response = await self._call("GET", f"/repos/{full_name}/git/trees/{tree}", params={"recursive": "1"},
                                    action=action)
        return self._read(response, answers.Tree, action)

    async def get_blob(self, full_name: str, sha: str) -> bytes:
        action = f"read a file of {full_name}"
        response = await self._call("GET", f"/repos/{full_name}/git/blobs/{sha}", action=action)
        answer = self._read(response, answers.Blob, action)
        content = answer["content"]
        if answer.get("encoding") != "base64":
            return content.encode("utf-8")
        try:
            return base64.b64decode(content, validate=False)
        except ValueError:
            raise UnexpectedAnswer(f"{self.api_url} answered the call to {action} with a file that is not base64",
                                   status=response.status_code) from None

    async def create_blob(self, full_name: str, content: bytes) -> str:
        body = {"content": base64.b64encode(content).decode("ascii"), "encoding": "base64"}
        action = f"upload a file to {full_name}"
        response = await self._call("POST", f"/repos/{full_name}/git/blobs", body=body, action=action)
        return self._read(response, answers.Sha, action)["sha"]

    async def create_tree(self, full_name: str, entries: Sequence[Mapping[str, Any]], *, base_tree: str) -> str:
        action = f"write the files into {full_name}"
        response = await self._call("POST", f"/repos/{full_name}/git/trees", body={"base_tree": base_tree,
                                    "tree": list(entries)}, action=action)
        return self._read(response, answers.Sha, action)["sha"]

    async def create_commit(self, full_name: str, *, message: str, tree: str, parents: Sequence[str]) -> str:
        action = f"make a commit in {full_name}"
        response = await self._call("POST", f"/repos/{full_name}/git/commits", action=action,
                                    body={"message": message, "tree": tree, "parents": list(parents)})
        return self._read(response, answers.Sha, action)["sha"]

    async def create_ref(self, full_name: str, ref: str, sha: str) -> bool:
        """Create ``refs/heads/...``; False when a ref of that name already exists."""
        response = await self._call("POST", f"/repos/{full_name}/git/refs", body={"ref": ref, "sha": sha},
                                    action=f"create the branch {ref.removeprefix('refs/heads/')} in {full_name}",
                                    exists_ok=True)
        return response is not None

    async def update_ref(self, full_name: str, ref: str, sha: str, *, force: bool) -> None:
        await self._call("PATCH", f"/repos/{full_name}/git/refs/{ref}", body={"sha": sha, "force": force},
                         action=f"move the branch {ref.removeprefix('heads/')} of {full_name}")

    async def list_pull_requests(self, full_name: str, *, head: str, base: str, state: str = "open") -> list[dict]:
        action = f"list the pull requests of {full_name}"
        response = await self._call("GET", f"/repos/{full_name}/pulls", params={"head": head, "base": base,
                                    "state": state}, action=action)
        return self._read(response, list[answers.PullRequest], action)

    async def create_pull_request(
        self, full_name: str, *, title: str, head: str, base: str, body: str, draft: bool,
        maintainer_can_modify: bool = True,
    ) -> dict[str, Any] | None:
        """The new pull request; None when one from ``head`` is already open."""
        action = f"open a pull request on {full_name}"
        response = await self._call("POST", f"/repos/{full_name}/pulls", action=action,
                                    body={"title": title, "head": head, "base": base, "body": body, "draft": draft,
                                          "maintainer_can_modify": maintainer_can_modify}, exists_ok=True)
        return None if response is None else self._read(response, answers.PullRequest, action)

    # --- sending ----------------------------------------------------------------------------------

    def _read(self, response: httpx.Response, shape: Any, action: str) -> Any:
        return answers.read_answer(response, shape, action=action, api_url=self.api_url)

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": MEDIA_TYPE, "X-GitHub-Api-Version": API_VERSION, "User-Agent": "prem-new-service"}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token.reveal()}"
        return headers

    async def _call(
        self, method: str, path: str, *, action: str, body: Any = None, params: Mapping[str, str] | None = None,
        absent_ok: bool = False, exists_ok: bool = False,
    ) -> httpx.Response | None:
        network_failures = rate_waits = 0
        while True:
            try:
                response = await self._send(method, path, body=body, params=params, action=action)
            except TimeoutError:
                self._record(method, path, params, body, None, None)
                raise GitHubUnreachable(
                    f"GitHub at {self.api_url} did not finish answering in {self.deadline:.0f} s (to {action})",
                    hint="GitHub, or a proxy on the way, is stuck; run the same command again in a few minutes "
                    "(it continues from where it stopped), and check --api-url",
                ) from None
            except httpx.TransportError as error:
                self._record(method, path, params, body, error.request if _has_request(error) else None, None)
                network_failures += 1
                if _safe_to_repeat(method, error) and network_failures < ATTEMPTS:
                    await self.sleep(2.0**network_failures)
                    continue
                raise GitHubUnreachable(
                    f"could not reach GitHub at {self.api_url} to {action} ({_describe(error)})",
                    hint="check your connection (and --api-url), then run the same command again",
                ) from None
            self._record(method, path, params, body, response.request, response)
            self.github_time = _date_of(response) or self.clock()
            limit = rate_limit_of(response.status_code, response.headers, message_of(response),
                                  now=self.github_time, attempt=rate_waits)
            if limit is not None:
                if limit.wait is None:
                    raise rate_limited(limit, response.headers)
                rate_waits += 1
                await self.sleep(limit.wait)
                continue
            if response.status_code >= 500 and method == "GET" and network_failures + 1 < ATTEMPTS:
                network_failures += 1
                await self.sleep(2.0**network_failures)
                continue
            if absent_ok and response.status_code == 404:
                return None
            if exists_ok and response.status_code == 422 and "already exists" in message_of(response):
                return None
            if response.is_success:
                return response
            raise error_for(response, action=action, token=self.token, api_url=self.api_url)

    async def _send(self, method: str, path: str, *, body: Any, params: Mapping[str, str] | None,
                    action: str) -> httpx.Response:
        notices = asyncio.create_task(self._tell_waiting(action)) if self.waiting else None
        try:
            async with asyncio.timeout(self.deadline):
                return await self.client.request(method, self.api_url + path, json=body, params=params,
                                                 headers=self._headers())
        finally:
            if notices is not None:
                notices.cancel()

    async def _tell_waiting(self, action: str) -> None:
        waited, pause = 0.0, WAIT_NOTICE_AFTER
        while True:
            await asyncio.sleep(pause)  # the real clock, not self.sleep: this measures the wait for an answer
            waited += pause
            self.waiting(f"still waiting for GitHub to {action} ({waited:.0f} s of at most {self.deadline:.0f})")
            pause = WAIT_NOTICE_EVERY

    def _record(self, method, path, params, body, request: httpx.Request | None, response) -> None:
        query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        log.debug("%s %s%s -> %s", method, path, query, response.status_code if response is not None else "no answer")
        self.calls.append(Call(
            method, path + query, response.status_code if response is not None else 0,
            _request_bytes(request) if request is not None else 0,
            _response_bytes(response) if response is not None else 0,
            summarize_body(body),
        ))


# --- pure helpers ---------------------------------------------------------------------------------


def _has_request(error: httpx.TransportError) -> bool:
    try:
        error.request  # noqa: B018 - httpx raises RuntimeError when the error carries no request
    except RuntimeError:
        return False
    return True


def _safe_to_repeat(method: str, error: httpx.TransportError) -> bool:
    # a read may always be repeated; a write only when the connection never opened, so GitHub never saw it
    return method in ("GET", "HEAD") or isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)


def _describe(error: httpx.TransportError) -> str:
    words = re.sub(r"(?<!^)([A-Z])", r" \1", type(error).__name__).lower()
    return f"{words}: {error}" if str(error) else words


def _request_bytes(request: httpx.Request) -> int:
    head = len(f"{request.method} {request.url.raw_path.decode()} HTTP/1.1\r\n")
    head += sum(len(k) + len(v) + 4 for k, v in request.headers.raw) + 2
    return head + len(request.content)


def _response_bytes(response: httpx.Response) -> int:
    return sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + len(response.content)


def _date_of(response: httpx.Response) -> float | None:
    try:
        return parsedate_to_datetime(response.headers["date"]).timestamp()
    except (KeyError, TypeError, ValueError):
        return None


def summarize_body(body: Any) -> str:
    """A one-line picture of a request body for --dry-run and logs: short strings, counts of lists."""
    if not isinstance(body, Mapping) or not body:
        return ""
    parts = []
    for key, value in body.items():
        if isinstance(value, list) and value and all(isinstance(v, Mapping) and "path" in v for v in value):
            size = sum(len(str(v.get("content", ""))) for v in value)
            shown = f"{len(value)} files: " + ", ".join(str(v["path"]) for v in value) + f" ({size} bytes inline)"
        elif isinstance(value, list):
            shown = "[" + ", ".join(_short(v) for v in value) + "]"
        else:
            shown = _short(value)
        parts.append(f"{key}={shown}")
    return ", ".join(parts)


def _short(value: Any) -> str:
    if isinstance(value, str):
        if re.fullmatch(r"[0-9a-f]{40}", value):
            return value[:7]
        first = value.splitlines()[0] if value else ""
        more = len(value) - len(first)
        shown = json.dumps(first[:60] + ("…" if len(first) > 60 else ""), ensure_ascii=False)
        return shown + (f" (+{more} chars)" if more > 0 else "")
    return json.dumps(value)
