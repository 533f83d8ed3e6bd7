"""prem-new-service new: scaffold a service folder from flags and/or a spec file, without prompts.

Flags beat the spec file (``--from``), which beats the defaults. Sizes come from flags, or are looked up
from the container registry. With answers missing, every missing one is listed and the exit code is 2.
``--json`` prints ``{"folder": path, "files": [names], "manifest": {...}, "written": bool}``.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.cli.publish import add_upstream_arguments

    given = parser.add_argument_group("answers (each also a key of the --from file)")
    given.add_argument("--id", help="service id: lowercase letters, digits, hyphens (default: from the name)")
    given.add_argument("--name", help="the name people see in Prem, e.g. 'Dolly v2 12B'")
    given.add_argument("--description", help="a sentence or two on what the model does")
    given.add_argument("--interface", action="append", dest="interfaces", metavar="NAME",
                       help="chat, embeddings, vector-store, coder, diffuser, upscaler, text-to-audio, "
                       "audio-to-text (repeat for several; the first names the folder)")
    given.add_argument("--gpu-image", help="image for machines with a GPU, e.g. ghcr.io/org/svc-gpu:1.0.0")
    given.add_argument("--cpu-image", help="image for machines without a GPU")
    given.add_argument("--gpu-size", help="download size of the GPU image (bytes, or '37.9 GiB')")
    given.add_argument("--cpu-size", help="download size of the CPU image (bytes, or '1.2 GB')")
    given.add_argument("--memory", help="memory needed: 24576 (MiB), '24 GiB', '14.5GB', '24g'")
    given.add_argument("--tokens-per-second", help="for text generation: tokens per second")
    given.add_argument("--port", help="port inside the container (default 8000)")
    given.add_argument("--external-port", help="port on the user's machine (default: a free one)")
    given.add_argument("--beta", action=argparse.BooleanOptionalAction, default=None, help="mark as beta (default on)")
    source = parser.add_argument_group("where from, where to")
    source.add_argument("--from", dest="spec", metavar="FILE", help="TOML, YAML or JSON file with the same keys")
    source.add_argument("--out", metavar="DIR", help="folder to write the service folder into (default: .)")
    source.add_argument("--force", action="store_true", help="replace an existing service folder")
    source.add_argument("--dry-run", action="store_true", help="print the files instead of writing them")
    source.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    upstream = parser.add_argument_group("upstream checks")
    upstream.add_argument("--index", metavar="URL|FILE", help="the upstream manifests.json (default: the registry's dev branch)")
    upstream.add_argument("--offline", action="store_true", default=None, help="use no network: cached index, sizes given")
    upstream.add_argument("--platform", default="linux/amd64", help="platform whose size an index reports (default linux/amd64)")
    pull = parser.add_argument_group("pull request")
    pull.add_argument("--publish", action="store_true", help="after writing, fork the registry and open the pull request")
    pull.add_argument("--draft", action="store_true", help="open the pull request as a draft")
    add_upstream_arguments(pull)


def _flag_answers(args: argparse.Namespace) -> dict:
    from wizard.service.answers import BY_KEY

    return {key: getattr(args, key) for key in BY_KEY if getattr(args, key, None) is not None}


def gather_answers(args: argparse.Namespace) -> dict:
    """Flags over the spec file, as a ChainMap flattened into one dict of ANSWERS keys."""
    from collections import ChainMap
    from pathlib import Path

    from wizard.errors import InvalidInput
    from wizard.service.answers import normalise_answers, unknown_answer_keys
    from wizard.service.specs import read_spec_file

    layers = [normalise_answers(_flag_answers(args))]
    if args.spec:
        from_file = normalise_answers(read_spec_file(Path(args.spec)))
        unknown = unknown_answer_keys(from_file)
        if unknown:
            from wizard.service.answers import ANSWERS

            raise InvalidInput(
                [f"{args.spec}: unknown key '{key}'" for key in unknown],
                hint="known keys: " + ", ".join(a.key for a in ANSWERS),
            )
        layers.append(from_file)
    return dict(ChainMap(*layers))


def _report(message: str) -> None:
    import sys

    print(message, file=sys.stderr)


def look_up_missing_sizes(answers: dict, settings, platform: str) -> None:
    """Fill each image's size from its container registry, unless given; a progress line per image on stderr."""
    import asyncio

    from wizard.errors import ImageError, WizardError
    from wizard.images import human_bytes, lookup_sizes
    from wizard.service.rules import DEVICES

    wanted = {device: str(answers[f"{device}_image"]) for device in DEVICES
              if f"{device}_image" in answers and f"{device}_size" not in answers}
    if not wanted:
        return

    def progress(reference: str, result) -> None:
        if isinstance(result, ImageError):
            _report(f"size of {reference}: failed")
        else:
            _report(f"size of {reference}: {human_bytes(result.size)} ({result.size} bytes, {result.digest[:19]}…)")

    for reference in dict.fromkeys(wanted.values()):
        _report(f"size of {reference}: looking up …")
    results = asyncio.run(lookup_sizes(wanted.values(), platform=platform, settings=settings, progress=progress))
    failures = []
    for device, reference in wanted.items():
        result = results[reference]
        if isinstance(result, ImageError):
            failures.append(f"--{device}-image {reference}: {result}")
        else:
            answers[f"{device}_size"] = result.size
    if failures:
        raise WizardError("could not look up every image size:\n" + "\n".join(f"  - {f}" for f in failures),
                          hint="fix the reference, or give the size with --gpu-size/--cpu-size; nothing was written")


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from wizard.errors import InvalidInput, MissingAnswers, WizardError
    from wizard.registry.index import RegistryIndex, free_external_port
    from wizard.registry.upstream import load_upstream_index, upstream_problems
    from wizard.service.answers import (
        BY_KEY,
        answer_problems,
        manifest_from_answers,
        missing_answers,
        with_defaults,
    )
    from wizard.service.folder import write_service_folder
    from wizard.service.manifest import registry_dict
    from wizard.service.render import render_service
    from wizard.settings import build_settings

    settings = build_settings({"out": args.out, "offline": args.offline, "index_url": args.index,
                               "upstream": args.upstream, "base": args.base, "api_url": args.api_url})
    answers = gather_answers(args)
    problems = answer_problems(answers)
    if problems:
        raise InvalidInput(problems, hint="fix these answers and run again; nothing was written")

    answers = with_defaults(answers)
    missing = [line for line in missing_answers(answers, sizes_looked_up=not settings.offline)
               if not line.startswith(BY_KEY["external_port"].flag)]
    if missing:
        raise MissingAnswers(missing, hint="give them as flags or keys of a --from file (see assets/examples/)")
    index = load_upstream_index(args.index or settings.index_url, offline=settings.offline, report=_report)
    problems = upstream_problems(answers, index)
    if problems:
        raise InvalidInput(problems, hint="nothing was written")
    if "external_port" not in answers and "id" in answers:
        answers["external_port"] = free_external_port(index or RegistryIndex((), "none"), seed=str(answers["id"]))
        if index is None:
            _report(f"warning: picked external port {answers['external_port']} without the upstream index; "
                    "it may clash with a service added meanwhile")

    manifest_from_answers({"gpu_size": 1, "cpu_size": 1, **answers})  # every rule but missing sizes, before lookups
    look_up_missing_sizes(answers, settings, args.platform)
    manifest = manifest_from_answers(answers)
    files = render_service(manifest)
    target = Path(settings.out) / manifest.folder_name
    if args.dry_run:
        if args.json:
            print(json.dumps({"folder": str(target), "files": list(files), "manifest": registry_dict(manifest),
                              "written": False}, indent=2, ensure_ascii=False))
            return 0
        for name, content in files.items():
            print(f"==> {target / name} ({len(content)} bytes)")
            print(content.decode("utf-8") if not name.endswith(".svg") or len(content) < 4096 else "(svg)")
        _report("dry run: nothing was written")
        if args.publish:
            from wizard.errors import WizardError

            raise WizardError("--publish needs the folder on disk", hint="run without --dry-run, or use "
                              "`prem-new-service publish FOLDER --dry-run` on a written folder")
        return 0
    write_service_folder(target, files, force=args.force)
    if args.json:
        print(json.dumps({"folder": str(target), "files": list(files), "manifest": registry_dict(manifest),
                          "written": True}, indent=2, ensure_ascii=False))
    else:
        print(target)
        _report(f"wrote {target}: {', '.join(files)}. Next: edit the README's TODO lines, then "
                f"`prem-new-service validate {target}`")
    if args.publish:
        from wizard.cli.publish import publish_and_report

        try:
            return publish_and_report([target], settings, draft=args.draft)
        except WizardError as error:
            error.hint = f"{error.hint + '; ' if error.hint else ''}the folder {target} is written: after fixing " \
                         f"this, run `prem-new-service publish {target}`"
            raise
    return 0
