"""prem-new-service edit FOLDER: the wizard on an existing service, every answer filled in.

Saving writes manifest.json, README.md and logo.svg back in place; keys the wizard does not ask about
(serviceType, binariesUrl, envVariables, unknown ones, …) keep their values and their order, and other
files in the folder stay.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="FOLDER", help="a service folder holding manifest.json")
    parser.add_argument("--offline", action="store_true", default=None, help="no network: sizes typed, cached index")
    parser.add_argument("--index", metavar="URL|FILE", help="the upstream manifests.json")


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from wizard.cli.common import has_terminal
    from wizard.errors import InvalidInput, WizardError
    from wizard.service.manifest import read_json_file
    from wizard.settings import build_settings, data_dir

    folder = Path(args.folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        raise WizardError(f"{folder} holds no manifest.json", hint="name a service folder, e.g. chat-dolly-v2-12b")
    original = read_json_file(manifest_path)
    if not isinstance(original, dict):
        raise InvalidInput([f"{manifest_path}: a manifest is a JSON object {{ ... }}"])
    if not has_terminal():
        print("edit opens the wizard and needs a terminal; to change images without one, use "
              f"`prem-new-service bump {folder} --gpu-image REF`", file=sys.stderr)
        return 2
    from wizard.tui.app import WizardApp
    from wizard.tui.state import EditTarget, edit_draft

    settings = build_settings({"offline": args.offline, "index_url": args.index})
    target = EditTarget(folder.resolve(), original)
    draft_file = data_dir() / f"edit-{folder.resolve().name}.json"
    app = WizardApp(settings, draft=edit_draft(target), editing=target, offer_resume=False, saved_at_source=draft_file)
    app.run()
    return app.return_code or 0
