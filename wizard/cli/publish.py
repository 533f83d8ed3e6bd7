"""prem-new-service publish FOLDER...: open the pull request that adds service folders to the registry, or changes
the ones it holds.

Only the files that differ from the upstream's base branch are sent; a folder the upstream holds is described
by what changed ("Bump Bark: gpu image 1.0.1 → 1.0.2, size …"). Findings already upstream in the same folder are
warnings; a README with TODO placeholder lines is refused unless ``--allow-todo``.

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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.cli.common import add_options, add_upstream_arguments

    parser.add_argument("folders", nargs="+", metavar="FOLDER", help="service folder(s), e.g. ./chat-my-model")
    parser.add_argument("--dry-run", action="store_true", help="print the calls it would send; send nothing")
    parser.add_argument("--draft", action="store_true", help="open the pull request as a draft")
    parser.add_argument("--force", action="store_true",
                        help="replace a branch of the same name that holds someone else's commits")
    parser.add_argument("--branch", metavar="NAME", help="branch name (default: add-FOLDER)")
    parser.add_argument("--title", help="pull request title (default: 'Add NAME (INTERFACE)', or what changed)")
    add_options(parser, "allow_todo")
    add_upstream_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")


def run(args: argparse.Namespace) -> int:
    from wizard.cli.common import publish_and_report
    from wizard.settings import build_settings

    settings = build_settings({"upstream": args.upstream, "base": args.base, "api_url": args.api_url})
    return publish_and_report(args.folders, settings, draft=args.draft, force=args.force, branch=args.branch,
                              title=args.title, dry_run=args.dry_run, as_json=args.json, allow_todo=args.allow_todo)
