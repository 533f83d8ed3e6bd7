"""A stateful emulator of the part of GitHub that opening a pull request from a fork touches.

Users and tokens with scopes, repositories, forks (slow to appear, possibly renamed), git objects with
git's real ids, refs, trees with ``base_tree`` semantics, commits, pull requests, rate limits and the
OAuth device flow, answered with GitHub's status codes, headers and error bodies. Every request is
checked against GitHub's OpenAPI description (``github_openapi``); what breaks it is refused the way
GitHub refuses it (400/422) and kept in ``protocol_errors``, which the fixture turns into a failure.

The model lives in ``github_model``, the answers in ``github_answers``, the device flow in
``github_device_flow``; ``github_http.serve`` puts it on a loopback port.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.servers.github_answers import Answers
from tests.servers.github_device_flow import DeviceFlow, DeviceFlowEndpoints
from tests.servers.github_git import GitObjectMissing, ObjectStore
from tests.servers.github_model import (
    FakeClock,
    Fault,
    PullRequest,
    RateWindow,
    Recorded,
    Reply,
    Repo,
    Token,
)
from tests.servers.github_openapi import OpenAPI
from tests.servers.github_reading import Reading

API_VERSIONS = {"2022-11-28", "2026-03-10"}
PRIMARY_LIMIT_MESSAGE = ("API rate limit exceeded for user ID {id}. If you reach out to GitHub Support for help, "
                         "please include the request ID {request_id}.")
SECONDARY_LIMIT_MESSAGE = ("You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                           "again. If you reach out to GitHub Support for help, please include the request ID "
                           "{request_id}.")
SECONDARY_LIMIT_DOCS = ("https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
                        "#about-secondary-rate-limits")
PRIMARY_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
WRITE_SCOPES = {"public_repo", "repo"}

ROUTES: tuple[tuple[str, str, str], ...] = (
    ("GET", "/user", "get_user"),
    ("GET", "/repos/{owner}/{repo}", "get_repo"),
    ("POST", "/repos/{owner}/{repo}/forks", "create_fork"),
    ("POST", "/repos/{owner}/{repo}/merge-upstream", "merge_upstream"),
    ("GET", "/repos/{owner}/{repo}/git/ref/{ref}", "get_ref"),
    ("POST", "/repos/{owner}/{repo}/git/refs", "create_ref"),
    ("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}", "update_ref"),
    ("GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}", "get_commit"),
    ("POST", "/repos/{owner}/{repo}/git/commits", "create_commit"),
    ("POST", "/repos/{owner}/{repo}/git/trees", "create_tree"),
    ("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha}", "get_tree"),
    ("GET", "/repos/{owner}/{repo}/git/blobs/{file_sha}", "get_blob"),
    ("POST", "/repos/{owner}/{repo}/git/blobs", "create_blob"),
    ("GET", "/repos/{owner}/{repo}/pulls", "list_pulls"),
    ("POST", "/repos/{owner}/{repo}/pulls", "create_pull"),
)


def _route_pattern(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m[1]}>.+)" if m[1] in ("ref", "tree_sha") else f"(?P<{m[1]}>[^/]+)", template)
    return re.compile(f"^{pattern}$")


COMPILED_ROUTES = [(method, _route_pattern(t), t, name) for method, t, name in ROUTES]


class GitHubEmulator(Answers, DeviceFlowEndpoints, Reading):
    def __init__(self, openapi: OpenAPI, *, clock: FakeClock | None = None) -> None:
        self.openapi = openapi
        self.clock = clock or FakeClock()
        self.lock = threading.RLock()
        self.url = ""  # set by serve()
        self.users: dict[str, int] = {}
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repo] = {}
        self.pulls: list[PullRequest] = []
        self.requests: list[Recorded] = []
        self.protocol_errors: list[str] = []
        self.faults: list[Fault] = []
        self.windows: dict[str, RateWindow] = {}
        self.device = DeviceFlow()
        self.fork_delay = 0  # how many requests a new fork answers 404 to before it appears
        self.shared_objects = True  # forks see their network's objects, as on GitHub; False: only after a sync
        self.fork_name: str | None = None  # a name new forks get instead of the upstream's
        self.upstream = self.login = self.token = ""  # the usual world's upstream and contributor (make_world)
        self._ids = itertools.count(1000)

    # --- setting up a world -----------------------------------------------------------------------

    def add_user(self, login: str, *, scopes: Iterable[str] | None = ("public_repo",), token: str | None = None) -> str:
        """A user and a token of theirs; ``scopes=None`` makes a fine-grained token."""
        with self.lock:
            self.users.setdefault(login, next(self._ids))
            prefix = "github_pat_" if scopes is None else "ghp_"
            value = token or prefix + secrets.token_hex(18)
            self.tokens[value] = Token(value, login, None if scopes is None else tuple(scopes))
            return value

    def create_repository(self, full_name: str, files: Mapping[str, bytes], *, branches: Iterable[str] = ("main", "dev"),
                          default_branch: str = "main", author: str = "registry-bot") -> Repo:
        owner, name = full_name.split("/")
        with self.lock:
            self.users.setdefault(owner, next(self._ids))
            store = ObjectStore()
            tree = store.tree_from_files(files)
            commit = store.put_commit(tree=tree, parents=[], message="Initial registry\n", author=self._person(author),
                                      committer=self._person(author), timestamp=int(self.clock()))
            repo = Repo(next(self._ids), owner, name, store, {f"heads/{b}": commit for b in branches}, default_branch,
                        self.clock() - 86400 * 365)
            self.repos[full_name.lower()] = repo
            return repo

    def add_fork(self, upstream: str, login: str, *, name: str | None = None, age: float = 86400 * 30) -> Repo:
        """A fork made long ago (so it is behind as soon as the upstream moves)."""
        with self.lock:
            fork = self._fork(self.repo(upstream), login, name or self.repo(upstream).name)
            fork.created_at = self.clock() - age
            fork.hidden_for = 0
            return fork

    def commit_files(self, full_name: str, branch: str, files: Mapping[str, bytes], *, message: str = "Update\n",
                     author: str = "someone") -> str:
        """Someone pushes a commit (the upstream moving on, or a person working in a fork)."""
        with self.lock:
            repo = self.repo(full_name)
            parent = repo.refs[f"heads/{branch}"]
            tree = repo.store.edit_tree(repo.store.commits[parent].tree,
                                        {p: ("100644", repo.store.put_blob(d)) for p, d in files.items()})
            self.clock.now += 1
            sha = repo.store.put_commit(tree=tree, parents=[parent], message=message, author=self._person(author),
                                        committer=self._person(author), timestamp=int(self.clock()))
            repo.refs[f"heads/{branch}"] = sha
            return sha

    def repo(self, full_name: str) -> Repo:
        return self.repos[full_name.lower()]

    def files_at(self, full_name: str, branch: str) -> dict[str, bytes]:
        repo = self.repo(full_name)
        return repo.store.files(repo.store.commits[repo.refs[f"heads/{branch}"]].tree)

    def api_calls(self, method: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if not r.path.startswith("/login/") and method in (None, r.method)]

    # --- faults -----------------------------------------------------------------------------------

    def fail_next(self, method: str, path: str, status: int, body: Any, headers: Mapping[str, str] | None = None,
                  *, times: int = 1) -> None:
        self.faults.append(Fault(method, re.compile(path), times, (status, body, dict(headers or {}))))

    def drop_next(self, method: str, path: str, *, times: int = 1) -> None:
        """Close the connection without answering, as a network failure mid-request does."""
        self.faults.append(Fault(method, re.compile(path), times, None))

    def secondary_limit_next(self, *, retry_after: int | None = None, times: int = 1) -> None:
        body = {"message": SECONDARY_LIMIT_MESSAGE.format(request_id=self._request_id()),
                "documentation_url": SECONDARY_LIMIT_DOCS}
        self.fail_next(".*", ".*", 403, body, {"retry-after": str(retry_after)} if retry_after is not None else {},
                       times=times)

    def exhaust_rate_limit(self, login: str, *, reset_in: float) -> None:
        with self.lock:
            window = self._window(login)
            window.remaining, window.reset = 0, int(self.clock() + reset_in)

    # --- serving ----------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], raw_body: bytes
               ) -> tuple[int, dict[str, str], bytes] | None:
        """One request in, one answer out (None: drop the connection). Thread-safe."""
        with self.lock:
            parts = urlsplit(target)
            query = dict(parse_qsl(parts.query))
            record = Recorded(method, parts.path, query, None, dict(headers), sent_bytes=len(raw_body))
            self.requests.append(record)
            if parts.path.startswith("/login/"):
                status, extra, body = self._login(parts.path, headers, raw_body)
                record.status = status
                return status, extra, body
            try:
                for fault in self.faults:
                    if fault.times and re.fullmatch(fault.method, method) and fault.path.search(parts.path):
                        fault.times -= 1
                        if fault.reply is None:
                            return None
                        raise Reply(*fault.reply)
                status, body, extra = self._api(method, parts.path, query, headers, raw_body, record)
            except Reply as reply:
                status, body, extra = reply.status, reply.body, reply.headers
            record.status = status
            return status, self._headers(method, headers, extra), json.dumps(body).encode()

    def _api(self, method, path, query, headers, raw_body, record) -> tuple[int, Any, dict[str, str]]:
        route = next(((t, n, m.groupdict()) for verb, pattern, t, n in COMPILED_ROUTES
                      if verb == method and (m := pattern.match(path))), None)
        if route is None:
            raise Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        template, name, params = route
        self._check_headers(method, path, headers)
        token = self._authenticate(headers, method, template)
        self._count_call(token, headers)
        body = self._parse_body(raw_body, template)
        record.body = body
        problems = self.openapi.request_problems(method, template, query, body)
        if problems:
            self.protocol_errors.append(f"{method} {path}: " + "; ".join(problems))
            raise Reply(422, {"message": "Invalid request.\n\n" + "\n".join(problems),
                              "documentation_url": self.openapi.documentation_url(method, template), "status": "422"})
        self.template, self.caller = template, token
        try:
            status, answer = getattr(self, name)(params, query, body or {})
        except Reply as reply:
            reply.body.setdefault("documentation_url", self.openapi.documentation_url(method, template))
            reply.body.setdefault("status", str(reply.status))
            self._check_answer(method, template, reply.status, reply.body)
            raise
        self._check_answer(method, template, status, answer)
        return status, answer, {}

    def _check_answer(self, method: str, template: str, status: int, body: Any) -> None:
        for problem in self.openapi.response_problems(method, template, status, body):
            self.protocol_errors.append(f"emulator answered {method} {template} {status} off the description: {problem}")

    def _check_headers(self, method: str, path: str, headers: Mapping[str, str]) -> None:
        accept, version = headers.get("accept", ""), headers.get("x-github-api-version")
        if "application/vnd.github" not in accept and "application/json" not in accept:
            self.protocol_errors.append(f"{method} {path}: Accept is {accept!r}, not application/vnd.github+json")
        if version is None:
            self.protocol_errors.append(f"{method} {path}: no X-GitHub-Api-Version header")
        elif version not in API_VERSIONS:
            raise Reply(400, {"message": f"API version {version} is not supported.",
                              "documentation_url": "https://docs.github.com/rest/about-the-rest-api/api-versions"})

    def _authenticate(self, headers: Mapping[str, str], method: str, template: str) -> Token | None:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if not value:
            if method != "GET" or template == "/user":
                raise Reply(401, {"message": "Requires authentication",
                                  "documentation_url": self.openapi.documentation_url(method, template)})
            return None
        token = self.tokens.get(value) if scheme.lower() in ("bearer", "token") else None
        if token is None:
            raise Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest",
                              "status": "401"})
        return token

    def _window(self, identity: str) -> RateWindow:
        window = self.windows.get(identity)
        if window is None or self.clock() >= window.reset:
            limit = 60 if identity == "" else 5000
            window = self.windows[identity] = RateWindow(limit, limit, int(self.clock()) + 3600)
        return window

    def _count_call(self, token: Token | None, headers: Mapping[str, str]) -> None:
        identity = token.login if token else ""
        window = self._window(identity)
        if window.remaining <= 0:
            raise Reply(403, {"message": PRIMARY_LIMIT_MESSAGE.format(id=self.users.get(identity, 0),
                                                                      request_id=self._request_id()),
                              "documentation_url": PRIMARY_LIMIT_DOCS, "status": "403"})
        window.remaining -= 1

    def _headers(self, method: str, request_headers: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
        token = self.tokens.get(request_headers.get("authorization", "").partition(" ")[2])
        window = self._window(token.login if token else "")
        headers = {
            "content-type": "application/json; charset=utf-8",
            "date": formatdate(self.clock(), usegmt=True),
            "x-github-media-type": "github.v3; format=json",
            "x-github-api-version-selected": "2022-11-28",
            "x-github-request-id": self._request_id(),
            "x-ratelimit-limit": str(window.limit),
            "x-ratelimit-remaining": str(max(0, window.remaining)),
            "x-ratelimit-reset": str(window.reset),
            "x-ratelimit-used": str(window.limit - max(0, window.remaining)),
            "x-ratelimit-resource": "core",
        }
        if token is not None and token.scopes is not None:
            headers["x-oauth-scopes"] = ", ".join(token.scopes)
            headers["x-accepted-oauth-scopes"] = "" if method == "GET" else "public_repo, repo"
        headers.update(extra)
        return headers

    def _request_id(self) -> str:
        return f"{secrets.token_hex(2).upper()}:{secrets.token_hex(3).upper()}:{secrets.token_hex(4).upper()}"

    def _parse_body(self, raw: bytes, template: str) -> Any:
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise Reply(400, {"message": "Problems parsing JSON", "documentation_url": "https://docs.github.com/rest",
                              "status": "400"}) from None

    # --- helpers for the handlers -----------------------------------------------------------------

    def _not_found(self) -> Reply:
        return Reply(404, {"message": "Not Found"})

    def _visible(self, owner: str, name: str) -> Repo:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise self._not_found()
        if repo.hidden_for > 0:  # GitHub is still making this fork
            repo.hidden_for -= 1
            raise self._not_found()
        return repo

    def _require_write(self, repo: Repo) -> Token:
        token = self.caller
        if token is None:
            raise Reply(401, {"message": "Requires authentication"})
        if token.scopes is None:
            if repo.owner != token.login:
                raise Reply(403, {"message": "Resource not accessible by personal access token"})
        elif not WRITE_SCOPES & set(token.scopes):
            raise self._not_found()  # GitHub hides what a token may not change
        elif repo.owner != token.login and self.template != "/repos/{owner}/{repo}/pulls" \
                and self.template != "/repos/{owner}/{repo}/forks":
            raise self._not_found()  # not a collaborator
        return token

    # --- the endpoints ----------------------------------------------------------------------------

    def get_user(self, params, query, body):
        answer = self.openapi.example("GET", "/user", 200)
        answer.update(self._user_answer(self.caller.login), name=self.caller.login, user_view_type="private")
        return 200, answer

    def get_repo(self, params, query, body):
        return 200, self._repo_answer(self._visible(params["owner"], params["repo"]))

    def _fork(self, upstream: Repo, login: str, name: str) -> Repo:
        taken = {r.name.lower() for r in self.repos.values() if r.owner.lower() == login.lower()}
        candidate, counter = name, 0
        while candidate.lower() in taken:
            counter += 1
            candidate = f"{name}-{counter}"
        store = upstream.store if self.shared_objects else upstream.store.copy()
        fork = Repo(next(self._ids), login, candidate, store, dict(upstream.refs), upstream.default_branch, self.clock(),
                    parent=upstream, hidden_for=self.fork_delay)
        self.repos[fork.full_name.lower()] = fork
        return fork

    def create_fork(self, params, query, body):
        upstream = self._visible(params["owner"], params["repo"])
        token = self._require_write(upstream)
        network = upstream.source or upstream
        for repo in self.repos.values():  # GitHub answers with the fork you have, whatever it is called
            if repo.owner == token.login and repo.parent is not None and (repo.source or repo.parent) is network:
                return 202, self._repo_answer(repo)
        if upstream.owner == token.login:
            raise Reply(422, {"message": "Validation Failed", "errors": [
                {"resource": "Repository", "code": "custom", "message": "Can't fork your own repository."}]})
        fork = self._fork(upstream, token.login, body.get("name") or self.fork_name or upstream.name)
        return 202, self._repo_answer(fork)

    def merge_upstream(self, params, query, body):
        fork = self._visible(params["owner"], params["repo"])
        self._require_write(fork)
        branch, upstream = body["branch"], fork.parent
        ref = f"heads/{branch}"
        if upstream is None or ref not in fork.refs or ref not in upstream.refs:
            raise Reply(422, {"message": f"Branch {branch} not found in the fork or its upstream"})
        if fork.store is not upstream.store:
            fork.store.absorb(upstream.store)
        mine, theirs = fork.refs[ref], upstream.refs[ref]
        if fork.store.is_ancestor(theirs, mine):
            return 200, {"message": "This branch is not behind the upstream", "merge_type": "none", "base_branch": ""}
        if not fork.store.is_ancestor(mine, theirs):
            raise Reply(409, {"message": "There are merge conflicts"})
        fork.refs[ref] = theirs
        return 200, {"message": f"Successfully fetched and fast-forwarded from upstream {upstream.owner}:{branch}.",
                     "merge_type": "fast-forward", "base_branch": f"{upstream.owner}:{branch}"}

    def get_ref(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        if not repo.refs:
            raise Reply(409, {"message": "Git Repository is empty."})
        if params["ref"] not in repo.refs:
            raise self._not_found()
        return 200, self._ref_answer(repo, params["ref"])

    def create_ref(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        self._require_write(repo)
        ref, sha = body["ref"], body["sha"]
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise Reply(422, {"message": f"{ref} is not a valid ref name."})
        if not repo.store.has(sha):
            raise Reply(422, {"message": "Object does not exist"})
        short = ref.removeprefix("refs/")
        if short in repo.refs:
            raise Reply(422, {"message": "Reference already exists"})
        repo.refs[short] = sha
        return 201, self._ref_answer(repo, short)

    def update_ref(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        self._require_write(repo)
        ref, sha = params["ref"], body["sha"]
        if ref not in repo.refs:
            raise Reply(422, {"message": "Reference does not exist"})
        if sha not in repo.store.commits:
            raise Reply(422, {"message": "Object does not exist"})
        if not body.get("force") and not repo.store.is_ancestor(repo.refs[ref], sha):
            raise Reply(422, {"message": "Update is not a fast forward"})
        repo.refs[ref] = sha
        return 200, self._ref_answer(repo, ref)

    def get_commit(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        if params["commit_sha"] not in repo.store.commits:
            raise self._not_found()
        return 200, self._commit_of(repo, params["commit_sha"])

    def create_commit(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        token = self._require_write(repo)
        if body["tree"] not in repo.store.trees:
            raise Reply(422, {"message": "Tree SHA does not exist"})
        for parent in body.get("parents", []):
            if parent not in repo.store.commits:
                raise Reply(422, {"message": "Parent SHA does not exist or is not a commit object"})
        person = self._person(token.login)
        self.clock.now += 1
        sha = repo.store.put_commit(tree=body["tree"], parents=body.get("parents", []), message=body["message"],
                                    author=body.get("author", person), committer=body.get("committer", person),
                                    timestamp=int(self.clock()))
        answer = self._commit_of(repo, sha)
        return 201, answer

    def create_tree(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        self._require_write(repo)
        base = body.get("base_tree")
        if base is not None and base not in repo.store.trees:
            raise Reply(422, {"message": "base_tree is not a valid tree oid"})
        changes: dict[str, tuple[str, str] | None] = {}
        for entry in body["tree"]:
            if "sha" in entry and "content" in entry:
                raise Reply(422, {"message": "Must supply either tree.sha or tree.content, not both"})
            if "content" in entry:
                changes[entry["path"]] = (entry.get("mode", "100644"), repo.store.put_blob(entry["content"].encode()))
            elif entry.get("sha") is None:
                changes[entry["path"]] = None
            elif not repo.store.has(entry["sha"]):
                raise Reply(422, {"message": f"tree.sha {entry['sha']} is not a valid blob"})
            else:
                changes[entry["path"]] = (entry.get("mode", "100644"), entry["sha"])
        try:
            sha = repo.store.edit_tree(base, changes)
        except GitObjectMissing as missing:
            raise Reply(422, {"message": f"GitRPC::BadObjectState: path {missing} does not exist"}) from None
        entries = [{"path": e.name, "mode": e.mode, "type": e.type, "sha": e.sha,
                    "url": f"{self.url}/repos/{repo.full_name}/git/{e.type}s/{e.sha}"} for e in repo.store.trees[sha]]
        return 201, {"sha": sha, "url": f"{self.url}/repos/{repo.full_name}/git/trees/{sha}", "tree": entries,
                     "truncated": False}

    def create_blob(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        self._require_write(repo)
        content = body["content"]
        data = base64.b64decode(content) if body.get("encoding") == "base64" else content.encode()
        sha = repo.store.put_blob(data)
        return 201, {"url": f"{self.url}/repos/{repo.full_name}/git/blobs/{sha}", "sha": sha}

    def list_pulls(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        head_owner, _, head_ref = query.get("head", "").partition(":")
        found = [
            pr for pr in self.pulls
            if pr.base_repo is repo and query.get("state", "open") in (pr.state, "all")
            and (not head_owner or (pr.head_repo.owner.lower() == head_owner.lower() and pr.head_ref == head_ref))
            and query.get("base", pr.base) == pr.base
        ]
        return 200, [self._pull_answer(pr, simple=True) for pr in found]

    def create_pull(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        token = self._require_write(repo)
        base, head = body["base"], body["head"]
        head_owner, _, head_ref = head.rpartition(":")
        if f"heads/{base}" not in repo.refs:
            raise Reply(422, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "field": "base", "code": "invalid"}]})
        network = repo.source or repo
        head_repo = next((r for r in self.repos.values() if r.owner.lower() == (head_owner or repo.owner).lower()
                          and (r is network or (r.source or r) is network)), None)
        if head_repo is None or f"heads/{head_ref}" not in head_repo.refs:
            raise Reply(422, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "field": "head", "code": "invalid"}]})
        label = f"{head_repo.owner}:{head_ref}"
        if any(p.state == "open" and p.head_repo is head_repo and p.head_ref == head_ref and p.base == base
               for p in self.pulls):
            raise Reply(422, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "code": "custom", "message": f"A pull request already exists for {label}."}]})
        store = head_repo.store if head_repo.store is repo.store else repo.store
        if head_repo.store is not repo.store:
            store.absorb(head_repo.store)  # a pull request fetches the head into the base network
        if store.commits_between(repo.refs[f"heads/{base}"], head_repo.refs[f"heads/{head_ref}"]) == 0:
            raise Reply(422, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "code": "custom", "message": f"No commits between {base} and {label}"}]})
        pr = PullRequest(len(self.pulls) + 1, repo, base, head_repo, head_ref, body.get("title", ""),
                         body.get("body", ""), bool(body.get("draft", False)),
                         bool(body.get("maintainer_can_modify", False)), token.login, self.clock())
        self.pulls.append(pr)
        return 201, self._pull_answer(pr, simple=False)


def make_world(emulator: GitHubEmulator, registry_files: Mapping[str, bytes], *, upstream: str, login: str) -> None:
    """The usual start: the upstream registry with main and dev, and a contributor with a public_repo token."""
    emulator.create_repository(upstream, registry_files)
    emulator.upstream, emulator.login = upstream, login
    emulator.token = emulator.add_user(login)
    emulator.device.login = login
