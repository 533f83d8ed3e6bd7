"""The upstream's base branch as a publish run sees it, and the folders settled against it.

One recursive tree read gives the blob id of every file at the base; blobs are read only for the folders
being published, and only when needed. Against that:

- a file whose blob id the base already holds is not sent (sending it could only undo an upstream edit);
- a service the base holds is described by what changed, and keeps its id: a manifest with another id in
  that folder would replace someone else's service, so it is refused;
- a finding already there in the same folder (or in the folder as it was before an edit or a bump) is an
  "already upstream" warning: only what the change introduces can stop it;
- a README sent with TODO placeholder lines stops the run unless the caller allows them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from wizard.errors import (
    GitHubError,
    GitHubValidation,
    InvalidInput,
    ManifestSyntaxError,
)
from wizard.github.client import GitHub
from wizard.publish.changes import UpstreamTree, blob_sha
from wizard.publish.folders import folder_findings
from wizard.publish.plan import ServiceFolder
from wizard.registry.baseline import finding_key, judge
from wizard.registry.checks import CHECKS, Finding, is_todo
from wizard.service.json_input import parse_json

Progress = Callable[[str, str], None]
Before = Mapping[str, Mapping[str, bytes]]  # folder name -> its files before this change (bump, edit)


@dataclass(frozen=True)
class Base:
    tree: UpstreamTree
    tree_sha: str
    commit: str | None = None  # the base head; None when the tree was read by the branch's name


async def base_head(gh: GitHub, upstream: str, branch: str) -> str:
    sha = await gh.get_ref(upstream, f"heads/{branch}")
    if sha is None:
        raise GitHubError(f"{upstream} has no branch '{branch}'", hint="check --base (the registry uses dev)")
    return sha


def nothing_to_propose(upstream: str, branch: str) -> GitHubValidation:
    return GitHubValidation(f"the {branch} branch of {upstream} already holds exactly these files",
                            hint="there is nothing to propose; check that you named the folder you changed")


async def read_base(gh: GitHub, upstream: str, branch: str, *, commit: str | None) -> Base:
    """The base's files: the tree of the head ``commit``, or (None) of the branch by its name."""
    answer = await gh.get_tree(upstream, commit or branch)
    return Base(UpstreamTree.from_answer(answer), answer["sha"], commit)


class _Settling:
    def __init__(self, gh: GitHub | None, upstream: str, tree: UpstreamTree, before: Before) -> None:
        self.gh, self.upstream, self.tree, self.before = gh, upstream, tree, before
        self.errors: list[str] = []
        self.todo: list[str] = []
        self.notes: list[str] = []

    async def upstream_file(self, service: ServiceFolder, relative: str) -> bytes | None:
        sha = self.tree.shas.get(f"{service.name}/{relative}")
        if sha is None:
            return None
        local = service.files.get(relative)
        if local is not None and blob_sha(local) == sha:
            return local  # the same bytes: nothing to read
        if self.gh is None:
            return None
        return await self.gh.get_blob(self.upstream, sha)

    async def settle(self, service: ServiceFolder, findings: Sequence[Finding]) -> ServiceFolder:
        name = service.name
        upstream = self.tree.folder(name)
        earlier = self.before.get(name)
        sent = {rel for rel, content in service.files.items() if upstream.get(rel) != blob_sha(content)}
        if earlier is not None:  # what this change did not touch is not its to send, even when it differs
            sent = {rel for rel in sent if earlier.get(rel) != service.files[rel]}
        before = None
        manifest = await self.upstream_file(service, "manifest.json") if upstream else None
        if manifest is not None:
            before = _manifest(manifest)
            self._same_service(service, before)
        elif earlier is not None and "manifest.json" in earlier:
            before = _manifest(earlier["manifest.json"])
        findings = await self.judged(service, findings, upstream, earlier)
        for finding in findings:
            if finding.severity == "error":
                self.errors.append(str(finding))
            elif is_todo(finding) and "README.md" in sent:
                self.todo.append(f"{finding.path}:{finding.line}: {finding.message}")
            else:
                self.notes.append(str(finding))
        return replace(service, before=before, sent=frozenset(sent), upstream=upstream)

    def _same_service(self, service: ServiceFolder, upstream: Mapping | None) -> None:
        theirs = (upstream or {}).get("id")
        ours = service.data.get("id")
        if theirs is not None and ours is not None and str(theirs) != str(ours):
            self.errors.append(
                f"{service.path}: the upstream folder {service.name}/ holds the service '{theirs}' "
                f"({(upstream or {}).get('name', theirs)}), not '{ours}'; publishing would replace it. To change that "
                f"service keep its id; to add another one, choose an id whose folder is free")

    async def judged(self, service: ServiceFolder, findings: Sequence[Finding], upstream: Mapping[str, str],
                     earlier: Mapping[str, bytes] | None) -> list[Finding]:
        if not any(f.severity == "error" for f in findings):
            return list(findings)
        root = str(service.path.parent)
        if earlier is not None:
            findings = judge(findings, folder_findings(service.name, earlier), root=root, baseline_root="")
        if upstream and any(f.severity == "error" for f in findings):
            files = {rel: await self.upstream_file(service, rel) for rel in CHECKS}
            findings = judge(findings, folder_findings(service.name, files), root=root, baseline_root="")
        return list(findings)


def _manifest(content: bytes) -> dict | None:
    try:
        data = parse_json(content.decode("utf-8"), duplicates=True)
    except (UnicodeDecodeError, ManifestSyntaxError):
        return None
    return data if isinstance(data, dict) else None


def _belongs(finding: Finding, service: ServiceFolder) -> bool:
    return finding_key(finding, str(service.path.parent))[0] == service.name


async def settle_folders(gh: GitHub | None, upstream: str, tree: UpstreamTree, services: Sequence[ServiceFolder],
                         findings: Sequence[Finding], *, before: Before | None = None, allow_todo: bool = False,
                         progress: Progress) -> list[ServiceFolder]:
    """The services with what upstream holds of them, once every error left is one the change introduces;
    InvalidInput names those errors (or the TODO lines) otherwise. ``gh`` None: no blob is read (a dry run)."""
    settling = _Settling(gh, upstream, tree, before or {})
    settled = [await settling.settle(service, [f for f in findings if _belongs(f, service)]) for service in services]
    loose = [str(f) for f in findings if f.severity == "error" and not any(_belongs(f, s) for s in services)]
    if settling.errors or loose:
        unread = "; a dry run reads nothing from GitHub, so it cannot tell an error the upstream already has" \
            if gh is None else ""
        raise InvalidInput(loose + settling.errors,
                           hint=f"fix these, then run the same command again; nothing was sent to GitHub{unread}")
    if settling.todo and not allow_todo:
        raise InvalidInput(settling.todo, hint="write these README lines (or remove them), then run again; or pass "
                           "--allow-todo to publish with them; nothing was sent to GitHub")
    for note in settling.notes + settling.todo:
        progress("check", note)
    progress("check", f"{len(settled)} service folder(s) pass the registry's checks; "
             f"{sum(len(s.sent or ()) for s in settled)} file(s) differ from {upstream}")
    return settled
