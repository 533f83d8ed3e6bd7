"""prem-new-service batch SPEC...: many service folders from spec files (format: wizard.publish.batch), in one run.

    plan every service (checks, external ports) -> look up sizes -> plan again (files) -> write every folder
    -> pull request(s)

Every problem of every service is listed first (exit 2; nothing written, nothing sent). Sizes left out are
looked up together, each distinct image once, with a progress bar on stderr; the unpacked size is written
(``--size-kind download`` writes the download size), and an image whose unpacked size is an estimate is said
with the reasons (``--exact`` counts it). A failed lookup is listed with its message (exit 1; nothing written). The folders are then written all or none. ``--publish`` opens one pull
request holding them all, or one per service with ``--pr-per-service``. ``--dry-run`` prints the files (and,
with ``--publish``, the calls it would send) and writes and sends nothing.

Stdout holds each folder, one per line, then the pull request URL(s); with ``--json`` one document instead::

    {
      "dry_run": false,
      "services": [
        {"spec": "services.toml", "position": 0,        # where the service is: services[0] of that file
         "id": "tiny-chat", "folder": "out/chat-tiny-chat",
         "sizes": {"gpu": 12345678, "cpu": 2345678},    # bytes, per device the service has
         "written": true,                               # false with --dry-run
         "filled_in": {"memory": "estimated from ..."}, # answers taken from the spec's `hf` model, and whence
         "pr_url": "https://github.com/premAI-io/prem-registry/pull/7"}   # null without --publish
      ],
      "pull_requests": [                                # [] without --publish
        {"url": "https://...", "number": 7,             # null with --dry-run
         "branch": "add-2-services-1a2b3c4d", "folders": ["chat-tiny-chat", ...],
         "created": true, "calls": 9}                   # calls sent (or, with --dry-run, that would be)
      ]
    }
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.cli.common import LookupStatus, say


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.cli.common import add_example_flag, add_options, add_upstream_arguments

    add_example_flag(parser, "batch/batch-chat-models.toml")
    parser.add_argument("specs", nargs="*", metavar="SPEC", help="TOML, YAML or JSON files of services "
                        "(shared defaults at the top, then [[services]]; `prem-new-service batch --example` prints one)")
    add_options(parser, "out", "index", "offline", "platform", "size_kind", "exact", "force", "dry_run", "json",
                out="folder to write the service folders into (default: .)",
                offline="use no network: cached index, every size given in the spec",
                force="replace service folders that exist")
    parser.add_argument("--hf-endpoint", metavar="URL", help="the Hub the specs' hf = \"ORG/NAME\" models are "
                        "read from (default: $HF_ENDPOINT or https://huggingface.co)")
    pull = parser.add_argument_group("pull request")
    add_options(pull, "publish", publish="after writing, open one pull request holding every folder")
    pull.add_argument("--pr-per-service", action="store_true", help="with --publish: one pull request per service")
    add_options(pull, "draft", "allow_todo", draft="open the pull request(s) as drafts")
    add_upstream_arguments(pull)


# --- sizes ----------------------------------------------------------------------------------------


def progress_bar(done: int, total: int, width: int = 20) -> str:
    """``sizes 37/200 ▕████      ▏``"""
    filled = width * done // total if total else width
    return f"sizes {done}/{total} ▕{'█' * filled}{' ' * (width - filled)}▏"


class SizeProgress(LookupStatus):
    """A one-line ``\\r`` bar on a terminal, with the images that carry notes (an estimate, a warning) said above
    it; elsewhere (CI logs, pipes) one line per finished lookup, with its notes."""

    def __init__(self, total: int, stream=None, kind: str = "unpacked") -> None:
        super().__init__(stream, waiting=False)  # the bar moves on its own; what one image waits for is noise here
        self.total, self.done, self.kind = total, 0, kind

    def __call__(self, reference: str, result: Any) -> None:
        from wizard.errors import ImageError
        from wizard.size_text import notes, summary

        self.done += 1
        failed = isinstance(result, ImageError)
        said = [] if failed else notes(result)
        if not self.terminal or said:
            self.say(f"sizes {self.done}/{self.total}: {reference}: {'failed' if failed else summary(result, self.kind)}")
            for line in said:
                self.say(f"  {line}")
        if self.terminal:
            self.draw(self.line())
            if self.done == self.total:
                self.stream.write("\n")
                self.stream.flush()
                self.shown = ""

    def line(self) -> str:
        reading = super().line()
        return progress_bar(self.done, self.total) + (f"  {reading}" if reading else "")


def look_up_sizes(services: list, settings, platform: str, *, exact: bool = False) -> list:
    """The services with the sizes they left out looked up (``BatchService.sizes``): the unpacked size, or the
    download size with ``settings.size_kind`` "download". All lookups run together, each distinct reference
    once."""
    from wizard.cli.common import run_async, say_exact_hint
    from wizard.errors import WizardError
    from wizard.images import lookup_sizes
    from wizard.publish.batch import references_to_look_up, with_sizes

    references = references_to_look_up(services)
    if not references:
        return services
    say(f"looking up {len(references)} image size(s)")
    progress = SizeProgress(len(references), kind=settings.size_kind)
    results = run_async(progress.run(lookup_sizes(references, platform=platform, settings=settings,
                                                    progress=progress, exact=exact, on_bytes=progress.on_bytes)))
    services, failures = with_sizes(services, results, kind=settings.size_kind)
    if failures:
        raise WizardError(f"could not look up {len(failures)} image size(s):\n" + "\n".join(f"  - {f}" for f in failures),
                          hint="fix the references, or give the sizes (gpu_size, cpu_size) in the spec; "
                          "nothing was written")
    say_exact_hint(results.values(), exact)
    return services


# --- writing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A service about to be written: where, and the files."""

    service: Any  # wizard.publish.batch.BatchService
    manifest: Any  # wizard.service.manifest.Manifest
    target: Path
    files: dict[str, bytes]


