"""`batch` killed with SIGKILL at random points while it writes, then the next run: all the folders or none,
the user's earlier folders back in place, no hidden leftovers, and the next run saying what it found."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.conftest import INDEX, service, write_spec
from wizard.cli import main
from wizard.service.batch_writes import JOURNAL, recover

COUNT = 40
DEFAULTS = {"interfaces": ["chat"], "memory": "8 GiB"}
MARK = "written by the user before the batch\n"


def command(spec: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "wizard", "batch", str(spec), "--out", str(out), "--index", str(INDEX),
            "--offline", *extra]


def killed_run(spec: Path, out: Path, delay: float, *extra: str) -> None:
    """The batch, killed ``delay`` seconds after its journal appears (or as it ends, if it ends first)."""
    process = subprocess.Popen(command(spec, out, *extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out / JOURNAL
    while process.poll() is None and not journal.exists():
        time.sleep(0.002)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()


def names(out: Path) -> set[str]:
    return {p.name for p in out.iterdir()} if out.exists() else set()


@pytest.fixture
def spec(tmp_path):
    return write_spec(tmp_path / "spec.toml", [service(n) for n in range(1, COUNT + 1)], **DEFAULTS)


def targets() -> set[str]:
    return {f"chat-batch-model-{n:03d}" for n in range(1, COUNT + 1)}


def earlier_folders(tmp_path: Path, out: Path, numbers: range) -> set[str]:
    """Some of the targets written before, each holding a file of the user's own."""
    first = write_spec(tmp_path / "first.toml", [service(n) for n in numbers], **DEFAULTS)
    assert subprocess.run(command(first, out), capture_output=True, check=False).returncode == 0
    made = set()
    for n in numbers:
        folder = out / f"chat-batch-model-{n:03d}"
        (folder / "NOTES.txt").write_text(MARK)
        made.add(folder.name)
    return made


@pytest.mark.parametrize("seed", range(6))
def test_a_killed_batch_is_rolled_back_or_finished_by_the_next_run(tmp_path, spec, seed):
    out = tmp_path / "out"
    killed_run(spec, out, random.Random(seed).uniform(0, 0.3))
    said: list[str] = []
    recover(out, say=said.append)
    left = names(out)
    assert left in (set(), targets()), sorted(left)[:5]  # all or none, and nothing hidden
    if said:
        assert ("rolled it back" in said[0]) == (left == set())
    for name in left:
        assert {p.name for p in (out / name).iterdir()} == {"manifest.json", "README.md", "logo.svg"}


@pytest.mark.parametrize("seed", range(6))
def test_a_killed_force_batch_gives_back_the_folders_it_was_replacing(tmp_path, spec, seed):
    out = tmp_path / "out"
    earlier = earlier_folders(tmp_path, out, range(1, 11))
    killed_run(spec, out, random.Random(100 + seed).uniform(0, 0.3), "--force")
    recover(out, say=lambda line: None)
    left = names(out)
    assert left in (earlier, targets()), sorted(left - earlier - targets())[:5]
    kept = {name for name in earlier if (out / name / "NOTES.txt").exists()}
    assert kept == (earlier if left == earlier else set())  # rolled back: the user's own; finished: the new ones


def test_the_next_run_says_what_it_did_and_then_writes(tmp_path, spec, capsys):
    out = tmp_path / "out"
    earlier = earlier_folders(tmp_path, out, range(1, 4))
    # as a kill in the middle leaves it: the earlier folders set aside, one new folder written, one half-staged
    for name in earlier:
        os.rename(out / name, out / f".{name}.batch-replaced")
    (out / "chat-batch-model-004").mkdir()
    (out / "chat-batch-model-004" / "manifest.json").write_text("{}")
    (out / ".chat-batch-model-005.x1y2.partial").mkdir()
    import json

    (out / JOURNAL).write_text(json.dumps({"version": 1, "pid": 2**22 + 7, "started": 0, "state": "writing",
                                           "targets": sorted(targets()), "replaced": sorted(earlier)}))
    assert main(["batch", str(spec), "--out", str(out), "--index", str(INDEX), "--offline"]) == 1
    err = capsys.readouterr().err
    assert "had not finished; rolled it back" in err and "put back the 3 folder(s)" in err
    assert "exist" in err  # then, as before any batch: the earlier folders are there, --force is needed
    assert names(out) == earlier
    assert all((out / name / "NOTES.txt").read_text() == MARK for name in earlier)


def test_a_journal_of_a_batch_still_running_is_left_alone(tmp_path, spec, capsys):
    import json

    out = tmp_path / "out"
    out.mkdir()
    (out / JOURNAL).write_text(json.dumps({"version": 1, "pid": os.getppid(), "started": 0, "state": "writing",
                                           "targets": ["chat-batch-model-001"], "replaced": []}))
    assert main(["batch", str(spec), "--out", str(out), "--index", str(INDEX), "--offline"]) == 1
    assert "is writing into" in capsys.readouterr().err
    assert names(out) == {JOURNAL}


@pytest.mark.parametrize("journal", ["not json", "[1, 2]", '{"targets": ["../../etc"], "state": "writing"}'])
def test_a_broken_or_hostile_journal_touches_nothing_outside(tmp_path, spec, journal, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "etc").mkdir()
    (out / JOURNAL).write_text(journal)
    code = main(["batch", str(spec), "--out", str(out), "--index", str(INDEX), "--offline"])
    err = capsys.readouterr().err
    assert code in (0, 1) and "Traceback" not in err
    assert (tmp_path / "etc").is_dir()
