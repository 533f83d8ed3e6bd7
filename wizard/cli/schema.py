"""prem-new-service schema: the JSON Schema of manifest.json."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--compact", action="store_true", help="one line instead of indented")


def run(args: argparse.Namespace) -> int:
    import json

    from wizard.service.schema import manifest_json_schema

    print(json.dumps(manifest_json_schema(), indent=None if args.compact else 4, ensure_ascii=False))
    return 0
