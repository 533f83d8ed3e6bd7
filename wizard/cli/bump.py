"""prem-new-service bump FOLDER --gpu-image REF --cpu-image REF: new images for an existing service folder.

Like Homebrew's bump-formula-pr: the image references of the devices given are replaced, their sizes looked
up (or given with --gpu-size/--cpu-size; --offline needs them), and manifest.json is written back over its own
text: only the lines of the image and size change, its indent and last line ending stay. The README's image
table rows follow, if it has them; nothing else in it changes. A diff-like account of old -> new (image, size)
goes to stdout. A bump that would add an error the folder did not have is refused before anything is written;
what the folder already had (a logo off square, an empty description) is said and stops nothing.

``--publish`` then opens the pull request from the branch ``bump-{folder}-{tag}``, titled by what changed
(``Bump Bark: gpu image 1.0.1 → 1.0.2, size 4.8 GiB → 5.1 GiB``); it carries only the files the bump changed,
so nothing the upstream changed meanwhile is undone. ``--dry-run`` writes nothing (with ``--publish`` it prints
the calls it would send).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BUMPED = ("gpu_image", "cpu_image", "gpu_size", "cpu_size")  # the only fields a bump changes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.cli.common import (
        add_field_arguments,
        add_options,
        add_upstream_arguments,
    )
    from wizard.service.fields import BY_KEY

    parser.add_argument("folder", metavar="FOLDER", help="the service folder, e.g. ./chat-dolly-v2-12b")
    images = parser.add_argument_group("the new images (give at least one)")
    add_field_arguments(images, [BY_KEY[key] for key in BUMPED])
    images.add_argument("--add-device", action="store_true", help="allow adding a device the service has no image for")
    add_options(images, "offline", "platform", "size_kind", "exact", offline="look nothing up: every size given")
    add_options(parser, "dry_run", dry_run="print the changes; write nothing")
    pull = parser.add_argument_group("pull request")
    add_options(pull, "publish", "draft", "force", "allow_todo", publish="after writing, open the pull request",
                force="replace a branch of the same name holding someone else's commits")
    add_upstream_arguments(pull)


def read_folder_manifest(folder: Path) -> dict:
    """The manifest as written (lenient: rules it breaks are not bump's business; a non-manifest is)."""
    from wizard.errors import InvalidInput
    from wizard.publish.folders import folder_manifest
    from wizard.service.manifest import read_manifest

    path = folder / "manifest.json"
    data = folder_manifest(folder)
    try:
        read_manifest(data)
    except InvalidInput as error:
        raise InvalidInput([f"{path}: {problem}" for problem in error.problems],
                           hint="fix the manifest's structure first; nothing was changed") from None
    return data


def _problems(args: argparse.Namespace, data: dict, answers: dict, offline: bool) -> list[str]:
    """What stops the bump: each answer checked on its field's rule, and the sizes that go with the images."""
    from wizard.publish.bump import bump_problems
    from wizard.service.answers import answer_problems
    from wizard.service.fields import BY_KEY
    from wizard.service.rules import DEVICES

    devices = [device for device in DEVICES if f"{device}_image" in answers]
    if not devices:
        return [f"give {BY_KEY['gpu_image'].flag} REF and/or {BY_KEY['cpu_image'].flag} REF"]
    problems = answer_problems(answers) + bump_problems(data, devices, add_device=args.add_device)
    for device in DEVICES:
        image, size = BY_KEY[f"{device}_image"], BY_KEY[f"{device}_size"]
        if size.key in answers and image.key not in answers:
            problems.append(f"{size.flag}: goes with {image.flag}")
        if offline and image.key in answers and size.key not in answers:
            problems.append(f"{size.flag}: missing; offline, sizes are not looked up")
    return problems


def _publish(folder: Path, files: dict[str, bytes], before: dict[str, bytes], settings, args, *, branch: str) -> int:
    from wizard.cli.common import publish_and_report
    from wizard.service.folder import replace_files

    options = {"draft": args.draft, "force": args.force, "branch": branch, "allow_todo": args.allow_todo,
               "before": {folder.name: before}}
    if not args.dry_run:
        return publish_and_report([folder], settings, **options)
    import shutil
    import tempfile

    from wizard.errors import InvalidInput

    with tempfile.TemporaryDirectory(prefix="prem-bump-dry-run-") as scratch:
        copy = Path(scratch) / folder.resolve().name
        shutil.copytree(folder, copy)
        replace_files(copy, files)
        try:
            return publish_and_report([copy], settings, dry_run=True, **options)
        except InvalidInput as error:  # name the folder, not its bumped copy
            raise InvalidInput([p.replace(str(copy), str(folder)) for p in error.problems], hint=error.hint) from None


def bumped_files(folder: Path, data: dict, images: dict) -> tuple[dict[str, bytes], list, int | None]:
    """The new manifest.json (and README.md, when its image rows change), the changes, and how many README rows
    changed (None: no README)."""
    from wizard.publish.bump import bumped_manifest, bumped_readme
    from wizard.registry.plain_files import read_service_file
    from wizard.service.json_text import edited_json_bytes

    bumped, changes = bumped_manifest(data, images)
    # written over its own text: the diff of a bump shows the image and size lines, nothing else
    files = {"manifest.json": edited_json_bytes(read_service_file(folder / "manifest.json") or b"", bumped)}
    readme = read_service_file(folder / "README.md")
    if readme is None:
        return files, changes, None
    try:
        readme_text, rows = bumped_readme(readme.decode("utf-8"), changes)
    except UnicodeDecodeError:
        return files, changes, 0
    if rows:
        files["README.md"] = readme_text.encode("utf-8")
    return files, changes, rows


def refuse_new_errors(folder: Path, before: dict[str, bytes], files: dict[str, bytes]) -> None:
    """Errors the bumped folder would have that it did not have before stop the bump, nothing written; the
    ones it already had are said on stderr and stop nothing."""
    from wizard.errors import InvalidInput
    from wizard.publish.folders import folder_findings
    from wizard.registry.baseline import judge
    from wizard.registry.checks import CHECKS

    checked = {name: {**before, **files}.get(name) for name in CHECKS}
    found = judge(folder_findings(folder.name, checked), folder_findings(folder.name, {n: before.get(n) for n in CHECKS}),
                  root="", baseline_root="")
    errors = [f"{folder.parent / f.path}: {f.message}" for f in found if f.severity == "error"]
    if errors:
        raise InvalidInput(errors, hint=f"nothing in {folder} was changed")


def run(args: argparse.Namespace) -> int:
    from wizard.cli.common import field_answers, look_up_sizes
    from wizard.errors import InvalidInput, WizardError
    from wizard.publish.bump import change_summary, version_label
    from wizard.publish.folders import folder_files
    from wizard.service.fields import BY_KEY
    from wizard.service.folder import replace_files
    from wizard.service.rules import DEVICES
    from wizard.settings import build_settings

    settings = build_settings({"offline": args.offline, "upstream": args.upstream, "base": args.base,
                               "api_url": args.api_url, "size_kind": args.size_kind})
    folder = Path(args.folder)
    data = read_folder_manifest(folder)
    answers = field_answers(args)
    problems = _problems(args, data, answers, settings.offline)
    if problems:
        raise InvalidInput(problems, hint=f"nothing in {folder} was changed")
    devices = [device for device in DEVICES if f"{device}_image" in answers]
    sizes = look_up_sizes({d: str(answers[f"{d}_image"]) for d in devices if f"{d}_size" not in answers},
                          settings, args.platform, exact=args.exact)
    images = {d: (BY_KEY[f"{d}_image"].read(answers[f"{d}_image"]),
                  sizes[d] if d in sizes else BY_KEY[f"{d}_size"].read(answers[f"{d}_size"])) for d in devices}
    folder = folder.resolve()  # its name is the folder's name upstream, even for `bump .`
    before = folder_files(folder)
    files, changes, readme_rows = bumped_files(folder, data, images)
    files = {rel: content for rel, content in files.items() if before.get(rel) != content}
    name = folder.name
    refuse_new_errors(folder, before, files)
    print("\n".join(change_summary(name, changes, readme_rows)), flush=True)
    if args.dry_run:
        print("dry run: nothing was written", file=sys.stderr)
    elif not files:
        print(f"{folder} already has these images: nothing was written", file=sys.stderr)
    else:
        replace_files(folder, files)
        from wizard import ledger

        ledger.made(f"the new images in {folder}", f"prem-new-service publish {folder}")
        print(f"bumped {folder}: {', '.join(files)}", file=sys.stderr)
    if not args.publish:
        return 0
    tag = version_label(images["gpu"][0] if "gpu" in images else images["cpu"][0])
    try:
        return _publish(folder, files, before, settings, args, branch=f"bump-{name}-{tag}")
    except WizardError as error:
        if not args.dry_run:
            error.hint = f"{error.hint + '; ' if error.hint else ''}{folder} is bumped: after fixing this, run " \
                         f"`prem-new-service publish {folder} --branch bump-{name}-{tag}`"
        raise
