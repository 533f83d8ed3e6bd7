"""Parse arguments, pick the front end, map errors to exit codes.

Each subcommand lives in ``wizard.commands.<name>`` with ``add_arguments(parser)`` and ``run(args) -> int``.
Command modules import only the standard library at module level, so ``--help`` and ``--version`` stay fast
and never load textual or questionary.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from wizard import __version__
from wizard.errors import WizardError

# name -> (module, one-line help); order is the order shown in --help
COMMANDS: dict[str, tuple[str, str]] = {
    "new": ("wizard.commands.new", "scaffold a service folder from flags or a spec file (no prompts)"),
    "validate": ("wizard.commands.validate", "check service folders or a whole registry checkout"),
    "schema": ("wizard.commands.schema", "print the JSON Schema of manifest.json"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prem-new-service",
        description="Add a service to the Prem registry: manifest.json, README.md and logo.svg, "
        "image sizes looked up, and the pull request opened.",
        epilog="Run a command with --help for its options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module_name).add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return module.run(args)
    except WizardError as error:
        print(f"prem-new-service: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("prem-new-service: interrupted; nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
