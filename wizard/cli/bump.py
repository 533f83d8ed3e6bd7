"""prem-new-service bump FOLDER --gpu-image REF --cpu-image REF: new images for an existing service folder.

Like Homebrew's bump-formula-pr: the image references of the devices given are replaced, their sizes looked
up (or given with --gpu-size/--cpu-size; --offline needs them), and manifest.json is written back with every
other key, value and key order as it was. The README's image table rows follow, if it has them; nothing else
in it changes. A diff-like account of old -> new (image, size) goes to stdout.

``--publish`` then opens the pull request from the branch ``bump-{folder}-{tag}``, titled
``Bump {name} to {tag}``. ``--dry-run`` writes nothing (with ``--publish`` it prints the calls it would send).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BUMPED = ("gpu_image", "cpu_image", "gpu_size", "cpu_size")  # the only fields a bump changes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.cli.common import add_field_arguments, add_options, add_upstream_arguments
    from wizard.service.fields import BY_KEY

    parser.add_argument("folder", metavar="FOLDER", help="the service folder, e.g. ./chat-dolly-v2-12b")
    images = parser.add_argument_group("the new images (give at least one)")
    add_field_arguments(images, [BY_KEY[key] for key in BUMPED])
    images.add_argument("--add-device", action="store_true", help="allow adding a device the service has no image for")
    add_options(images, "offline", "platform", offline="look nothing up: every size given")
    add_options(parser, "dry_run", dry_run="print the changes; write nothing")
    pull = parser.add_argument_group("pull request")
    add_options(pull, "publish", "draft", "force", publish="after writing, open the pull request",
                force="replace a branch of the same name holding someone else's commits")
    add_upstream_arguments(pull)


def read_folder_manifest(folder: Path) -> dict:
    """The manifest as written (lenient: rules it breaks are not bump's business; a non-manifest is)."""
    from wizard.errors import InvalidInput
    from wizard.service.manifest import read_json_file, read_manifest

    path = folder / "manifest.json"
    if not path.is_file():
        raise InvalidInput([f"{folder}: not a service folder (it holds no manifest.json)"],
                           hint="name a service folder, e.g. ./chat-dolly-v2-12b")
    data = read_json_file(path)
    if not isinstance(data, dict):
        raise InvalidInput([f"{path}: a manifest is a JSON object {{ ... }}, not a {type(data).__name__}"])
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


def _publish(folder: Path, files: dict[str, bytes], settings, args, *, branch: str, title: str) -> int:
    from wizard.cli.common import publish_and_report
    from wizard.service.folder import replace_files

    if not args.dry_run:
        return publish_and_report([folder], settings, draft=args.draft, force=args.force, branch=branch, title=title)
    import shutil
    import tempfile

    from wizard.errors import InvalidInput

    with tempfile.TemporaryDirectory(prefix="prem-bump-dry-run-") as scratch:
        copy = Path(scratch) / folder.resolve().name
        shutil.copytree(folder, copy)
        replace_files(copy, files)
        try:
            return publish_and_report([copy], settings, draft=args.draft, force=args.force, branch=branch,
                                      title=title, dry_run=True)
        except InvalidInput as error:  # name the folder, not its bumped copy
            raise InvalidInput([p.replace(str(copy), str(folder)) for p in error.problems], hint=error.hint) from None


def bumped_files(folder: Path, data: dict, images: dict) -> tuple[dict[str, bytes], list, int | None]:
    """The new manifest.json (and README.md, when its image rows change), the changes, and how many README rows
    changed (None: no README)."""
    from wizard.publish.bump import bumped_manifest, bumped_readme
    from wizard.service.manifest import registry_json

    bumped, changes = bumped_manifest(data, images)
    manifest_text = registry_json(bumped)
    if not (folder / "manifest.json").read_bytes().endswith(b"\n"):
        manifest_text = manifest_text.rstrip("\n")  # as it was: the diff of a bump shows the images only
    files = {"manifest.json": manifest_text.encode("utf-8")}
    readme = folder / "README.md"
    if not readme.is_file():
        return files, changes, None
    try:
        readme_text, rows = bumped_readme(readme.read_bytes().decode("utf-8"), changes)
    except UnicodeDecodeError:
        return files, changes, 0
    if rows:
        files["README.md"] = readme_text.encode("utf-8")
    return files, changes, rows


def run(args: argparse.Namespace) -> int:
    from wizard.cli.common import field_answers, look_up_sizes
    from wizard.errors import InvalidInput, WizardError
    from wizard.publish.bump import change_summary, version_label
    from wizard.service.fields import BY_KEY
    from wizard.service.folder import replace_files
    from wizard.service.rules import DEVICES
    from wizard.settings import build_settings

    settings = build_settings({"offline": args.offline, "upstream": args.upstream, "base": args.base,
                               "api_url": args.api_url})
    folder = Path(args.folder)
    data = read_folder_manifest(folder)
    answers = field_answers(args)
    problems = _problems(args, data, answers, settings.offline)
    if problems:
        raise InvalidInput(problems, hint=f"nothing in {folder} was changed")
    devices = [device for device in DEVICES if f"{device}_image" in answers]
    sizes = look_up_sizes({d: str(answers[f"{d}_image"]) for d in devices if f"{d}_size" not in answers},
                          settings, args.platform)
    images = {d: (BY_KEY[f"{d}_image"].read(answers[f"{d}_image"]),
                  sizes[d] if d in sizes else BY_KEY[f"{d}_size"].read(answers[f"{d}_size"])) for d in devices}
    files, changes, readme_rows = bumped_files(folder, data, images)
    name = folder.resolve().name
    print("\n".join(change_summary(name, changes, readme_rows)), flush=True)
    if args.dry_run:
        print("dry run: nothing was written", file=sys.stderr)
    else:
        replace_files(folder, files)
        print(f"bumped {folder}: {', '.join(files)}", file=sys.stderr)
    if not args.publish:
        return 0
    tag = version_label(images["gpu"][0] if "gpu" in images else images["cpu"][0])
    try:
        return _publish(folder, files, settings, args, branch=f"bump-{name}-{tag}",
                        title=f"Bump {data.get('name', name)} to {tag}")
    except WizardError as error:
        if not args.dry_run:
            error.hint = f"{error.hint + '; ' if error.hint else ''}{folder} is bumped: after fixing this, run " \
                         f"`prem-new-service publish {folder} --branch bump-{name}-{tag}`"
        raise
