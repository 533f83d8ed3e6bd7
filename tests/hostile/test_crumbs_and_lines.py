"""What a killed run leaves is cleaned or given back, and the last line of an interrupted run tells the truth."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from tests.publish.conftest import make_service
from wizard.cli import main
from wizard.draft import Draft, save_draft
from wizard.service.folder import write_service_folder


def test_a_killed_draft_save_leaves_no_crumb_after_the_next_save(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    old_pid = int(dead.stdout)
    for crumb in (f".draft.{old_pid}.abc123.tmp", ".draft.k2j3.tmp"):  # ours of a dead process, and the old form
        (tmp_path / crumb).write_text("{")
        os.utime(tmp_path / crumb, (time.time() - 3600, time.time() - 3600))
    running = tmp_path / f".draft.{os.getppid()}.live.tmp"  # a save that is running now, in another process
    running.write_text("{")
    save_draft(Draft(answers={"name": "x"}), tmp_path / "draft.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["draft.json", running.name])


def test_a_folder_a_killed_force_write_set_aside_is_put_back(tmp_path):
    folder = make_service(tmp_path, "crumb-test")
    (folder / "NOTES.txt").write_text("mine")
    folder.rename(tmp_path / f".{folder.name}.replaced")  # killed between its two renames
    from wizard.errors import FolderExists

    try:
        write_service_folder(folder, {"manifest.json": b"{}"})
    except FolderExists as error:
        assert "put back" in str(error)
    assert (folder / "NOTES.txt").read_text() == "mine"
    assert not (tmp_path / f".{folder.name}.replaced").exists()


def test_a_privileged_external_port_is_warned_about(tmp_path, capsys):
    code = main(["new", "--name", "Low Port", "--description", "A model on a low port; it answers in plain English.",
                 "--interface", "chat", "--gpu-image", "ghcr.io/example/low:1.0", "--gpu-size", "1000000",
                 "--memory", "8 GiB", "--external-port", "22", "--offline", "--out", str(tmp_path)])
    assert code == 0
    assert "defaultExternalPort 22 is a privileged port" in capsys.readouterr().err


def test_sigint_after_the_folder_is_written_says_so_and_exits_130(tmp_path):
    """Before: "interrupted; nothing was written", with the folder on disk."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts, never answers: GitHub stuck on the first call
    index = tmp_path / "index.json"
    index.write_text('[{"id": "other"}]')
    env = {**os.environ, "GH_TOKEN": "ghp_sigintTEST000000000000000000000000"}
    process = subprocess.Popen(
        [sys.executable, "-m", "wizard", "new", "--name", "Sig Int", "--description", "A model that is interrupted; it "
         "answers in plain English.", "--interface", "chat", "--gpu-image", "ghcr.io/example/sig:1.0", "--gpu-size",
         "1000000", "--memory", "8 GiB", "--index", str(index), "--out", str(tmp_path / "out"), "--publish",
         "--allow-todo", "--api-url", f"http://127.0.0.1:{listener.getsockname()[1]}"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (tmp_path / "out" / "chat-sig-int").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    listener.close()
    assert process.returncode == 130, err
    assert "nothing was written" not in err
    assert f"interrupted after it made: the folder {tmp_path / 'out' / 'chat-sig-int'}" in err
    assert "Next: prem-new-service publish" in err and "Traceback" not in err
