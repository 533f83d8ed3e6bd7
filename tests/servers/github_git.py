"""Git objects as GitHub stores them, with git's real hashing, for the GitHub emulator.

Blob, tree and commit ids are computed exactly as git computes them, so an emulated tree that holds the
same files as a real checkout has the same id, and "did anything change?" works as on GitHub.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TREE_MODE = "040000"  # how the API writes a tree's mode; git's object stores it as "40000"


class GitObjectMissing(KeyError):
    """An id that names no object of the right kind in this store."""


@dataclass(frozen=True)
class TreeEntry:
    name: str
    mode: str  # "100644", "100755", "040000", "160000", "120000"
    type: str  # "blob", "tree", "commit"
    sha: str


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author: Mapping[str, str]
    committer: Mapping[str, str]


def _hash(kind: str, body: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(body)}\0".encode() + body).hexdigest()


def _tree_sort_key(entry: TreeEntry) -> bytes:
    # git sorts a tree by name, comparing a subtree as if its name ended in "/"
    return entry.name.encode() + (b"/" if entry.type == "tree" else b"")


class ObjectStore:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.trees: dict[str, tuple[TreeEntry, ...]] = {}
        self.commits: dict[str, Commit] = {}

    def copy(self) -> ObjectStore:
        other = ObjectStore()
        other.blobs, other.trees, other.commits = dict(self.blobs), dict(self.trees), dict(self.commits)
        return other

    def absorb(self, other: ObjectStore) -> None:
        """Take every object of another store (what a fetch from the upstream brings)."""
        self.blobs.update(other.blobs)
        self.trees.update(other.trees)
        self.commits.update(other.commits)

    def has(self, sha: str) -> bool:
        return sha in self.blobs or sha in self.trees or sha in self.commits

    # --- writing ---

    def put_blob(self, data: bytes) -> str:
        sha = _hash("blob", data)
        self.blobs[sha] = data
        return sha

    def put_tree(self, entries: Iterable[TreeEntry]) -> str:
        ordered = tuple(sorted(entries, key=_tree_sort_key))
        body = b"".join(f"{e.mode.lstrip('0')} {e.name}".encode() + b"\0" + bytes.fromhex(e.sha) for e in ordered)
        sha = _hash("tree", body)
        self.trees[sha] = ordered
        return sha

    def put_commit(self, *, tree: str, parents: Iterable[str], message: str, author: Mapping[str, str],
                   committer: Mapping[str, str], timestamp: int) -> str:
        if tree not in self.trees:
            raise GitObjectMissing(tree)
        parents = tuple(parents)
        lines = [f"tree {tree}"] + [f"parent {p}" for p in parents]
        for role, who in (("author", author), ("committer", committer)):
            lines.append(f"{role} {who['name']} <{who['email']}> {timestamp} +0000")
        body = ("\n".join(lines) + "\n\n" + message).encode()
        sha = _hash("commit", body)
        self.commits[sha] = Commit(sha, tree, parents, message, dict(author), dict(committer))
        return sha

    def tree_from_files(self, files: Mapping[str, bytes]) -> str:
        return self.edit_tree(None, {path: ("100644", self.put_blob(data)) for path, data in files.items()})

    def edit_tree(self, base: str | None, changes: Mapping[str, tuple[str, str] | None]) -> str:
        """A new tree: ``base`` with each path set to (mode, blob sha), or removed when None (base_tree rules)."""
        entries = {e.name: e for e in (self.trees[base] if base else ())}
        here: dict[str, tuple[str, str] | None] = {}
        below: dict[str, dict[str, tuple[str, str] | None]] = {}
        for path, change in changes.items():
            head, _, rest = path.partition("/")
            if rest:
                below.setdefault(head, {})[rest] = change
            else:
                here[head] = change
        for name, change in here.items():
            if change is None:
                if name not in entries:
                    raise GitObjectMissing(name)  # GitHub refuses to delete a file that does not exist
                del entries[name]
            else:
                mode, sha = change
                kind = "tree" if mode == TREE_MODE else "commit" if mode == "160000" else "blob"
                entries[name] = TreeEntry(name, mode, kind, sha)
        for name, subchanges in below.items():
            current = entries.get(name)
            sub_base = current.sha if current is not None and current.type == "tree" else None
            sub = self.edit_tree(sub_base, subchanges)
            if self.trees[sub]:
                entries[name] = TreeEntry(name, TREE_MODE, "tree", sub)
            else:
                entries.pop(name, None)
        return self.put_tree(entries.values())

    # --- reading ---

    def files(self, tree: str, prefix: str = "") -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for entry in self.trees[tree]:
            if entry.type == "tree":
                found.update(self.files(entry.sha, f"{prefix}{entry.name}/"))
            elif entry.type == "blob":
                found[prefix + entry.name] = self.blobs[entry.sha]
        return found

    def reachable(self, start: str, *, stop: set[str] | frozenset[str] = frozenset()) -> set[str]:
        """The commits ``start`` reaches through its parents, not going past ``stop``."""
        seen: set[str] = set()
        todo = [start]
        while todo:
            sha = todo.pop()
            if sha in seen or sha in stop or sha not in self.commits:
                continue
            seen.add(sha)
            todo.extend(self.commits[sha].parents)
        return seen

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return ancestor in self.reachable(descendant)

    def commits_between(self, base: str, head: str) -> int:
        """How many commits ``head`` has that ``base`` does not (what "No commits between" counts)."""
        return len(self.reachable(head, stop=self.reachable(base)))
