"""The pipeline that turns service folders into a pull request on the upstream registry, without a clone.

    check -> account -> base -> fork -> branch -> pull request

- check: the core's ``validate_paths`` on the folders; what is no folder at all stops here.
- account: who the token belongs to, whether it may write, and whether a pull request is already open.
- base: the upstream's ``dev`` files in one tree read; each finding is judged against the same folder
  there (``wizard.publish.base``), and only an error the change introduces (or a README's TODO line, unless
  allowed) stops the run, still before anything is written on GitHub. Files already as upstream are not sent.
- fork: the contributor's fork, found by parent (it may be renamed) or made; a new one is waited for.
- branch: one commit holding the changed files of the folders, on ``add-{folder}``, based on the upstream's
  ``dev`` head (so a fork far behind does not matter). Running again adds a commit to our branch;
  a branch holding someone else's work is left alone unless ``force``.
- pull request: opened against ``dev`` with the checklist, or the one already open is returned.

Every step can be repeated: a run that fails anywhere leaves a fork and perhaps a branch, which the next
run picks up. Progress goes to a ``(stage, detail)`` callback; this module knows no UI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import ledger
from wizard.errors import (
    BranchConflict,
    GitHubError,
    GitHubUnreachable,
    GitHubValidation,
    MissingPermission,
)
from wizard.github.client import GitHub
from wizard.github.errors import permission_hint
from wizard.github.token import Secret, redact_in_logs
from wizard.publish.base import (
    Base,
    Before,
    base_head,
    nothing_to_propose,
    read_base,
    settle_folders,
)
from wizard.publish.folders import read_service_folders
from wizard.publish.forks import find_fork
from wizard.publish.plan import (
    ServiceFolder,
    binary_files,
    branch_action,
    branch_name,
    check_branch_name,
    commit_message,
    pull_request_title,
    tree_entries,
)
from wizard.publish.result import PublishResult
from wizard.publish.texts import pull_request_body
from wizard.settings import plain_http_warning

if TYPE_CHECKING:
    import httpx

    from wizard.settings import Settings

STAGES = ("check", "account", "base", "fork", "branch", "pull request")
Progress = Callable[[str, str], None]


# --- the pipeline ---------------------------------------------------------------------------------


def _quiet(stage: str, detail: str) -> None:
    pass


def _marked_dry_run(progress: Progress) -> Progress:
    return lambda stage, detail: progress(stage, f"(dry run) {detail}")


class _Publisher:
    def __init__(self, gh: GitHub, settings: Settings, services: Sequence[ServiceFolder], findings, *, branch: str,
                 title: str | None, draft: bool, force: bool, progress: Progress, sleep, before: Before | None,
                 allow_todo: bool, read_blobs: bool = True, body: str | None = None) -> None:
        self.gh, self.settings, self.services, self.findings = gh, settings, services, findings
        self.upstream, self.base = settings.upstream, settings.base
        self.branch, self.title, self.draft, self.force = branch, title, draft, force
        self.body = body
        self.names = [s.name for s in services]
        self.progress, self.sleep = progress, sleep
        self.before, self.allow_todo, self.read_blobs = before, allow_todo, read_blobs
        self.stage = "account"
        self.fork = ""
        self.head: Base | None = None

    def say(self, stage: str, detail: str) -> None:
        self.stage = stage
        self.progress(stage, detail)

    async def run(self) -> PublishResult:
        self.say("account", "checking the GitHub token")
        user = await self.gh.authenticated_user()
        if user.scopes is not None and not {"public_repo", "repo"} & user.scopes:
            have = ", ".join(sorted(user.scopes)) or "no scopes"
            raise MissingPermission(
                f"the token of {user.login} has {have}, but opening a pull request needs 'public_repo'",
                hint=permission_hint(self.gh.token, ", ".join(sorted(user.scopes)), self.settings.api_url),
            )
        head = f"{user.login}:{self.branch}"
        self.say("account", f"signed in as {user.login}; looking for an open pull request from {head}")
        open_prs = await self.gh.list_pull_requests(self.upstream, head=head, base=self.base)
        pr = next((p for p in open_prs if (p.get("head") or {}).get("repo")), None)
        await self.settle(by_name=pr is not None)
        self.fork = pr["head"]["repo"]["full_name"] if pr else await self.find_fork(user.login)
        commit, changed = await self.push_branch(pr["head"]["sha"] if pr else None)
        created = pr is None
        if pr is None:
            pr = await self.open_pull_request(head)
        else:
            self.say("pull request", f"the pull request is already open: {pr['html_url']}")
        return PublishResult(pr["html_url"], pr["number"], self.branch, created, commit, self.fork, changed,
                             tuple(self.gh.calls))

    # --- base ---

    async def settle(self, *, by_name: bool) -> None:
        """Judge the folders against the base, before anything is written. The tree is read by the head
        commit's id (GitHub takes any tree-ish), or, for an open pull request's branch, which has its own
        parent, by the branch's name."""
        commit = None if by_name else await base_head(self.gh, self.upstream, self.base)
        self.say("base", f"reading the files of {self.upstream} {self.base}")
        self.head = await read_base(self.gh, self.upstream, self.base, commit=commit)
        self.services = await settle_folders(self.gh if self.read_blobs else None, self.upstream, self.head.tree,
                                             self.services, self.findings, before=self.before,
                                             allow_todo=self.allow_todo, progress=self.progress)
        if not by_name and not any(s.sent for s in self.services):
            raise nothing_to_propose(self.upstream, self.base)
        if self.title is None:
            self.title = pull_request_title(self.services)

    # --- fork ---

    async def find_fork(self, login: str) -> str:
        return await find_fork(self.gh, self.settings, login, say=self.say, sleep=self.sleep)

    # --- branch ---

    async def push_branch(self, tip: str | None) -> tuple[str, bool]:
        """The commit the branch ends on, and whether this run made it."""
        fork, ref = self.fork, f"heads/{self.branch}"
        if tip is not None:
            return await self.update_branch(tip)
        self.say("branch", f"writing {self.file_count()} files on a new branch {self.branch} in {fork}")
        sha = await self.commit_on_upstream()
        if await self.gh.create_ref(fork, f"refs/{ref}", sha):
            ledger.made(f"the branch {self.branch} in {fork}", "run the same command again: it continues "
                        "from there")
            return sha, True
        # the branch is there from an earlier run, or it is someone else's: look before touching it
        existing = await self.gh.get_ref(fork, ref)
        if existing is None:
            raise GitHubError(f"the branch {self.branch} of {fork} vanished while it was being made",
                              hint="someone may be deleting branches in your fork")
        return await self.update_branch(existing, replacement=sha)

    async def update_branch(self, tip: str, replacement: str | None = None) -> tuple[str, bool]:
        tip_commit = await self.gh.get_commit(self.fork, tip)
        action = branch_action(tip_commit["message"], self.names, force=self.force, branch=self.branch,
                               fork=self.fork)
        ref = f"heads/{self.branch}"
        if action == "replace":
            self.say("branch", f"--force: replacing the branch {self.branch} with these folders")
            sha = replacement or await self.commit_on_upstream()
            await self.gh.update_ref(self.fork, ref, sha, force=True)
            return sha, True
        self.say("branch", f"adding a commit to your branch {self.branch}")
        tree = await self.write_tree(tip_commit["tree"]["sha"], keep_upstream=True)
        if tree == tip_commit["tree"]["sha"]:
            self.say("branch", f"{self.branch} already holds exactly these files; nothing to commit")
            return tip, False
        sha = await self.gh.create_commit(self.fork, message=commit_message(self.services, update=True), tree=tree,
                                          parents=[tip])
        await self.gh.update_ref(self.fork, ref, sha, force=False)
        return sha, True

    async def commit_on_upstream(self) -> str:
        """A commit of the folders on top of the upstream's base head, written into the fork."""
        if self.head is not None and self.head.commit is not None:
            base_sha, base_tree = self.head.commit, self.head.tree_sha
        else:
            base_sha = await base_head(self.gh, self.upstream, self.base)
            base_tree = (await self.gh.get_commit(self.upstream, base_sha))["tree"]["sha"]
        try:
            return await self.commit_files(base_tree, base_sha)
        except GitHubValidation as refused:
            if self.fork == self.upstream or refused.status != 422:  # ours ("nothing to propose"), not GitHub's
                raise
            # Forks share objects with their upstream, but not always at once; syncing the fork's base
            # branch brings the upstream's head into the fork for certain.
            self.say("branch", f"bringing {self.base} of {self.fork} up to date with {self.upstream}")
            await self.gh.sync_fork_branch(self.fork, self.base)
            return await self.commit_files(base_tree, base_sha)

    async def commit_files(self, base_tree: str, parent: str) -> str:
        tree = await self.write_tree(base_tree)
        if tree == base_tree:
            raise nothing_to_propose(self.upstream, self.base)
        return await self.gh.create_commit(self.fork, message=commit_message(self.services, update=False), tree=tree,
                                           parents=[parent])

    async def write_tree(self, base_tree: str, *, keep_upstream: bool = False) -> str:
        blobs = {path: await self.gh.create_blob(self.fork, data) for path, data in binary_files(self.services).items()}
        entries = tree_entries(self.services, blobs, keep_upstream=keep_upstream)
        if not entries:
            return base_tree
        return await self.gh.create_tree(self.fork, entries, base_tree=base_tree)

    def file_count(self) -> int:
        return sum(len(s.sent_files()) for s in self.services)

    # --- pull request ---

    async def open_pull_request(self, head: str) -> dict[str, Any]:
        self.say("pull request", f"opening the pull request against {self.upstream} {self.base}")
        pr = await self.gh.create_pull_request(
            self.upstream, title=self.title, head=head, base=self.base, body=self.body or pull_request_body(self.services),
            draft=self.draft, maintainer_can_modify=self.fork != self.upstream,
        )
        if pr is None:  # opened in the meantime, by another run
            pr = (await self.gh.list_pull_requests(self.upstream, head=head, base=self.base))[0]
        self.say("pull request", f"opened {pr['html_url']}")
        ledger.made(f"the pull request {pr['html_url']}")
        return pr


