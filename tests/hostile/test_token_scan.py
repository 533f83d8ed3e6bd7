"""A distinctive token through every hostile scenario of this suite: it must appear 0 times in stdout, stderr, the
log, any file under HOME, the user dirs and the temp dir, as it is and in base64."""

from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
from pathlib import Path

import pytest

from tests.batch.conftest import INDEX, service, write_spec
from tests.publish.conftest import make_service
from tests.servers.fault_proxy import FaultProxy
from tests.servers.github_emulator import CONTRIBUTOR
from wizard.cli import main

TOKEN = "ghp_SCANtoken0123456789abcdefSCAN42"


def forms(token: str) -> list[str]:
    """The token, and what it looks like inside any base64 text (three alignments, edges dropped)."""
    found = [token]
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + token.encode()).decode()
        found.append(encoded[4 if pad else 0: -4])
    return found


@pytest.fixture
def world(github_emulator, tmp_path, monkeypatch, isolated_user_dirs):
    github_emulator.add_user(CONTRIBUTOR, token=TOKEN)
    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("GH_TOKEN", TOKEN)
    proxy = FaultProxy(github_emulator.url.removeprefix("http://")).start()
    yield {"emulator": github_emulator, "proxy": proxy, "scan": [home, temp, isolated_user_dirs, tmp_path / "work"]}
    proxy.stop()


def _scenarios(world, work: Path, secret_file: Path):
    proxy = world["proxy"]
    api = ["--api-url", f"http://{proxy.host}", "--upstream", "premAI-io/prem-registry"]

    def folder(name):
        return str(make_service(work / name, name))

    yield "publish", ["publish", folder("scan-ok"), *api]
    yield "publish --json", ["publish", folder("scan-json"), "--json", "--draft", *api]
    proxy.answer("/user", headers={"Content-Type": "text/html"}, body=b"<html>portal</html>", method="GET")
    yield "publish, /user an HTML page", ["publish", folder("scan-html"), *api]
    proxy.answer("/forks", status=202, headers={"Content-Type": "application/json"}, body=b"[]", method="POST")
    yield "publish, a fork that is a list", ["publish", folder("scan-fork"), *api]
    proxy.stall("/git/trees", method="POST")
    yield "publish, a stalled upload", ["publish", folder("scan-stall"), *api]
    proxy.answer("/user", status=401, headers={"Content-Type": "application/json"},
                 body=json.dumps({"message": f"Bad credentials {TOKEN}"}).encode(), method="GET")
    yield "publish, 401 echoing the token", ["publish", folder("scan-401"), *api]
    yield "token in --api-url", ["publish", folder("scan-url"), "--api-url",
                                 f"http://x-access-token:{TOKEN}@{proxy.host}", "--upstream", "premAI-io/prem-registry"]
    spec = write_spec(work / "spec.toml", [service(n) for n in (1, 2)], interfaces=["chat"], memory="8 GiB")
    yield "batch --publish", ["batch", str(spec), "--out", str(work / "batch"), "--index", str(INDEX), "--publish",
                              "--allow-todo", *api]
    yield "new --publish", ["new", "--name", "Scan New", "--description", "A model to scan for tokens; it answers "
                            "in English.", "--interface", "chat", "--gpu-image", "ghcr.io/example/scan:1.0",
                            "--gpu-size", "1000000", "--memory", "8 GiB", "--out", str(work / "new"), "--index",
                            str(INDEX), "--publish", "--allow-todo", *api]
    linked = Path(folder("scan-link"))
    (linked / "env.txt").symlink_to(secret_file)
    yield "validate, a link to the environment", ["validate", str(linked)]
    yield "publish, a link to the environment", ["publish", str(linked), *api]
    config = Path(os.environ["PREM_NEW_SERVICE_CONFIG_DIR"]) / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'api_url = "https://{TOKEN}@github.example.com/api/v3"\n')
    yield "config, a token in api_url", ["config"]
    config.unlink()
    yield "publish --dry-run", ["publish", folder("scan-dry"), "--dry-run", *api]


def test_the_token_never_appears(world, tmp_path, tmp_path_factory, capsys, caplog, monkeypatch):
    from wizard.github import client

    monkeypatch.setattr(client, "REQUEST_DEADLINE", 2.0)
    caplog.set_level(logging.DEBUG)
    secret_file = tmp_path_factory.mktemp("outside") / "environ"
    secret_file.write_text(f"GH_TOKEN={TOKEN}\n")
    work = tmp_path / "work"
    work.mkdir()
    codes = {}
    for name, argv in _scenarios(world, work, secret_file):
        codes[name] = main(argv)
        out, err = capsys.readouterr()
        for form in forms(TOKEN):
            assert form not in out and form not in err, (name, form)
    assert codes["publish"] == 0 and codes["batch --publish"] == 0 and codes["new --publish"] == 0, codes
    assert all(code in (1, 2) for name, code in codes.items() if "," in name or "--api-url" in name), codes
    for form in forms(TOKEN):
        assert form not in caplog.text
    scanned = 0
    for root in world["scan"]:
        for path in Path(root).rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                scanned += 1
                for form in forms(TOKEN):
                    assert form.encode() not in data, (path, form)
    assert scanned > 20  # the folders written, the drafts and caches: the scan read real output
    # the emulator received the token (it is how GitHub is asked), so the scan would have seen it had it leaked
    assert any(call.headers.get("authorization") == f"Bearer {TOKEN}" for call in world["emulator"].api_calls())