def plan(services: list, out: str, index=None) -> list[Planned]:
    """Every service planned with its sizes, into its folder under ``out``."""
    from wizard.cli.common import missing_lines, problem_lines
    from wizard.errors import InvalidInput
    from wizard.publish.batch import plan_services

    planned = []
    for service in plan_services(services, index):
        if not service.plan.ok:  # a looked-up size the rules refuse
            lines = problem_lines(service.plan) + missing_lines(service.plan.missing)
            raise InvalidInput([f"{service.label}: {line}" for line in lines], hint="nothing was written")
        planned.append(Planned(service, service.plan.manifest, Path(out) / service.plan.folder, service.plan.files))
    return planned


def write_all(planned: list[Planned], out, *, force: bool) -> None:
    """Every folder, or none (see wizard.service.batch_writes)."""
    from wizard.service.batch_writes import Target, write_batch

    write_batch(Path(out), [Target(p.target, p.files) for p in planned], force=force)


def print_files(planned: list[Planned]) -> None:
    for planned_service in planned:
        for name, content in planned_service.files.items():
            print(f"==> {planned_service.target / name} ({len(content)} bytes)")
            print("(svg)" if name.endswith(".svg") else content.decode("utf-8"))


# --- pull requests --------------------------------------------------------------------------------


def open_pull_requests(groups: list[list[Path]], settings, *, draft: bool, dry_run: bool, allow_todo: bool = False) -> list:
    """One pull request per group of folders (PublishResult each); the token is resolved once for all."""
    from wizard.cli.common import print_stage, run_async, token_for_cli
    from wizard.publish.pipeline import publish_folders

    async def go():
        token = await token_for_cli(settings, dry_run=dry_run)
        return [await publish_folders(group, settings=settings, token=token, draft=draft, progress=print_stage,
                                      dry_run=dry_run, allow_todo=allow_todo) for group in groups]

    return run_async(go())


def publish(planned: list[Planned], settings, *, per_service: bool, draft: bool, dry_run: bool,
            allow_todo: bool = False) -> list[tuple]:
    """(folder names, PublishResult) per pull request. A dry run publishes copies in a temporary folder."""
    import tempfile

    from wizard.errors import WizardError
    from wizard.service.folder import write_service_folder

    def grouped(folders: list[Path]) -> list[list[Path]]:
        return [[folder] for folder in folders] if per_service else [folders]

    if dry_run:
        with tempfile.TemporaryDirectory(prefix="prem-batch-dry-run-") as scratch:
            copies = [write_service_folder(Path(scratch) / p.target.name, p.files) for p in planned]
            groups = grouped(copies)
            results = open_pull_requests(groups, settings, draft=draft, dry_run=True, allow_todo=allow_todo)
    else:
        groups = grouped([p.target for p in planned])
        try:
            results = open_pull_requests(groups, settings, draft=draft, dry_run=False, allow_todo=allow_todo)
        except WizardError as error:
            listed = " ".join(str(p.target) for p in planned)
            error.hint = f"{error.hint + '; ' if error.hint else ''}the folders are written: after fixing this, " \
                         f"run `prem-new-service publish {listed}`"
            raise
    return [([folder.name for folder in group], result) for group, result in zip(groups, results)]


