"""prem-new-service new: scaffold a service folder from flags and/or a spec file, without prompts.

Flags beat the spec file (``--from``); the plan (``wizard.service.plan``) adds what it derives (the id from
the name, a free external port, the sizes looked up) and the table's defaults beneath them. Sizes come from
flags, or are looked up from the container registry once every other answer is checked. With answers missing,
every missing one is listed by its flag and the exit code is 2.
``--json`` prints ``{"folder": path, "files": [names], "manifest": {...}, "filled_in": {answer: source},
"written": bool}``; ``filled_in`` names each answer taken from ``--from-hf``'s model, and where it came from.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.cli.common import (
        add_answer_groups,
        add_example_flag,
        add_options,
        add_upstream_arguments,
    )

    add_answer_groups(parser, "answers: {step}", "each answer is also a key of a --from file: --gpu-image is "
                      "gpu_image; flags beat the file")
    source = parser.add_argument_group("where from, where to")
    source.add_argument("--from", dest="spec", metavar="FILE", help="TOML, YAML or JSON file with the same keys")
    add_example_flag(source, "dolly-v2-12b.toml")
    from wizard.cli.from_hub import add_hub_arguments

    add_hub_arguments(source)
    add_options(source, "out", "force", "dry_run", "json", dry_run="print the files instead of writing them",
                json="print a JSON summary on stdout")
    upstream = parser.add_argument_group("upstream checks")
    add_options(upstream, "index", "offline", "platform", "size_kind", "exact")
    pull = parser.add_argument_group("pull request")
    add_options(pull, "publish", "draft", "allow_todo")
    add_upstream_arguments(pull)


def spec_answers(args: argparse.Namespace) -> dict:
    from pathlib import Path

    from wizard.service.specs import read_answers_file

    return read_answers_file(Path(args.spec)) if args.spec else {}


def gather_answers(args: argparse.Namespace, hub=None, spec: dict | None = None):
    """The answers as typed: flags over the spec file over the model's from the Hub (a ChainMap in table keys)."""
    from wizard.cli.common import field_answers
    from wizard.service.answers import layered, without_sources

    spec = spec_answers(args) if spec is None else spec
    return layered(field_answers(args), without_sources(spec), hub.answers if hub is not None else {})


def sizes_to_look_up(plan) -> dict[str, str]:
    """device -> image reference, for each image whose size nobody gave."""
    from wizard.service.rules import DEVICES

    return {device: str(plan.answers[f"{device}_image"]) for device in DEVICES
            if f"{device}_image" in plan.answers and f"{device}_size" not in plan.answers}


def checked_plan(answers, index, *, sizes_pending: bool, facts=None):
    """The plan before any size lookup; InvalidInput or MissingAnswers (exit 2) when it cannot be written."""
    from wizard.cli.common import missing_lines, problem_lines, say, say_dropped
    from wizard.errors import InvalidInput, MissingAnswers
    from wizard.service.plan import PICKED, PlanContext, plan_service

    plan = plan_service(answers, PlanContext(index=index, sizes_pending=sizes_pending, facts=facts))
    say_dropped(plan)
    if plan.problems:
        raise InvalidInput(problem_lines(plan), hint="fix these answers and run again; nothing was written")
    if plan.missing:
        raise MissingAnswers(missing_lines(plan.missing),
                             hint="give them as flags or keys of a --from file (`prem-new-service new --example` prints one)")
    if index is None and plan.sources.get("external_port") == PICKED:
        say(f"warning: picked external port {plan.answers['external_port']} without the upstream index; "
            "it may clash with a service added meanwhile")
    return plan


def refuse_existing_folder(target) -> None:
    from wizard.errors import FolderExists

    if target.exists():
        raise FolderExists(f"{target} already exists", hint="pick another --out, or pass --force to replace it; "
                           "nothing was written")


def print_dry_run(target, files) -> None:
    for name, content in files.items():
        print(f"==> {target / name} ({len(content)} bytes)")
        print(content.decode("utf-8") if not name.endswith(".svg") or len(content) < 4096 else "(svg)")


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from wizard.cli.common import (
        look_up_sizes,
        missing_lines,
        print_example,
        problem_lines,
        say,
    )
    from wizard.errors import InvalidInput, WizardError
    from wizard.registry.upstream import settings_index
    from wizard.service.manifest import registry_dict
    from wizard.service.plan import PlanContext, folder_of, plan_service
    from wizard.settings import build_settings

    if print_example(args):
        return 0
    settings = build_settings({"out": args.out, "offline": args.offline, "index_url": args.index,
                               "upstream": args.upstream, "base": args.base, "api_url": args.api_url,
                               "size_kind": args.size_kind})
    from wizard.cli.from_hub import filled_in, hub_answers

    spec = spec_answers(args)
    hub = hub_answers(args.from_hf or spec.get("hf"), endpoint=args.hf_endpoint, offline=bool(settings.offline),
                      say=say, given_as="--from-hf" if args.from_hf else f"{args.spec}: hf")
    answers = gather_answers(args, hub, spec)
    facts = hub.facts if hub is not None else None
    index = settings_index(settings, report=say)
    checked = checked_plan(answers, index, sizes_pending=not settings.offline, facts=facts)
    wanted = sizes_to_look_up(checked)
    if not args.dry_run and not args.force:
        refuse_existing_folder(Path(settings.out) / folder_of(checked.answers))  # before any lookup
    # with every size given, the checked plan is already the one to write
    if wanted:
        sizes = look_up_sizes(wanted, settings, args.platform, exact=args.exact)
        plan = plan_service(answers, PlanContext(index=index, sizes=sizes, facts=facts))
    else:
        plan = checked
    if not plan.ok:  # a looked-up size the rules refuse
        raise InvalidInput(problem_lines(plan) + missing_lines(plan.missing), hint="nothing was written")
    for finding in plan.findings:  # what `validate` would say of the folder
        say(str(finding))
    target = Path(settings.out) / plan.folder
    summary = {"folder": str(target), "files": list(plan.files), "manifest": registry_dict(plan.manifest),
               "filled_in": filled_in(hub, answers)}
    if args.dry_run:
        if args.json:
            print(json.dumps({**summary, "written": False}, indent=2, ensure_ascii=False))
            return 0
        print_dry_run(target, plan.files)
        say("dry run: nothing was written")
        if args.publish:
            raise WizardError("--publish needs the folder on disk", hint="run without --dry-run, or use "
                              "`prem-new-service publish FOLDER --dry-run` on a written folder")
        return 0
    from wizard import ledger
    from wizard.service.folder import write_service_folder

    write_service_folder(target, plan.files, force=args.force)
    ledger.made(f"the folder {target.resolve()}", f"prem-new-service publish {target}")
    if args.json:
        print(json.dumps({**summary, "written": True}, indent=2, ensure_ascii=False))
    else:
        print(target)
        say(f"wrote {target}: {', '.join(plan.files)}. Next: edit the README's TODO lines, then "
            f"`prem-new-service validate {target}`")
    if args.publish:
        from wizard.cli.common import publish_and_report

        try:
            return publish_and_report([target], settings, draft=args.draft, allow_todo=args.allow_todo)
        except WizardError as error:
            error.hint = f"{error.hint + '; ' if error.hint else ''}the folder {target} is written: after fixing " \
                         f"this, run `prem-new-service publish {target}`"
            raise
    return 0
