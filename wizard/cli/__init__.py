"""Parse arguments, pick the front end, map errors to exit codes.

Each subcommand lives in ``wizard.cli.<name>`` with ``add_arguments(parser)`` and ``run(args) -> int``.
Command modules import only the standard library at module level, so ``--help`` and ``--version`` stay fast
and never load textual or questionary.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from collections.abc import Sequence

from wizard import __version__
from wizard.errors import WizardError

# name -> (module, one-line help); order is the order shown in --help
COMMANDS: dict[str, tuple[str, str]] = {
    "new": ("wizard.cli.new", "scaffold a service folder from flags or a spec file (no prompts)"),
    "edit": ("wizard.cli.edit", "open the wizard on an existing service folder and save it back"),
    "validate": ("wizard.cli.validate", "check service folders or a whole registry checkout"),
    "schema": ("wizard.cli.schema", "print the JSON Schema of manifest.json"),
    "size": ("wizard.cli.size", "look up what each image takes unpacked and what a pull downloads (for docker.size)"),
    "publish": ("wizard.cli.publish", "open the pull request that adds service folders to the registry"),
    "batch": ("wizard.cli.batch", "scaffold many service folders from spec files, checked first, sizes looked up together"),
    "bump": ("wizard.cli.bump", "update the images of a service folder, refresh their sizes, open the pull request"),
    "try": ("wizard.cli.trying", "serve a registry index with these folders in it, for the Prem Daemon to load"),
    "check": ("wizard.cli.check", "call a running service (or run its image) the way the Prem App does, and measure it"),
    "serve": ("wizard.cli.serve", "serve the wizard in a browser on localhost (workshop mode)"),
    "config": ("wizard.cli.config", "show the config file and where each setting comes from; --init writes one"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prem-new-service",
        description="Add a service to the Prem registry: manifest.json, README.md and logo.svg, "
        "image sizes looked up, and the pull request opened.",
        epilog="Run a command with --help for its options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    wizard = parser.add_argument_group("the wizard (no COMMAND)")
    wizard.add_argument("--plain", action="store_true", help="ask with plain prompts instead of the full-screen app")
    wizard.add_argument("--resume", action="store_true", help="carry on with the saved draft")
    wizard.add_argument("--offline", action="store_true", default=None, help="no network: sizes typed, cached index")
    wizard.add_argument("--index", dest="index_url", metavar="URL|FILE", help="the upstream manifests.json")
    wizard.add_argument("--out", metavar="DIR", help="default folder to write the service folder into")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module_name).add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from wizard import ledger

    ledger.forget()
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            return run_wizard(args)
        return importlib.import_module(COMMANDS[args.command][0]).run(args)
    except WizardError as error:
        from wizard.terminal_text import printable

        print(f"prem-new-service: error: {printable(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"prem-new-service: {ledger.interrupted_line()}", file=sys.stderr)
        return 130
    except OSError as error:  # a path the system refuses (too long, a loop of links, a file where a folder is)
        print(f"prem-new-service: error: {path_problem(error)}", file=sys.stderr)
        return 2 if error.errno in BAD_PATH_ERRORS else 1


BAD_PATH_ERRORS = {errno.ENAMETOOLONG, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ELOOP, errno.EINVAL}


def path_problem(error: OSError) -> str:
    from wizard import ledger
    from wizard.terminal_text import one_line

    name = one_line(str(error.filename)) if error.filename is not None else "a file"
    shown = name if len(name) <= 100 else name[:60] + f"… ({len(name)} characters)"
    return (f"{shown}: {error.strerror or type(error).__name__}\n  → check the path (and that its folder exists "
            f"and is yours to write), then run the same command again; {ledger.made_so_far()}")


def run_wizard(args: argparse.Namespace) -> int:
    """No command: the Textual app, or plain prompts; with no terminal at all, say what to use instead."""
    from wizard.cli.common import has_terminal
    from wizard.settings import build_settings

    settings = build_settings({"offline": args.offline, "index_url": args.index_url, "out": args.out})
    if not has_terminal():
        from wizard.prompts import no_terminal_message

        print(no_terminal_message(), file=sys.stderr)
        return 2
    from wizard.registry.upstream import named_index

    # an index the user named is loaded before any question: one that cannot be used stops here (exit 2)
    index = named_index(settings, report=lambda line: print(line, file=sys.stderr))
    if args.plain:
        from wizard.prompts import run_plain

        return run_plain(settings, resume=args.resume, index=index)
    from wizard.tui.app import WizardApp, run_and_report

    return run_and_report(WizardApp(settings, resume=args.resume, services=preloaded_services(settings, index)))


def preloaded_services(settings, index):
    """The app's services, with the index already loaded at the start (None: the app loads it)."""
    if index is None:
        return None
    from dataclasses import replace

    from wizard.tui.services import default_services

    async def load_index():
        return index

    return replace(default_services(settings), load_index=load_index)


if __name__ == "__main__":
    raise SystemExit(main())