def _resume_note(stage: str) -> str:
    if stage in ("account", "base"):
        return "nothing was changed on GitHub yet"
    return (f"it stopped at the {stage} step; run the same command again and it continues from there, "
            "reusing what is already on GitHub (your fork, your branch)")


async def publish_folders(
    folders: Sequence[Path | str],
    *,
    settings: Settings,
    token: Secret | str | None,
    client: httpx.AsyncClient | None = None,
    draft: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    branch: str | None = None,
    title: str | None = None,
    body: str | None = None,
    dry_run: bool = False,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    before: Before | None = None,
    allow_todo: bool = False,
) -> PublishResult:
    """Open (or update) the pull request that adds ``folders`` to ``settings.upstream``, or changes them there.

    ``dry_run`` sends nothing and needs no token: the calls are answered as for a first contribution,
    and ``PublishResult.calls`` lists what would be sent. ``before`` (folder name -> files) is each folder as
    it was before the change being published (a bump, an edit): a file it did not change is not sent, and a
    finding it already had is no reason to stop. ``allow_todo`` publishes READMEs with TODO placeholder lines.
    """
    report = progress or _quiet
    if dry_run:
        report = _marked_dry_run(report)
    elif settings.offline:
        raise GitHubUnreachable("offline mode is on, and opening a pull request needs GitHub",
                                hint="run without --offline, or with --dry-run to see the calls it would send")
    if isinstance(token, str):  # typed into a front end's own field
        token = Secret(token)
        redact_in_logs(token)
    if not dry_run and (warning := plain_http_warning(settings.api_url)):
        report("check", warning)
    report("check", f"checking {len(folders)} folder(s)")
    services, findings = read_service_folders([Path(f) for f in folders])
    chosen = check_branch_name(branch) if branch else branch_name([s.name for s in services])
    own_client = client is None or dry_run
    if dry_run:
        from wizard.github.dry_run import dry_run_client

        client, token = dry_run_client(settings), None
    elif client is None:
        import httpx

        client = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
    gh = GitHub(client, api_url=settings.api_url, token=token, sleep=sleep, waiting=lambda text: report("wait", text))
    publisher = _Publisher(gh, settings, services, findings, branch=chosen, title=title, draft=draft, force=force,
                           progress=report, sleep=sleep, before=before, allow_todo=allow_todo, read_blobs=not dry_run,
                           body=body)
    try:
        result = await publisher.run()
    except GitHubError as error:
        if not isinstance(error, BranchConflict):
            error.hint = "; ".join(part for part in (error.hint, _resume_note(publisher.stage)) if part)
        raise
    finally:
        if own_client:
            await client.aclose()
    if dry_run:
        return PublishResult(None, None, result.branch, True, None, result.fork, True, result.calls, dry_run=True)
    return result


def proposed_pull_request(folders: Sequence[Path | str]) -> tuple[str, str]:
    """The title and body a pull request of ``folders`` gets unless the contributor writes their own."""
    services, _ = read_service_folders([Path(f) for f in folders])
    return pull_request_title(services), pull_request_body(services)