# --- the command ----------------------------------------------------------------------------------


def summary(planned: list[Planned], published: list[tuple], *, dry_run: bool) -> dict[str, Any]:
    """The ``--json`` document (shape in the module docs)."""
    pr_url = {name: result.pr_url for names, result in published for name in names}
    return {
        "dry_run": dry_run,
        "services": [
            {"spec": p.service.source, "position": p.service.position, "id": p.manifest.id, "folder": str(p.target),
             "sizes": {device: image.size for device, image in (p.manifest.docker_images or {}).items()},
             "written": not dry_run, "filled_in": dict(p.service.filled_in), "pr_url": pr_url.get(p.target.name)}
            for p in planned
        ],
        "pull_requests": [
            {"url": result.pr_url, "number": result.pr_number, "branch": result.branch, "folders": names,
             "created": result.created, "calls": len(result.calls)}
            for names, result in published
        ],
    }


def checked_services(args: argparse.Namespace, settings) -> tuple[list, Any]:
    """Every service of the specs, planned before any size lookup, and the upstream index; InvalidInput listing
    every problem of every service, or FolderExists for folders already there, otherwise."""
    from wizard.errors import InvalidInput
    from wizard.publish import batch as core
    from wizard.registry.upstream import settings_index

    services, problems = core.read_batch_specs([Path(spec) for spec in args.specs])
    from wizard.cli.from_hub import with_hub_answers

    services = with_hub_answers(services, endpoint=args.hf_endpoint, offline=bool(settings.offline), say=say)
    index = settings_index(settings, report=say)
    services = core.plan_services(services, index, sizes_pending=not settings.offline)
    problems += core.batch_problems(services)
    if problems:
        raise InvalidInput(problems, hint="fix these in the spec file(s) and run again; nothing was written or sent")
    if not args.dry_run and not args.force:
        core.refuse_existing(core.planned_folders(services, settings.out))  # before any lookup: a refusal costs none
    for note in core.batch_notes(services):
        say(note)
    if index is None:
        say("warning: external ports left out are picked without the upstream index; they may clash")
    return services, index


def run(args: argparse.Namespace) -> int:
    import json

    from wizard.cli.common import print_example
    from wizard.errors import InvalidInput
    from wizard.settings import build_settings

    if print_example(args):
        return 0
    if not args.specs:
        raise InvalidInput(["give at least one spec file"], hint="`prem-new-service batch --example` prints one")
    if args.pr_per_service and not args.publish:
        raise InvalidInput(["--pr-per-service goes with --publish"], hint="add --publish, or leave it out")
    settings = build_settings({"out": args.out, "offline": args.offline, "index_url": args.index,
                               "upstream": args.upstream, "base": args.base, "api_url": args.api_url,
                               "size_kind": args.size_kind})
    if not args.dry_run:  # a batch a killed run left is finished or rolled back before anything is judged
        from wizard.service.batch_writes import recover

        recover(Path(settings.out), say=say)
    services, index = checked_services(args, settings)
    planned = plan(look_up_sizes(services, settings, args.platform, exact=args.exact), settings.out, index)
    if not args.dry_run:
        write_all(planned, settings.out, force=args.force)
        say(f"wrote {len(planned)} service folder(s) into {settings.out}")
        if not args.json:
            print("\n".join(str(p.target) for p in planned), flush=True)
    published = []
    if args.publish:
        published = publish(planned, settings, per_service=args.pr_per_service, draft=args.draft,
                            dry_run=args.dry_run, allow_todo=args.allow_todo)
    if args.json:
        print(json.dumps(summary(planned, published, dry_run=args.dry_run), indent=2, ensure_ascii=False))
    elif args.dry_run:
        print_files(planned)
        for _, result in published:
            print("\n".join(str(call) for call in result.calls))
        say(f"dry run: {len(planned)} service folder(s) checked; nothing was written or sent")
    else:
        for _, result in published:
            print(result.pr_url)
    return 0
