"""What a pull request says and where it goes: pure functions over service folders, no I/O.

The branch name, the title, the body with the registry's checklist, the commit message with the trailer
that marks our commits, and the decision what to do with a branch that already exists. A service the
upstream already holds is described by what changed ("Bump Bark: gpu image 1.0.1 → 1.0.2, size 4.8 GiB →
5.1 GiB"), a new one as added; only the files that differ from the upstream's are sent.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from wizard.errors import BranchConflict, InvalidInput
from wizard.publish.changes import (
    Change,
    blob_sha,
    manifest_changes,
    only_images_differ,
)
from wizard.service.manifest import Manifest

# Our commits end with this trailer naming their folders; a branch whose tip lacks it holds someone else's work.
TRAILER = "Prem-New-Service-Folders"
FRESH_FORK_SECONDS = 60  # the gh CLI's own rule for "GitHub just made this fork" (created_at vs now)
BODY_LIMIT = 60_000  # GitHub refuses a body over 65,536 characters; the rest goes into a collapsed list
TITLE_LIMIT = 120  # GitHub allows 256; a title longer than a line is not read


@dataclass(frozen=True)
class ServiceFolder:
    path: Path
    manifest: Manifest
    files: Mapping[str, bytes] = field(repr=False)  # path inside the folder -> content
    before: Mapping[str, Any] | None = field(default=None, repr=False)  # the manifest upstream; None: a new one
    sent: frozenset[str] | None = None  # the files that differ from the upstream's; None: every file
    upstream: Mapping[str, str] = field(default_factory=dict, repr=False)  # its files upstream, path -> blob id

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def is_new(self) -> bool:
        return self.before is None

    @cached_property
    def data(self) -> dict[str, Any]:
        try:
            data = json.loads(self.files.get("manifest.json", b"{}"))
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @cached_property
    def changes(self) -> list[Change]:
        return [] if self.before is None else manifest_changes(self.before, self.data)

    @property
    def is_bump(self) -> bool:
        """Only image entries changed: a bump, not an edit."""
        return bool(self.changes) and only_images_differ(self.before or {}, self.data)

    def sent_files(self) -> dict[str, bytes]:
        return {rel: data for rel, data in sorted(self.files.items()) if self.sent is None or rel in self.sent}


def branch_name(folder_names: Sequence[str]) -> str:
    """``add-{folder}`` for one folder; for several, a name that is the same for the same set in any order."""
    names = sorted(set(folder_names))
    if len(names) == 1:
        return f"add-{names[0]}"
    digest = hashlib.sha1("\n".join(names).encode()).hexdigest()[:8]
    return f"add-{len(names)}-services-{digest}"


_BAD_REF = re.compile(r"(^[-/.])|(\.\.)|(//)|([\x00-\x20~^:?*\[\\\x7f])|(@\{)|([/.]$)|(\.lock$)|(\.lock/)|(/\.)")


def check_branch_name(name: str) -> str:
    """Git's rules for branch names (git check-ref-format), so GitHub does not refuse it late."""
    if not name or name == "@" or _BAD_REF.search(name):
        raise InvalidInput([f"'{name}' is not a valid branch name"],
                           hint="use letters, digits, '-', '_' and '/', e.g. add-chat-my-model")
    return name


def _service_label(manifest: Manifest) -> str:
    return f"{manifest.name} ({manifest.interfaces[0]})"


def _listed(head: str, changes: Sequence[Change], limit: int) -> str:
    """``head: change, change`` in at most ``limit`` characters; the changes left out are counted."""
    words = [str(change) for change in changes]
    for shown in range(len(words), 0, -1):
        rest = len(words) - shown
        text = f"{head}: {', '.join(words[:shown])}" + (f" and {rest} more" if rest else "")
        if len(text) <= limit:
            return text
    return f"{head}: {len(words)} changes"


def service_title(service: ServiceFolder, *, limit: int = TITLE_LIMIT) -> str:
    """'Add Bark (text-to-audio)' for a new service; 'Bump Bark: gpu image 1.0.1 → 1.0.2, …' or 'Update Bark:
    memory 8.0 GiB → 10.0 GiB' for one the upstream holds."""
    if service.is_new:
        return f"Add {_service_label(service.manifest)}"
    verb = "Bump" if service.is_bump else "Update"
    if service.changes:
        return _listed(f"{verb} {service.manifest.name}", service.changes, limit)
    files = sorted(service.sent) if service.sent is not None else sorted(service.files)
    return f"Update {service.manifest.name}: {', '.join(files)}"[:limit]


