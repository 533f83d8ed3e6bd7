"""What a pull request says and where it goes: pure functions over service folders, no I/O.

The branch name, the title, the body with the registry's checklist, the commit message with the trailer
that marks our commits, and the decision what to do with a branch that already exists.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from wizard.errors import BranchConflict, InvalidInput
from wizard.service.manifest import Manifest
from wizard.service.render import human_bytes

# Our commits end with this trailer naming their folders; a branch whose tip lacks it holds someone else's work.
TRAILER = "Prem-New-Service-Folders"
FRESH_FORK_SECONDS = 60  # the gh CLI's own rule for "GitHub just made this fork" (created_at vs now)


@dataclass(frozen=True)
class ServiceFolder:
    path: Path
    manifest: Manifest
    files: Mapping[str, bytes] = field(repr=False)  # path inside the folder -> content

    @property
    def name(self) -> str:
        return self.path.name


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


def pull_request_title(services: Sequence[ServiceFolder]) -> str:
    if len(services) == 1:
        return f"Add {_service_label(services[0].manifest)}"
    return f"Add {len(services)} services"


def commit_message(services: Sequence[ServiceFolder], *, update: bool) -> str:
    verb = "Update" if update else "Add"
    head = (f"{verb} {_service_label(services[0].manifest)}" if len(services) == 1
            else f"{verb} {len(services)} services")
    listed = "\n".join(f"- {s.name}/" for s in services)
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


def tree_entries(services: Sequence[ServiceFolder], blob_shas: Mapping[str, str]) -> list[dict[str, str]]:
    """Entries for GitHub's create-tree: text goes inline (no blob call); binaries by their uploaded blob sha."""
    entries = []
    for service in services:
        for relative, content in sorted(service.files.items()):
            path = f"{service.name}/{relative}"
            entry = {"path": path, "mode": "100644", "type": "blob"}
            if path in blob_shas:
                entry["sha"] = blob_shas[path]
            else:
                entry["content"] = content.decode("utf-8")
            entries.append(entry)
    return entries


def binary_files(services: Sequence[ServiceFolder]) -> dict[str, bytes]:
    return {f"{s.name}/{rel}": data for s in services for rel, data in sorted(s.files.items()) if not is_text(data)}


# --- the body -------------------------------------------------------------------------------------

CHECKLIST = """\
## Checklist
- [ ] The image was tested with the Prem interface it declares (Prem Daemon run with this registry, see \
https://github.com/premAI-io/prem-daemon#custom-registry)
- [ ] `logo.svg` is a 256x256 SVG
- [ ] `README.md` is complete: what the service does, how to use it, tips and tricks, license
"""


def _memory(mib: int | None) -> str:
    return "not stated" if mib is None else f"{mib / 1024:.1f} GiB ({mib} MiB)"


def service_summary(service: ServiceFolder) -> str:
    manifest = service.manifest
    lines = [f"### {manifest.name} (`{service.name}`)", f"- Interfaces: {', '.join(manifest.interfaces)}"]
    images = manifest.docker_images or {}
    if images:
        lines.append("- Images:")
        lines += [f"  - {device.upper()}: `{image.image}` ({human_bytes(image.size)})" for device, image in images.items()]
    else:
        lines.append("- Images: none (a binary service)")
    lines.append(f"- Memory: {_memory(manifest.model_info.memory_requirements)}")
    inside = manifest.default_port if manifest.default_port is not None else "not set"
    lines.append(f"- Ports: {inside} in the container, {manifest.default_external_port} on the host")
    return "\n".join(lines)


def pull_request_body(services: Sequence[ServiceFolder]) -> str:
    folders = ", ".join(f"`{s.name}/`" for s in services)
    summaries = "\n\n".join(service_summary(s) for s in services)
    return (f"This pull request adds {folders} to the registry.\n\n## Services\n\n{summaries}\n\n{CHECKLIST}\n"
            "prem-new-service checked each manifest, the logo's size and that each README is not empty before "
            "opening this pull request; the boxes above are for the author to tick.\n")
