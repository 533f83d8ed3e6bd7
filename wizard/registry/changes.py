"""`validate --changed-from REF` and `--baseline PATH`: judge only the service folders a change touches.

The changed folders come from git (``git diff --name-status -z -M REF``: the working tree against REF, staged or
not) or, with a baseline folder and no REF, from comparing the files. Each changed folder is checked as
``validate`` checks any folder, and so is the same folder in the baseline (the checkout at REF, unpacked with
``git archive`` into a temporary folder, or the baseline path). An error the baseline already had is an
"already upstream" warning (``baseline.judge``): a contributor who edits one field of a real service is not
asked to fix the whole folder first. Nothing here touches the network.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from wizard.errors import WizardError
from wizard.registry.baseline import judge
from wizard.registry.checks import validate_paths
from wizard.registry.finding import Finding
from wizard.registry.layout import SKIPPED_DIRS, generator_interface


class ChangesUnavailable(WizardError):
    """The changes cannot be worked out: not a git checkout, an unknown ref, git missing, no baseline."""

    exit_code = 2


@dataclass
class Changes:
    folders: list[str]  # the top-level folders to judge, as named in the working tree
    renamed: dict[str, str] = field(default_factory=dict)  # working-tree name -> name in the baseline
    untracked: list[str] = field(default_factory=list)  # folders git does not know yet: not judged


def _git(checkout: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(checkout), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise ChangesUnavailable("--changed-from needs git, and git is not installed",
                                 hint="install git, or compare with a copy: --baseline PATH") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ChangesUnavailable(f"git {args[0]} failed in {checkout}: {reason[-1] if reason else 'no reason given'}")
    return done.stdout


def _top(path: str) -> str | None:
    """The top-level folder of a path git lists, or None for a file at the top (README.md, manifests.json)."""
    parts = PurePosixPath(path).parts
    return parts[0] if len(parts) > 1 else None


def changed_in_git(checkout: Path, ref: str) -> Changes:
    """The top-level folders that differ between ``ref`` and the working tree of the checkout at ``checkout``
    (its top or a folder inside it: paths are taken relative to it)."""
    if _git(checkout, "rev-parse", "--is-inside-work-tree").strip() != b"true":
        raise ChangesUnavailable(f"{checkout} is not a git checkout; --changed-from compares with a git ref")
    try:
        _git(checkout, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except ChangesUnavailable:
        raise ChangesUnavailable(f"the ref {ref!r} is not in the checkout at {checkout}",
                                 hint=f"fetch it first (git fetch origin {ref.removeprefix('origin/')}); in GitHub "
                                 "Actions, check out with fetch-depth: 0") from None
    fields = _git(checkout, "diff", "--name-status", "-z", "-M", "--relative", ref, "--").decode("utf-8", "replace")
    tokens = fields.split("\0")
    folders: dict[str, None] = {}
    renamed: dict[str, str] = {}
    index = 0
    while index < len(tokens) - 1:
        status = tokens[index]
        paths = tokens[index + 1:index + (3 if status[:1] in "RC" else 2)]
        index += 1 + len(paths)
        new = _top(paths[-1])
        if new is not None and (checkout / new).is_dir():
            folders[new] = None
            old = _top(paths[0])
            if status.startswith("R") and old is not None and old != new:
                renamed[new] = old
    others = _git(checkout, "ls-files", "--others", "--exclude-standard", "-z").decode("utf-8", "replace")
    untracked = sorted({top for path in others.split("\0") if (top := _top(path)) and top not in folders})
    return Changes(sorted(folders), renamed, untracked)


def _files(folder: Path) -> dict[str, bytes]:
    """A folder's regular files, no link followed (what it holds besides is `validate`'s to refuse)."""
    from wizard.registry.plain_files import folder_content

    content = folder_content(folder)
    return {**content.files, **{name: why.encode() for name, why in content.refused.items()}}


def changed_from_copy(root: Path, baseline: Path) -> Changes:
    """The top-level folders of ``root`` whose files differ from the folder of the same name in ``baseline``."""
    folders = []
    for child in sorted(root.iterdir()):
        if not child.is_dir() or child.name in SKIPPED_DIRS or child.name.startswith(".") \
                and generator_interface(child.name) is None:
            continue
        before = baseline / child.name
        if not before.is_dir() or _files(child) != _files(before):
            folders.append(child.name)
    return Changes(folders)


def _unpack(checkout: Path, ref: str, into: Path, folders: Sequence[str]) -> Path:
    """The checkout at ``ref`` (as far as validate needs it: the changed folders, and every manifest for the
    checks across folders), unpacked into ``into``; only plain files and folders, never a path outside it."""
    prefix = _git(checkout, "rev-parse", "--show-prefix").decode("utf-8").strip()
    tree = f"{ref}:{prefix}" if prefix else ref
    archive = _git(checkout, "archive", "--format=tar", tree)
    wanted = set(folders)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or len(parts) < 2 or ".." in parts or PurePosixPath(member.name).is_absolute():
                continue
            if parts[0] in wanted or parts[1:] == ("manifest.json",):
                target = into.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                target.write_bytes(source.read() if source else b"")
    return into


def validate_changes(path: Path, *, ref: str | None = None, baseline: Path | None = None
                     ) -> tuple[list[Finding], Changes]:
    """The findings of the folders changed in the checkout at ``path`` since ``ref`` (or unlike ``baseline``),
    judged against the same folders in the baseline (``baseline`` if given, else the checkout at ``ref``)."""
    if not path.is_dir():
        raise ChangesUnavailable(f"{path} is not a folder; name the registry checkout, e.g. '.'")
    if baseline is not None and not baseline.is_dir():
        raise ChangesUnavailable(f"the baseline {baseline} is not a folder; name a registry checkout or copy")
    if ref is not None:
        changes = changed_in_git(path, ref)
    elif baseline is not None:
        changes = changed_from_copy(path, baseline)
    else:
        raise ChangesUnavailable("name what to compare with: --changed-from REF or --baseline PATH")
    if not changes.folders:
        return [], changes
    findings = validate_paths([path], changed=changes.folders)
    before_names = [changes.renamed.get(name, name) for name in changes.folders]
    with tempfile.TemporaryDirectory(prefix="prem-baseline-") as temporary:
        root = baseline if baseline is not None else _unpack(path, ref or "HEAD", Path(temporary), before_names)
        before = validate_paths([root], changed=before_names)
        return judge(findings, before, root=str(path), baseline_root=str(root), renamed=changes.renamed), changes