def counted(services: Sequence[ServiceFolder]) -> str:
    new = sum(1 for s in services if s.is_new)
    bumps = sum(1 for s in services if not s.is_new and s.is_bump)
    updates = len(services) - new - bumps
    parts = [f"{verb} {count} service{'s' if count != 1 else ''}"
             for verb, count in (("add", new), ("bump", bumps), ("update", updates)) if count]
    text = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
    return text[0].upper() + text[1:]


def pull_request_title(services: Sequence[ServiceFolder]) -> str:
    return service_title(services[0]) if len(services) == 1 else counted(services)


def commit_message(services: Sequence[ServiceFolder], *, update: bool) -> str:
    """The title as the first line ('Update …' for a new service's later commits), a line per folder, the trailer."""
    if len(services) == 1:
        service = services[0]
        head = f"Update {_service_label(service.manifest)}" if update and service.is_new else service_title(service)
    else:
        head = counted(services)
    listed = "\n".join(f"- {s.name}/" + ("" if s.is_new or not s.changes else f": {', '.join(map(str, s.changes))}")
                       for s in services)
    names = ", ".join(sorted(s.name for s in services))
    return f"{head}\n\n{listed}\n\nMade with prem-new-service.\n\n{TRAILER}: {names}\n"


def trailer_folders(message: str) -> set[str] | None:
    """The folders our trailer names in a commit message, or None when the commit is not ours."""
    for line in reversed(message.strip().splitlines()):
        key, _, value = line.partition(":")
        if key.strip() == TRAILER:
            return {name.strip() for name in value.split(",") if name.strip()}
    return None


BranchAction = Literal["create", "extend", "replace"]


def branch_action(tip_message: str | None, folder_names: Sequence[str], *, force: bool, branch: str,
                  fork: str) -> BranchAction:
    """create: no branch yet; extend: our branch for these folders, add a commit; replace: --force over theirs."""
    if tip_message is None:
        return "create"
    if trailer_folders(tip_message) == set(folder_names):
        return "extend"
    if force:
        return "replace"
    raise BranchConflict(
        f"the branch '{branch}' in {fork} holds commits that prem-new-service did not make for "
        f"{', '.join(sorted(folder_names))}; it is left as it is",
        hint="publish under another branch with --branch NAME, or replace that branch with --force "
        "(its current commits are then dropped from it)",
    )


def is_fork_of(repository: Mapping, upstream: str) -> bool:
    """Matched by parent (or source), not by name: a fork may have been renamed."""
    if not repository.get("fork"):
        return False
    family = [(repository.get(key) or {}).get("full_name", "") for key in ("parent", "source")]
    return upstream.lower() in (name.lower() for name in family)


def fork_is_fresh(repository: Mapping, github_now: float) -> bool:
    created = datetime.fromisoformat(str(repository.get("created_at", "1970-01-01T00:00:00Z")).replace("Z", "+00:00"))
    return github_now - created.timestamp() < FRESH_FORK_SECONDS


def is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def tree_entries(services: Sequence[ServiceFolder], blob_shas: Mapping[str, str], *,
                 keep_upstream: bool = False) -> list[dict[str, str]]:
    """Entries for GitHub's create-tree: the files sent, text inline (no blob call), binaries by their uploaded
    blob id. ``keep_upstream`` (a commit on our own branch, not on the upstream's head) also points each file
    that is as upstream at the upstream's blob, so the branch holds it as upstream does; nothing is uploaded."""
    entries = []
    for service in services:
        for relative, content in service.sent_files().items():
            path = f"{service.name}/{relative}"
            entry = {"path": path, "mode": "100644", "type": "blob"}
            if path in blob_shas:
                entry["sha"] = blob_shas[path]
            else:
                entry["content"] = content.decode("utf-8")
            entries.append(entry)
        if keep_upstream and service.sent is not None:
            entries += [{"path": f"{service.name}/{relative}", "mode": "100644", "type": "blob",
                         "sha": service.upstream[relative]}
                        for relative, content in sorted(service.files.items())
                        if relative not in service.sent and service.upstream.get(relative) == blob_sha(content)]
    return entries


def binary_files(services: Sequence[ServiceFolder]) -> dict[str, bytes]:
    return {f"{s.name}/{rel}": data for s in services for rel, data in s.sent_files().items() if not is_text(data)}
