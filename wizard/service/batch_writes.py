"""Writing a batch of service folders all or none, even when the process is killed (SIGKILL, power loss).

Each folder is written atomically (``write_service_folder``), but a batch of 150 is many steps. A journal,
``OUT/.prem-batch-journal.json``, makes them one: it is written before anything changes and names every
target and where each folder it replaces is set aside. Its ``state`` turns from ``writing`` to ``written``
(an atomic rename) once the last folder is in place: that is the commit point.

The next batch into the same folder reads a journal left behind and finishes what it says:

- ``writing``: roll back. The folders that run wrote are removed, the set-aside ones put back;
- ``written``: finish. Only the set-aside copies are left to remove.

and it says which it did. A journal whose process still runs means a batch is writing now: it is left alone.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from wizard import ledger
from wizard.atomic import sweep_crumbs, sync_folder, write_atomically
from wizard.errors import ScaffoldError
from wizard.processes import process_running
from wizard.service.folder import write_service_folder

JOURNAL = ".prem-batch-journal.json"
ASIDE = ".batch-replaced"


@dataclass(frozen=True)
class Target:
    path: Path
    files: Mapping[str, bytes]


def _aside(target: Path) -> Path:
    return target.with_name(f".{target.name}{ASIDE}")


def _write_journal(path: Path, journal: dict) -> None:
    write_atomically(path, json.dumps(journal, indent=2), prefix=path.name.lstrip("."), durable=True)


def _alive(pid: object) -> bool:
    """Another process still writing: this one's own pid is a run of this process that was cut short."""
    return pid != os.getpid() and process_running(pid)


def _inside(out: Path, name: object) -> Path | None:
    """A journal's folder name as a path in ``out``; None for anything else (a journal is outside input too)."""
    if not isinstance(name, str) or not name or "/" in name or name in (".", "..") or "\x00" in name:
        return None
    return out / name


def recover(out: Path, *, say: Callable[[str], None]) -> None:
    """Finish or roll back a batch a killed run left in ``out``; say which. Nothing to do without a journal."""
    path = Path(out) / JOURNAL
    sweep_crumbs(Path(out), JOURNAL.lstrip("."))  # a journal a kill stopped halfway through writing
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _report_strays(Path(out), say)
        return
    except (OSError, ValueError, RecursionError):
        raise ScaffoldError(f"{path} is left from an interrupted batch but cannot be read",
                            hint="look at the folders in it and at the hidden .NAME.batch-replaced ones (your "
                            "earlier folders), put back what you need, then remove the journal") from None
    if not isinstance(journal, dict) or not isinstance(journal.get("targets"), list):
        raise ScaffoldError(f"{path} is not a batch journal", hint="remove it, then run the same command again")
    if _alive(journal.get("pid")):
        raise ScaffoldError(f"another batch (process {journal['pid']}) is writing into {out} now",
                            hint="wait for it to finish, or use another --out")
    targets = [t for t in (_inside(Path(out), n) for n in journal["targets"]) if t is not None]
    replaced = [t for t in (_inside(Path(out), n) for n in journal.get("replaced") or []) if t is not None]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(journal.get("started", 0) or 0))
    if journal.get("state") == "written":
        for target in replaced:
            shutil.rmtree(_aside(target), ignore_errors=True)
        path.unlink()
        say(f"an interrupted batch of {len(targets)} folder(s) from {when} had written them all; finished it "
            f"(removed {len(replaced)} set-aside earlier cop{'y' if len(replaced) == 1 else 'ies'})")
        return
    _undo(targets, replaced)
    sync_folder(Path(out))
    path.unlink()
    back = f"; put back the {len(replaced)} folder(s) it was replacing" if replaced else ""
    say(f"an interrupted batch of {len(targets)} folder(s) from {when} had not finished; rolled it back: none "
        f"of its folders are left{back}")


def _undo(targets: Sequence[Path], replaced: Sequence[Path]) -> None:
    for target in targets:
        for partial in target.parent.glob(f".{target.name}.*.partial"):
            shutil.rmtree(partial, ignore_errors=True)
        if _aside(target).exists() or target not in replaced:
            shutil.rmtree(target, ignore_errors=True)
    for target in replaced:
        if _aside(target).exists() and not target.exists():
            _aside(target).rename(target)


def _report_strays(out: Path, say: Callable[[str], None]) -> None:
    """Set-aside copies with no journal (left by a version without one): the user's folders, never removed."""
    try:
        strays = sorted(p.name for p in out.glob(f".*{ASIDE}") if p.is_dir())
    except OSError:
        return
    for name in strays:
        original = name.removeprefix(".").removesuffix(ASIDE)
        say(f"warning: {out / name} is an earlier copy of {original} that an interrupted batch set aside; "
            f"to have it back, run: mv {out / name} {out / original}")


def write_batch(out: Path, targets: Sequence[Target], *, force: bool) -> None:
    """Every target written, or (on any failure, Ctrl+C included, and after a kill by the next run) none."""
    from wizard.publish.batch import refuse_existing

    out = Path(out)
    if not force:
        refuse_existing([t.path for t in targets])
    existing = [t.path for t in targets if t.path.exists()]
    if stale := [_aside(t.path) for t in targets if _aside(t.path).exists()]:
        raise ScaffoldError(f"{stale[0]} is an earlier copy of {stale[0].name.removeprefix('.').removesuffix(ASIDE)} "
                            "that an interrupted batch set aside; it would be lost",
                            hint=f"move it back or away first (mv {stale[0]} …); nothing was written")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ScaffoldError(f"cannot write into {out}: {error.strerror}", hint="check the folder") from None
    journal_path = out / JOURNAL
    journal = {"version": 1, "pid": os.getpid(), "started": time.time(), "state": "writing",
               "targets": [t.path.name for t in targets], "replaced": [p.name for p in existing]}
    try:
        _write_journal(journal_path, journal)
    except OSError as error:
        raise ScaffoldError(f"cannot write into {out}: {error.strerror}", hint="check the folder") from None
    try:
        for target in existing:
            shutil.rmtree(_aside(target), ignore_errors=True)
            target.rename(_aside(target))
        for target in targets:
            write_service_folder(target.path, target.files)
        sync_folder(out)
        _write_journal(journal_path, {**journal, "state": "written"})  # the commit point
    except BaseException:
        _undo([t.path for t in targets], existing)
        journal_path.unlink(missing_ok=True)
        raise
    ledger.made(f"{len(targets)} service folder(s) in {out}", f"prem-new-service validate {out}")
    for target in existing:
        shutil.rmtree(_aside(target), ignore_errors=True)
    journal_path.unlink(missing_ok=True)
