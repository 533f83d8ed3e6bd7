"""prem-new-service edit FOLDER: change an existing service, in the wizard or with flags.

In a terminal and with no field flag, the wizard opens on the service, every answer filled in. With field flags
(``--memory 16GiB``, the same flags as ``new``), or with no terminal, the answers given replace the service's own
and the folder is saved without the wizard. Either way only the files that change are written, and
manifest.json over its own text: keys the wizard does not ask about (serviceType, binariesUrl, unknown ones …)
keep their values and order, its indent and last line ending stay, and only the lines of the values that
changed differ. A save that changes nothing writes nothing. What the service already broke (an empty
description upstream) is said and stops nothing; only what the edit breaks does (exit 2).

The changes go to stdout as ``what: old → new`` lines; ``--dry-run`` prints them and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.cli.common import add_answer_groups, add_options

    parser.add_argument("folder", metavar="FOLDER", help="a service folder holding manifest.json")
    add_answer_groups(parser, "new answers: {step}", "each flag replaces the service's own answer and saves "
                      "without the wizard")
    options = parser.add_argument_group("options")
    add_options(options, "index", "offline", "platform", "size_kind", "exact", "dry_run",
                dry_run="print the changes; write nothing")


def edited_answers(original: dict, given: dict) -> dict:
    """The service's answers with the given ones over them; a new image's old size goes (it is looked up)."""
    from wizard.service.answers import answers_from_manifest
    from wizard.service.rules import DEVICES

    answers = {**answers_from_manifest(original), **given}
    for device in DEVICES:
        if f"{device}_image" in given and f"{device}_size" not in given:
            answers.pop(f"{device}_size", None)
    return answers


def save_without_wizard(folder: Path, original: dict, given: dict, settings, args, *, quiet: bool = False) -> int:
    """``quiet``: the index's note and the folder's warnings are not said (a caller changing one measured value)."""
    from wizard.cli.common import look_up_sizes, missing_lines, problem_lines, say
    from wizard.errors import InvalidInput
    from wizard.publish.changes import manifest_changes
    from wizard.publish.folders import baseline_of, folder_docs
    from wizard.registry.upstream import settings_index
    from wizard.service.folder import edited_files, update_service_folder
    from wizard.service.manifest import service_folder_name
    from wizard.service.plan import PlanContext, plan_service
    from wizard.service.rules import DEVICES

    answers = edited_answers(original, given)
    index = settings_index(settings, report=(lambda line: None) if quiet else say)
    readme, logo = folder_docs(folder)
    context = PlanContext(index=index, original=original, baseline=baseline_of(folder), readme=readme, logo=logo)
    wanted = {d: str(answers[f"{d}_image"]) for d in DEVICES if f"{d}_image" in answers and f"{d}_size" not in answers}
    if wanted and settings.offline:
        raise InvalidInput([f"--{d}-size: missing; offline, sizes are not looked up" for d in wanted],
                           hint=f"nothing in {folder} was changed")
    plan = plan_service(answers, replace(context, sizes=look_up_sizes(wanted, settings, args.platform, exact=args.exact)))
    for messages in plan.inherited.values():
        for message in messages:
            say(f"note: {message} (already so in {folder.name}; it stops nothing)")
    if not plan.ok:
        raise InvalidInput(problem_lines(plan) + missing_lines(plan.missing), hint=f"nothing in {folder} was changed")
    def shown(finding) -> str:  # the plan names the folder by its id; this one may be named otherwise
        return str(finding).replace(f"{plan.folder}/", f"{folder}/", 1)

    errors = [shown(f) for f in plan.findings if f.severity == "error"]
    for finding in (f for f in plan.findings if f.severity != "error" and not quiet):
        say(shown(finding))
    if errors:
        raise InvalidInput(errors, hint=f"nothing in {folder} was changed")
    changed = edited_files(folder, plan.files)
    interfaces = original.get("interfaces") or ["?"]
    renamed = plan.folder != service_folder_name(str(interfaces[0]), str(original.get("id", "")))
    changes = manifest_changes(original, json.loads(changed["manifest.json"])) if "manifest.json" in changed else []
    for change in changes:
        print(change)
    if not changed and not renamed:
        say(f"nothing changed: {folder} is as it was; nothing was written")
        return 0
    if args.dry_run:
        say(f"dry run: would write {', '.join(changed)}" + (f" and rename the folder to {plan.folder}" if renamed else ""))
        return 0
    target = update_service_folder(folder, changed, new_name=plan.folder if renamed else None)
    from wizard import ledger

    ledger.made(f"the changes to {target}")
    say(f"saved {target}: {', '.join(changed) or 'renamed'}")
    return 0


def run(args: argparse.Namespace) -> int:
    from wizard.cli.common import field_answers, has_terminal
    from wizard.publish.folders import folder_manifest
    from wizard.settings import build_settings, data_dir

    folder = Path(args.folder).resolve()  # its name is the service folder's, even for `edit .`
    original = folder_manifest(folder)
    settings = build_settings({"offline": args.offline, "index_url": args.index, "size_kind": args.size_kind})
    given = field_answers(args)
    if given or not has_terminal() or args.dry_run:
        if not given:
            print("no field flag given: checking the folder and saving it unchanged (give flags such as --memory to "
                  "change answers, or run in a terminal for the wizard)", file=sys.stderr)
        return save_without_wizard(folder, original, given, settings, args)
    from wizard.tui.app import WizardApp, run_and_report
    from wizard.tui.editing import EditTarget, edit_draft

    target = EditTarget(folder, original)
    draft_file = data_dir() / f"edit-{folder.name}.json"
    app = WizardApp(settings, draft=edit_draft(target), editing=target, saved_at_source=draft_file)
    app.RESUME_COMMAND = f"prem-new-service edit {folder}"
    return run_and_report(app)
