"""prem-new-service try: a client that reads the index as the Prem Daemon does (GET, a JSON list, the first
service of each id kept) finds each folder with the daemon's keys, its README as documentation and an icon that
answers with the logo; upstream keeps its ids; a change to a file is served on the next GET."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.testing.conftest import SNAPSHOT
from wizard.cli import main
from wizard.registry.daemon import daemon_breaks
from wizard.testing.daemon_line import daemon_advice
from wizard.testing.local_index import read_local_service

INDEX = SNAPSHOT / "manifests.json"
RAW_DEV = "https://raw.githubusercontent.com/premAI-io/prem-registry/dev"


def daemon_services(url: str) -> list[dict]:
    """What add_services_from_registry keeps: requests.get(url).json(), the first service of each id."""
    answer = httpx.get(url, timeout=5)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    services: list[dict] = []
    for service in answer.json():
        if service["id"] not in [s["id"] for s in services]:
            services.append(service)
    return services


@pytest.mark.parametrize("folder", sorted(p.name for p in (SNAPSHOT / "examples").iterdir()))
def test_an_entry_is_what_the_registrys_generator_published_for_the_real_folder(folder):
    upstream = {entry["id"]: entry for entry in json.loads(INDEX.read_text(encoding="utf-8"))}
    entry = read_local_service(SNAPSHOT / "examples" / folder, RAW_DEV).entry
    assert entry == upstream[entry["id"]]
    assert list(entry) == list(upstream[entry["id"]])  # the keys in the same order


@pytest.fixture
def new_folder(tmp_path) -> Path:
    assert main(["new", "--name", "Try Llama", "--id", "try-llama", "--description", "A chat model to try out",
                 "--interface", "chat", "--gpu-image", "ghcr.io/example/try-llama:1.0", "--gpu-size", "4000000000",
                 "--memory", "8GiB", "--offline", "--index", str(INDEX), "--out", str(tmp_path)]) == 0
    return tmp_path / "chat-try-llama"


class Trying:
    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "wizard", "try", *args, "--port", "0", "--index",
                                         str(INDEX)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("PREM_REGISTRY_URL="):
                self.url = line.strip().split("=", 1)[1]
                return
        raise AssertionError(self.process.stderr.read())

    def stop(self) -> tuple[int, str, str]:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=10)  # its few lines fit in the pipes; read() keeps what iterating buffered
        out, err = self.process.stdout.read(), self.process.stderr.read()
        return self.process.returncode, "\n".join(self.lines) + "\n" + out, err


def test_the_daemon_finds_the_new_service_its_readme_and_its_logo_and_upstream_keeps_its_ids(new_folder, dolly):
    trying = Trying(str(new_folder), str(dolly))
    try:
        services = daemon_services(trying.url)
        upstream = json.loads(INDEX.read_text(encoding="utf-8"))
        assert len(services) == len(upstream) + 1
        mine = next(s for s in services if s["id"] == "try-llama")
        assert daemon_breaks(mine) == []
        assert mine["documentation"] == (new_folder / "README.md").read_text(encoding="utf-8")
        assert mine["banner"] is None
        logo = httpx.get(mine["icon"], timeout=5)
        assert logo.status_code == 200 and logo.content == (new_folder / "logo.svg").read_bytes()
        assert logo.headers["content-type"] == "image/svg+xml"
        assert next(s for s in services if s["id"] == "dolly-v2-12b") == next(
            e for e in upstream if e["id"] == "dolly-v2-12b")

        readme = new_folder / "README.md"
        readme.write_text(readme.read_text(encoding="utf-8") + "\nChanged while serving.\n", encoding="utf-8")
        for _ in range(100):
            mine = next(s for s in daemon_services(trying.url) if s["id"] == "try-llama")
            if mine["documentation"].endswith("Changed while serving.\n"):
                break
            time.sleep(0.1)
        assert mine["documentation"].endswith("Changed while serving.\n")
    finally:
        code, out, err = trying.stop()
    assert code == 0, err
    assert "docker run -d --rm --name premd -v /var/run/docker.sock:/var/run/docker.sock --network host -e " \
           f"PREM_REGISTRY_URL={trying.url} ghcr.io/premai-io/premd" in out
    assert "upstream has a service with id 'dolly-v2-12b'" in err
    assert "[try] reloaded (" in err and "README.md changed" in err
    assert "[try] stopped after" in err and "Traceback" not in err


def test_a_change_that_breaks_the_manifest_keeps_the_last_good_index(new_folder):
    trying = Trying(str(new_folder))
    try:
        manifest = new_folder / "manifest.json"
        manifest.write_text("{ broken", encoding="utf-8")
        time.sleep(2)  # four polls of the folder
        assert any(s["id"] == "try-llama" for s in daemon_services(trying.url))
    finally:
        code, _, err = trying.stop()
    assert code == 0 and "the last good index is still served" in err


def test_replace_upstream_puts_the_folder_in_upstreams_place(dolly, tmp_path, capsys):
    manifest = json.loads((dolly / "manifest.json").read_text(encoding="utf-8"))
    manifest["modelInfo"]["tokensPerSecond"] = 42
    (dolly / "manifest.json").write_text(json.dumps(manifest, indent=4), encoding="utf-8")
    target = tmp_path / "index.json"
    assert main(["try", str(dolly), "--replace-upstream", "--write-index", str(target), "--index", str(INDEX),
                 "--base-url", "http://files.example:9000/"]) == 0
    entries = json.loads(target.read_text(encoding="utf-8"))
    assert len(entries) == 47
    dolly_entry = next(e for e in entries if e["id"] == "dolly-v2-12b")
    assert dolly_entry["modelInfo"]["tokensPerSecond"] == 42
    assert dolly_entry["icon"] == "http://files.example:9000/chat-dolly-v2-12b/logo.svg"
    assert "47 services (47 upstream, 1 yours, 1 in upstream's place)" in capsys.readouterr().err


def test_a_manifest_the_daemon_cannot_read_is_refused_before_serving(new_folder, capsys):
    manifest = json.loads((new_folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["defaultPort"] = "8000"
    (new_folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["try", str(new_folder), "--index", str(INDEX), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "defaultPort is" in err and "hides every service from the Prem App" in err


def test_the_port_in_use_is_a_named_error(new_folder, capsys):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["try", str(new_folder), "--index", str(INDEX), "--port", str(busy.getsockname()[1])]) == 1
    assert "give another port with --port" in capsys.readouterr().err


def test_advice_for_each_place_the_server_listens():
    loopback = daemon_advice("127.0.0.1", 54320)
    assert loopback.warning is None and loopback.index_url == "http://127.0.0.1:54320/manifests.json"
    everywhere = daemon_advice("0.0.0.0", 54320)
    assert everywhere.index_url == "http://host.docker.internal:54320/manifests.json"
    assert "--add-host=host.docker.internal:host-gateway" in everywhere.runs[0][1]
    assert everywhere.pictures_url == "http://127.0.0.1:54320" and "not on loopback" in everywhere.warning
    lan = daemon_advice("192.168.1.5", 54320)
    assert lan.index_url == "http://192.168.1.5:54320/manifests.json" and lan.warning


def test_every_folder_of_the_real_dev_checkout_can_be_tried(tmp_path, capsys):
    folders = sorted(p for p in (SNAPSHOT / "dev").iterdir() if (p / "manifest.json").is_file())
    target = tmp_path / "index.json"
    assert main(["try", *map(str, folders), "--replace-upstream", "--write-index", str(target),
                 "--index", str(INDEX)]) == 0
    entries = json.loads(target.read_text(encoding="utf-8"))
    assert len(folders) == 47 and len(entries) == 47
    assert all(daemon_breaks(entry) == [] for entry in entries)
    leading_space = next(e for e in entries if any(p.name.startswith(" ") and p.name.strip() in e["icon"]
                                                   for p in folders))
    assert "/%20" in leading_space["icon"]  # the folder's own name, as a URL path
