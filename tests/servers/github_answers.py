"""The emulator's answers, made from the documented examples of GitHub's OpenAPI description.

Starting from GitHub's own example keeps every field a client might read; only what the emulator knows
(names, ids, shas, dates, URLs) is filled in. The fixture checks each answer against its schema.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from tests.servers.github_model import PullRequest, Repo


class Answers:
    """Mixed into GitHubEmulator: needs ``openapi``, ``url``, ``users`` and ``clock``."""

    def _person(self, login: str) -> dict[str, str]:
        return {"name": login, "email": f"{login}@users.noreply.github.com"}

    def _iso(self, epoch: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))

    def _commit_of(self, repo: Repo, sha: str) -> dict[str, Any]:
        commit = repo.store.commits[sha]
        answer = self.openapi.example("GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}", 200)
        base = f"{self.url}/repos/{repo.full_name}/git"
        date = self._iso(self.clock())
        answer.update(sha=sha, node_id=f"C_{sha[:12]}", url=f"{base}/commits/{sha}",
                      html_url=f"{self.url}/{repo.full_name}/commit/{sha}", message=commit.message,
                      tree={"sha": commit.tree, "url": f"{base}/trees/{commit.tree}"},
                      parents=[{"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{self.url}/{repo.full_name}/commit/{p}"}
                               for p in commit.parents],
                      author={**commit.author, "date": date}, committer={**commit.committer, "date": date})
        return answer

    def _ref_answer(self, repo: Repo, ref: str) -> dict[str, Any]:
        sha = repo.refs[ref]
        return {"ref": f"refs/{ref}", "node_id": f"REF_{repo.id}_{ref}", "url": f"{self.url}/repos/{repo.full_name}/git/refs/{ref}",
                "object": {"type": "commit", "sha": sha, "url": f"{self.url}/repos/{repo.full_name}/git/commits/{sha}"}}

    def _user_answer(self, login: str) -> dict[str, Any]:
        return {"login": login, "id": self.users.get(login, 0), "node_id": f"U_{login}", "type": "User",
                "site_admin": False, "url": f"{self.url}/users/{login}", "html_url": f"{self.url}/{login}"}

    def _repo_fields(self, repo: Repo, example: Mapping[str, Any]) -> dict[str, Any]:
        """The example repository of the description, made into this one."""
        return {**example, "id": repo.id, "node_id": f"R_{repo.id}", "name": repo.name, "full_name": repo.full_name,
                "owner": {**example["owner"], **self._user_answer(repo.owner)}, "fork": repo.parent is not None,
                "default_branch": repo.default_branch, "private": False, "html_url": f"{self.url}/{repo.full_name}",
                "url": f"{self.url}/repos/{repo.full_name}", "created_at": self._iso(repo.created_at),
                "has_discussions": False, "language": None}

    def _repo_answer(self, repo: Repo) -> dict[str, Any]:
        answer = self.openapi.example("GET", "/repos/{owner}/{repo}", 200)
        for key, relative in (("parent", repo.parent), ("source", repo.source)):
            if relative is None:
                answer.pop(key, None)
            else:
                answer[key] = self._repo_fields(relative, answer[key])
        return self._repo_fields(repo, answer)

    def _pull_answer(self, pr: PullRequest, *, simple: bool) -> dict[str, Any]:
        template = "/repos/{owner}/{repo}/pulls"
        answer = self.openapi.example("GET", template, 200)[0] if simple else self.openapi.example("POST", template, 201)
        web = f"{self.url}/{pr.base_repo.full_name}/pull/{pr.number}"

        def side(repo: Repo, ref: str) -> dict[str, Any]:
            return {"label": f"{repo.owner}:{ref}", "ref": ref, "sha": repo.refs.get(f"heads/{ref}", "0" * 40),
                    "user": {**answer["user"], **self._user_answer(repo.owner)},
                    "repo": self._repo_fields(repo, answer["head"]["repo"])}

        answer.update(number=pr.number, id=pr.number + 9000, html_url=web, title=pr.title, body=pr.body,
                      draft=pr.draft, state=pr.state, url=f"{self.url}/repos/{pr.base_repo.full_name}/pulls/{pr.number}",
                      user={**answer["user"], **self._user_answer(pr.user)}, requested_teams=[],
                      head=side(pr.head_repo, pr.head_ref), base=side(pr.base_repo, pr.base),
                      created_at=self._iso(pr.created_at), updated_at=self._iso(pr.created_at))
        if not simple:
            answer["maintainer_can_modify"] = pr.maintainer_can_modify
        return answer
