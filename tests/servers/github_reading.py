"""Reading a repository's files as GitHub serves them: a whole tree in one call, then single blobs.

Mixed into GitHubEmulator (needs ``_visible``, ``_not_found`` and ``url``). A tree is named by its sha, a
commit's sha or a branch name, as GitHub allows; ``recursive`` lists every entry below it with its path.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.servers.github_git import ObjectStore
from tests.servers.github_model import Repo


def _entries(store: ObjectStore, tree: str, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for entry in store.trees[tree]:
        found.append((prefix + entry.name, entry))
        if entry.type == "tree":
            found += _entries(store, entry.sha, f"{prefix}{entry.name}/")
    return found


class Reading:
    def _tree_named(self, repo: Repo, name: str) -> str:
        store = repo.store
        if name in store.trees:
            return name
        commit = name if name in store.commits else repo.refs.get(f"heads/{name}")
        if commit is None or commit not in store.commits:
            raise self._not_found()
        return store.commits[commit].tree

    def get_tree(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        tree = self._tree_named(repo, params["tree_sha"])
        store, base = repo.store, f"{self.url}/repos/{repo.full_name}/git"
        if "recursive" in query:
            listed = _entries(store, tree)
        else:
            listed = [(entry.name, entry) for entry in store.trees[tree]]
        answer = []
        for path, entry in listed:
            item = {"path": path, "mode": entry.mode, "type": entry.type, "sha": entry.sha,
                    "url": f"{base}/{entry.type}s/{entry.sha}"}
            if entry.type == "blob":
                item["size"] = len(store.blobs[entry.sha])
            answer.append(item)
        return 200, {"sha": tree, "url": f"{base}/trees/{tree}", "tree": answer, "truncated": False}

    def get_blob(self, params, query, body):
        repo = self._visible(params["owner"], params["repo"])
        data = repo.store.blobs.get(params["file_sha"])
        if data is None:
            raise self._not_found()
        sha = params["file_sha"]
        return 200, {"sha": sha, "node_id": f"B_{sha[:12]}", "size": len(data),
                     "url": f"{self.url}/repos/{repo.full_name}/git/blobs/{sha}",
                     "content": base64.encodebytes(data).decode("ascii"), "encoding": "base64"}
