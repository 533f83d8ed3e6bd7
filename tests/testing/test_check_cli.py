"""prem-new-service check as a person runs it: the lines printed, --json, --write into the real Dolly folder,
the exit codes, and --run through a Docker engine emulator, whose container is removed on every path."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.servers.docker_engine import FakeDockerEngine
from tests.servers.service_apis import port_where_nothing_listens
from wizard.cli import main

DOLLY_IMAGE = "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3"


def test_the_lines_say_each_call_and_the_speed(service, capsys):
    api = service("chat", rate=100.0, tokens=20)
    assert main(["check", api.url, "--interface", "chat"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"check {api.url} as chat"
    assert [line.split()[0] for line in out[1:6]] == ["pass"] * 5
    assert "streamed completion 3 of 3" in out[5]
    assert out[6].startswith("tokens per second: ") and "(median of 3:" in out[6]
    assert 90 <= int(out[6].split()[3]) <= 110
    assert out[-1] == "5 of 5 calls passed"


def test_json_is_one_document_and_a_failure_exits_1(service, capsys):
    api = service("embeddings", fault="wrong-shape")
    assert main(["check", api.url, "--interface", "embeddings", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["passed"] is False
    assert [c["passed"] for c in document["calls"]] == [True, False]
    assert "not a finite number" in document["calls"][1]["reason"]


def test_nothing_listening_is_a_named_failure_not_a_traceback(capsys):
    port = port_where_nothing_listens()
    assert main(["check", f"http://127.0.0.1:{port}", "--interface", "diffuser"]) == 1
    captured = capsys.readouterr()
    assert f"nothing answers at http://127.0.0.1:{port}" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_write_records_the_measured_rate_in_the_real_dolly_folder_changing_one_line(service, dolly, capsys):
    before = (dolly / "manifest.json").read_text(encoding="utf-8")
    api = service("chat", rate=50.0, tokens=20)
    assert main(["check", api.url, "--write", str(dolly), "--runs", "2"]) == 0  # the interface from the folder
    after = (dolly / "manifest.json").read_text(encoding="utf-8")
    changed = [(old, new) for old, new in zip(before.splitlines(), after.splitlines(), strict=True) if old != new]
    assert len(changed) == 1 and changed[0][0].strip() == '"tokensPerSecond": 19'
    assert 45 <= json.loads(after)["modelInfo"]["tokensPerSecond"] <= 55
    assert "tokensPerSecond" in capsys.readouterr().out


def test_write_after_a_failure_writes_nothing(service, dolly, capsys):
    before = (dolly / "manifest.json").read_bytes()
    api = service("chat", fault="500")
    assert main(["check", api.url, "--write", str(dolly)]) == 1
    assert (dolly / "manifest.json").read_bytes() == before
    assert "nothing was written" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "said"), [
    (["check"], "give the service's URL"),
    (["check", "http://127.0.0.1:1"], "--interface: missing"),
    (["check", "http://127.0.0.1:1", "--interface", "embeddings", "--write", "{dolly}"], "only chat and coder"),
    (["check", "http://127.0.0.1:1", "--interface", "vector-store"], "--engine: missing"),
    (["check", "http://127.0.0.1:1", "--interface", "chat", "--runs", "0"], "--runs 0"),
])
def test_bad_arguments_exit_2_before_any_call(args, said, dolly, capsys):
    assert main([arg.format(dolly=dolly) for arg in args]) == 2
    assert said in capsys.readouterr().err


# --- --run, through the engine emulator -------------------------------------------------------------------


@pytest.fixture
def docker(tmp_path, monkeypatch):
    engines: list[FakeDockerEngine] = []

    def start(services: dict, images: dict | None = None) -> FakeDockerEngine:
        engine = FakeDockerEngine(tmp_path / "docker.sock", images if images is not None else
                                  dict.fromkeys(services, 1), services)
        monkeypatch.setenv("DOCKER_HOST", f"unix://{engine.socket_path}")
        engines.append(engine)
        return engine

    yield start
    for engine in engines:
        engine.stop()


def test_run_starts_the_folders_image_checks_it_suggests_memory_and_removes_it(docker, dolly, capsys):
    engine = docker({DOLLY_IMAGE: {"interface": "chat", "memory": 9000 * 2**20}})
    assert main(["check", "--run", str(dolly), "--gpu"]) == 0
    captured = capsys.readouterr()
    body = engine.created[0]
    assert body["Image"] == DOLLY_IMAGE and body["ExposedPorts"] == {"8000/tcp": {}}
    assert body["HostConfig"]["PortBindings"] == {"8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}
    assert body["HostConfig"]["DeviceRequests"][0]["Capabilities"] == [["gpu"]]
    assert "5 of 5 calls passed" in captured.out
    memory = next(line for line in captured.out.splitlines() if line.startswith("memory: peak"))
    assert "suggested memoryRequirements: 11264 MiB" in memory  # 9002 MiB x 1.25 = 11252.5, up to 512
    assert engine.containers == {} and len(engine.removed) == 1
    assert any(c.startswith("DELETE ") and "force=true" in c and "v=true" in c for c in engine.calls)


def test_run_passes_the_manifests_environment_volume_and_command(docker, tmp_path, capsys):
    folder = tmp_path / "vector-store-qdrant"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({
        "id": "qdrant", "name": "Qdrant", "interfaces": ["vector-store"], "defaultPort": 6333,
        "dockerImages": {"cpu": {"image": "qdrant/qdrant:v1.7.4", "size": 1}},
        "envVariables": ["QDRANT__LOG_LEVEL=INFO"], "volumePath": "/qdrant/storage", "command": "./qdrant --uri 'x y'",
    }))
    engine = docker({"qdrant/qdrant:v1.7.4": {"exits": 2, "log": "Error: bad config\n"}})
    assert main(["check", "--run", str(folder)]) == 1
    body = engine.created[0]
    assert body["Env"] == ["QDRANT__LOG_LEVEL=INFO"] and body["Cmd"] == ["./qdrant", "--uri", "x y"]
    assert body["HostConfig"]["Mounts"] == [{"Type": "volume", "Target": "/qdrant/storage"}]
    assert "6333/tcp" in body["ExposedPorts"]
    err = capsys.readouterr().err
    assert "exited with code 2 before it answered" in err and "Error: bad config" in err
    assert engine.containers == {} and engine.removed


def test_run_pulls_a_missing_image_and_names_one_that_cannot_be(docker, capsys):
    engine = docker({"example/chat:1": {"interface": "chat", "pullable": True}}, images={})
    assert main(["check", "--run", "example/chat:1", "--interface", "chat", "--runs", "1"]) == 0
    assert any("/images/create?fromImage=example%2Fchat&tag=1" in c for c in engine.calls)
    assert main(["check", "--run", "example/gone:1", "--interface", "chat"]) == 1
    assert "cannot pull example/gone:1: pull access denied" in capsys.readouterr().err
    assert engine.containers == {}


def test_run_that_never_gets_healthy_is_removed_after_the_deadline(docker, capsys):
    engine = docker({"example/slow:1": {"interface": "chat", "fault": "health-down"}})
    assert main(["check", "--run", "example/slow:1", "--interface", "chat", "--health-deadline", "1.5"]) == 1
    assert "did not answer within 1.5 s" in capsys.readouterr().err
    assert engine.containers == {} and len(engine.removed) == 1


def test_without_an_engine_it_says_so_and_what_to_run_instead(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'none.sock'}")
    assert main(["check", "--run", "example/chat:1", "--interface", "chat"]) == 1
    err = capsys.readouterr().err
    assert "needs a local Docker engine" in err
    assert "docker run --rm -p 8000:8000 example/chat:1" in err and "check http://127.0.0.1:8000" in err


def test_ctrl_c_while_waiting_removes_the_container(docker):
    engine = docker({"example/slow:1": {"interface": "chat", "fault": "health-down"}})
    process = subprocess.Popen([sys.executable, "-m", "wizard", "check", "--run", "example/slow:1", "--interface",
                                "chat"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "DOCKER_HOST": f"unix://{engine.socket_path}"})
    for _ in range(200):
        if any(c.startswith("GET /v1.41/containers/") and c.endswith("/json") for c in engine.calls):
            break
        time.sleep(0.05)
    assert engine.containers
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert engine.containers == {} and len(engine.removed) == 1
    assert "removed prem-check-" in err and "Traceback" not in err


def test_run_whose_checks_fail_still_removes_the_container(docker, capsys):
    engine = docker({"example/broken:1": {"interface": "embeddings", "fault": "500"}})
    assert main(["check", "--run", "example/broken:1", "--interface", "embeddings", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["passed"] is False and "HTTP 500" in document["calls"][1]["reason"]
    assert document["memory"]["suggestedMiB"] >= 512
    assert engine.containers == {} and len(engine.removed) == 1
