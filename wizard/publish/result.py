"""What a publish run did, and the stable shape of ``publish --json``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wizard.github.client import Call


@dataclass(frozen=True)
class PublishResult:
    pr_url: str | None
    pr_number: int | None
    branch: str
    created: bool  # this run opened the pull request (False: it was already open)
    commit_sha: str | None
    fork: str
    changed: bool  # this run made a commit (False: the branch already held these files)
    calls: tuple[Call, ...] = field(repr=False)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The stable shape of ``publish --json``."""
        return {
            "pr_url": self.pr_url, "pr_number": self.pr_number, "branch": self.branch, "fork": self.fork,
            "created": self.created, "changed": self.changed, "commit_sha": self.commit_sha,
            "dry_run": self.dry_run, "calls": [{"method": c.method, "path": c.path, "status": c.status,
                                                "summary": c.summary} for c in self.calls],
        }
