"""prem-new-service publish FOLDER...: open the pull request that adds service folders to the registry.

Each step is printed on stderr as it happens; the pull request's URL is printed last, on stdout.
``--dry-run`` sends nothing and needs no token: it prints every call it would send, one per line on
stdout (``METHOD PATH  (body summary)``). ``--json`` prints instead::

    {"pr_url", "pr_number", "branch", "fork", "created", "changed", "commit_sha", "dry_run",
     "calls": [{"method", "path", "status", "summary"}]}

The token comes from GH_TOKEN, GITHUB_TOKEN, ``gh auth token``, GitHub's device sign-in (when an OAuth
client id is configured) or a masked prompt; it is never printed.
"""

from __future__ import annotations

import argparse


def add_upstream_arguments(group) -> None:
    """Where a pull request goes: for every command that opens one (publish, new, batch, bump)."""
    group.add_argument("--upstream", metavar="OWNER/REPO", help="the registry (default: premAI-io/prem-registry)")
    group.add_argument("--base", metavar="BRANCH", help="branch the pull request goes into (default: dev)")
    group.add_argument("--api-url", metavar="URL", help="GitHub's API (default: https://api.github.com)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folders", nargs="+", metavar="FOLDER", help="service folder(s), e.g. ./chat-my-model")
    parser.add_argument("--dry-run", action="store_true", help="print the calls it would send; send nothing")
    parser.add_argument("--draft", action="store_true", help="open the pull request as a draft")
    parser.add_argument("--force", action="store_true",
                        help="replace a branch of the same name that holds someone else's commits")
    parser.add_argument("--branch", metavar="NAME", help="branch name (default: add-FOLDER)")
    parser.add_argument("--title", help="pull request title (default: 'Add NAME (INTERFACE)')")
    add_upstream_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")


def print_stage(stage: str, detail: str) -> None:
    import sys

    print(f"[{stage}] {detail}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from wizard.settings import build_settings

    settings = build_settings({"upstream": args.upstream, "base": args.base, "api_url": args.api_url})
    return publish_and_report(args.folders, settings, draft=args.draft, force=args.force, branch=args.branch,
                              title=args.title, dry_run=args.dry_run, as_json=args.json)


async def token_for_cli(settings, *, dry_run: bool):
    """The GitHub token for a command, its source said on stderr; none for a dry run, which sends nothing."""
    import sys

    if dry_run:
        return None
    from wizard.github.token import resolve_token

    found = await resolve_token(settings, interactive=sys.stdin.isatty() and sys.stderr.isatty())
    print_stage("account", f"using the token from {found.source}")
    return found.secret


def publish_and_report(folders, settings, *, draft=False, force=False, branch=None, title=None, dry_run=False,
                       as_json=False) -> int:
    """Resolve the token, run the pipeline with progress on stderr, print the result: for every command
    that ends in a pull request (publish, new --publish, batch --publish, bump --publish)."""
    import asyncio
    import json
    import sys

    from wizard.publish.pipeline import publish_folders

    async def go():
        token = await token_for_cli(settings, dry_run=dry_run)
        return await publish_folders(folders, settings=settings, token=token, draft=draft, force=force,
                                     progress=print_stage, branch=branch, title=title, dry_run=dry_run)

    result = asyncio.run(go())
    if as_json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    elif result.dry_run:
        for call in result.calls:
            print(call)
        print(f"{len(result.calls)} calls would be sent; nothing was sent", file=sys.stderr)
    else:
        verb = "opened" if result.created else "updated" if result.changed else "unchanged"
        print(f"pull request {verb} ({len(result.calls)} calls to GitHub)", file=sys.stderr)
        print(result.pr_url)
    return 0
