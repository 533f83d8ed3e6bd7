"""`batch` with the real pieces: sizes from the loopback container registry, pull requests on the GitHub emulator."""

from __future__ import annotations

import json

from tests.batch.conftest import INDEX, service, write_spec
from wizard.cli import main

DEFAULTS = {"interfaces": ["chat"], "memory": "2 GiB"}


def batch(*args: str) -> int:
    return main(["batch", *args, "--index", str(INDEX)])


def github(emulator) -> list[str]:
    return ["--api-url", emulator.url, "--upstream", "premAI-io/prem-registry"]


def test_a_hundred_services_go_from_file_to_folders_and_one_pull_request(
        container_registry, fault_proxy, unique_repository, github_emulator, tmp_path, monkeypatch, capsys):
    pushed = [container_registry.push_image(unique_repository, f"{device}-{n}", layers=[2000 + n, 500])
              for device in ("gpu", "cpu") for n in range(2)]
    references = [f"{fault_proxy.host}/{image.repository}:{image.tag}" for image in pushed]
    services = [service(n, gpu_image=references[n % 2], gpu_size=None, cpu_image=references[2 + n % 2])
                for n in range(100)]  # 200 image references, 4 distinct images
    spec = write_spec(tmp_path / "hundred.yaml", services, **DEFAULTS)
    out = tmp_path / "out"
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    fault_proxy.clear()

    assert batch(str(spec), "--out", str(out), "--publish", "--allow-todo", "--json", *github(github_emulator)) == 0

    assert fault_proxy.count("/manifests/") == 4  # each distinct image once, not once per service
    # and, for each, its config (to check the platform) and the end of each of its two small layers
    assert fault_proxy.count("/blobs/") == 4 * 3
    assert fault_proxy.count() <= 4 * 4 + 1  # and one ping of the registry
    summary = json.loads(capsys.readouterr().out)
    (pull_request,) = summary["pull_requests"]
    assert len(github_emulator.pulls) == 1 and github_emulator.pulls[0].title == "Add 100 services"
    assert pull_request["folders"] == [f"chat-batch-model-{n:03d}" for n in range(100)]
    assert {s["pr_url"] for s in summary["services"]} == {pull_request["url"]}
    sizes = {image.tag: image.unpacked_size for image in pushed}  # what the Prem Daemon checks free disk against
    for n, entry in enumerate(summary["services"]):
        assert entry["sizes"] == {"gpu": sizes[f"gpu-{n % 2}"], "cpu": sizes[f"cpu-{n % 2}"]}
        manifest = json.loads((out / f"chat-batch-model-{n:03d}" / "manifest.json").read_text())
        assert manifest["dockerImages"]["gpu"] == {"size": sizes[f"gpu-{n % 2}"], "image": references[n % 2]}
    ports = [json.loads((out / e["folder"].split("/")[-1] / "manifest.json").read_text())["defaultExternalPort"]
             for e in summary["services"]]
    assert len(set(ports)) == 100
    committed = github_emulator.files_at(f"{github_emulator.login}/prem-registry", pull_request["branch"])
    assert sum(path.startswith("chat-batch-model-") for path in committed) == 300


def test_size_kind_download_writes_what_a_pull_downloads(container_registry, unique_repository, tmp_path, capsys):
    image = container_registry.push_image(unique_repository, "1.0", layers=[3000, 1000])
    spec = write_spec(tmp_path / "s.toml", [service(1, gpu_image=image.reference, gpu_size=None)], **DEFAULTS)
    assert batch(str(spec), "--out", str(tmp_path / "unpacked"), "--json") == 0
    assert json.loads(capsys.readouterr().out)["services"][0]["sizes"] == {"gpu": image.unpacked_size}
    assert batch(str(spec), "--out", str(tmp_path / "download"), "--json", "--size-kind", "download") == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["services"][0]["sizes"] == {"gpu": image.size}
    assert f"sizes 1/1: {image.reference}: " in captured.err and f"({image.size} bytes written)" in captured.err


def test_a_failed_lookup_is_listed_and_nothing_is_written(container_registry, unique_repository, tmp_path, capsys):
    image = container_registry.push_image(unique_repository, "1.0", layers=[1000])
    missing = f"{container_registry.host}/{unique_repository}:9.9"
    spec = write_spec(tmp_path / "s.toml", [service(1, gpu_image=image.reference, gpu_size=None),
                                            service(2, gpu_image=missing, gpu_size=None)], **DEFAULTS)
    out = tmp_path / "out"
    assert batch(str(spec), "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert f"{spec}:services[1] (batch-model-002): --gpu-image {missing}: " in err
    assert "tags found: 1.0" in err and "nothing was written" in err
    assert not out.exists()


def test_pr_per_service_opens_one_pull_request_each(github_emulator, tmp_path, monkeypatch, capsys):
    spec = write_spec(tmp_path / "s.toml", [service(1), service(2), service(3)], **DEFAULTS)
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    assert batch(str(spec), "--out", str(tmp_path / "out"), "--offline", "--publish", "--allow-todo", "--pr-per-service", "--draft",
                 *github(github_emulator)) == 1  # offline: GitHub cannot be reached
    assert "offline mode is on" in capsys.readouterr().err

    assert batch(str(spec), "--out", str(tmp_path / "out"), "--force", "--publish", "--allow-todo", "--pr-per-service", "--draft",
                 *github(github_emulator)) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[-3:] == [f"{github_emulator.url}/premAI-io/prem-registry/pull/{n}" for n in (1, 2, 3)]
    assert [(p.head_ref, p.title, p.draft) for p in github_emulator.pulls] == [
        (f"add-chat-batch-model-00{n}", f"Add Batch Model 00{n} (chat)", True) for n in (1, 2, 3)]


def test_dry_run_with_publish_prints_the_calls_and_sends_nothing(github_emulator, tmp_path, capsys):
    spec = write_spec(tmp_path / "s.toml", [service(1), service(2)], **DEFAULTS)
    out = tmp_path / "out"
    assert batch(str(spec), "--out", str(out), "--offline", "--dry-run", "--publish", "--allow-todo", *github(github_emulator)) == 0
    printed = capsys.readouterr().out
    assert "GET /user" in printed and "chat-batch-model-002/manifest.json" in printed
    assert 'POST /repos/premAI-io/prem-registry/pulls  (title="Add 2 services"' in printed
    assert github_emulator.requests == [] and not out.exists()
