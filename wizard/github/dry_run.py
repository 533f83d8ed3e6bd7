"""--dry-run for publishing: an httpx transport that answers as GitHub would for a first contribution.

Nothing leaves the machine and no token is needed. The pipeline runs unchanged against it, so the calls
it records are exactly the calls a real first run sends (a new fork, no branch, no pull request yet).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import TYPE_CHECKING

import httpx

from wizard.github.token import web_url

if TYPE_CHECKING:
    from wizard.settings import Settings

YOU = "YOUR-LOGIN"


def _sha(*parts: object) -> str:
    return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def dry_run_client(settings: Settings) -> httpx.AsyncClient:
    fork = f"{YOU}/{settings.upstream_repo}"
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    pull_url = f"{web_url(settings.api_url)}/{settings.upstream}/pulls"

    def answer(request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        body = json.loads(request.content) if request.content else {}
        if path.endswith("/user"):
            return httpx.Response(200, json={"login": YOU}, headers={"x-oauth-scopes": "public_repo"})
        if method == "GET" and path.endswith("/pulls"):
            return httpx.Response(200, json=[])
        if path.endswith("/forks"):
            return httpx.Response(202, json={"full_name": fork, "fork": True, "created_at": now,
                                             "parent": {"full_name": settings.upstream}})
        if method == "GET" and "/git/ref/" in path:
            return httpx.Response(200, json={"object": {"sha": _sha("base", path)}})
        if method == "GET" and "/git/commits/" in path:
            return httpx.Response(200, json={"sha": path.rsplit("/", 1)[1], "message": "",
                                             "tree": {"sha": _sha("base tree")}})
        if method == "GET" and "/git/trees/" in path:  # an upstream without these folders: every file is new
            return httpx.Response(200, json={"sha": _sha("base tree"), "tree": [], "truncated": False})
        if method == "POST" and re.search(r"/git/(blobs|trees|commits)$", path):
            return httpx.Response(201, json={"sha": _sha(body)})
        if method == "POST" and path.endswith("/pulls"):
            return httpx.Response(201, json={"number": 0, "html_url": pull_url,
                                             "head": {"sha": _sha(body), "repo": {"full_name": fork}}})
        if method == "GET" and "/repos/" in path:  # the fork answering
            return httpx.Response(200, json={"full_name": fork, "fork": True, "created_at": now,
                                             "parent": {"full_name": settings.upstream}})
        return httpx.Response(200, json={})  # refs written, the fork brought up to date

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))
