"""Publishing every service of the real registry against the GitHub emulator seeded with the dev checkout:
never stopped by findings already upstream, each pull request carrying only the file that changed and
saying what changed; a new service whose folder an upstream service holds is refused."""

from __future__ import annotations

import pytest

from tests.publish.conftest import make_service
from tests.real.conftest import BINARY, DOCKER, INDEX, SERVICES, manifest_of
from wizard.cli import main
from wizard.publish.plan import BODY_LIMIT
from wizard.registry.checks import validate_paths

UPSTREAM = "premAI-io/prem-registry"
MISMATCHED = {"upscaler-stable-diffusion-x2-latent": "stable-diffusion-x2-latent-upscaler",
              "upscaler-stable-diffusion-x4": "stable-diffusion-x4-upscaler",
              "vector-store-qdrant-binary": "qdrant-vector-db-binary",
              "vector-store-redis": "redis-vector-db", "vector-store-redis-binary": "redis-vector-db-binary"}


def github(emulator) -> list[str]:
    return ["--api-url", emulator.url, "--upstream", UPSTREAM]


def sent_paths(emulator) -> list[str]:
    (tree,) = [r.body for r in emulator.api_calls("POST") if r.path.endswith("/git/trees")]
    return [entry["path"] for entry in tree["tree"]]


def differing(emulator, pull) -> set[str]:
    ours = emulator.files_at(pull.head_repo.full_name, pull.head_ref)
    theirs = emulator.files_at(UPSTREAM, "dev")
    return {path for path in ours.keys() | theirs.keys() if ours.get(path) != theirs.get(path)}


def change(folder, *options) -> list[str]:
    """A bump of a Docker service's first image; an edit of a binary service's memory (bump refuses those)."""
    data = manifest_of(folder.name)
    if folder.name in BINARY:
        assert main(["edit", str(folder), "--offline", "--index", str(INDEX), "--memory", "31 GiB"]) == 0
        return ["publish", str(folder), *options]
    device, entry = next(iter(data["dockerImages"].items()))
    repository = entry["image"].partition("@")[0].rpartition(":")[0] or entry["image"]  # a new tag of its own image
    return ["bump", str(folder), f"--{device}-image", f"{repository}:9.0.1", f"--{device}-size", "5 GiB", "--publish",
            *options]


@pytest.mark.parametrize("real_folder", SERVICES, indirect=True)
def test_each_service_is_published_with_only_the_changed_file(real_folder, real_github, capsys):
    name = manifest_of(real_folder.name)["name"]
    had_errors = any(f.severity == "error" for f in validate_paths([real_folder]))

    assert main(change(real_folder, *github(real_github))) == 0

    (pull,) = real_github.pulls
    folder = real_folder.name
    assert sent_paths(real_github) == [f"{folder}/manifest.json"]
    assert differing(real_github, pull) == {f"{folder}/manifest.json"}  # README and logo as upstream has them
    if folder in DOCKER:
        device = next(iter(manifest_of(folder)["dockerImages"]))
        assert pull.title.startswith(f"Bump {name}: {device} image ") and "→ 9.0.1, size " in pull.title
        assert pull.title.endswith("→ 5.0 GiB")
    else:
        memory = manifest_of(folder)["modelInfo"].get("memoryRequirements")
        said = "→ 31.0 GiB" if memory else "31.0 GiB added"  # a service that stated no memory gets one
        assert pull.title.startswith(f"Update {name}: memory ") and pull.title.endswith(said), pull.title
    assert f"This pull request updates `{folder}/`" in pull.body and len(pull.body) < BODY_LIMIT
    kept = ", ".join(sorted(p.relative_to(real_folder).as_posix() for p in real_folder.rglob("*")
                            if p.is_file() and p.name != "manifest.json"))
    assert f"Files sent: manifest.json ({kept} as upstream)" in pull.body
    err = capsys.readouterr().err
    assert "(already upstream)" in err or not had_errors  # what the folder had stopped nothing


@pytest.mark.parametrize("real_folder", ["chat-dolly-v2-12b", " audio-to-text-whisper-large-v2-q5"], indirect=True)
def test_an_unchanged_real_folder_has_nothing_to_propose(real_folder, real_github, capsys):
    assert main(["publish", str(real_folder), *github(real_github)]) != 0
    assert "already holds exactly these files" in capsys.readouterr().err
    assert not real_github.pulls and not any(r.method != "GET" for r in real_github.api_calls())


@pytest.mark.parametrize(("folder", "holder"), sorted(MISMATCHED.items()))
def test_a_new_service_whose_folder_an_upstream_service_holds_is_refused(folder, holder, real_github, tmp_path,
                                                                          capsys):
    interface = manifest_of(folder)["interfaces"][0]
    new = make_service(tmp_path, folder.removeprefix(f"{interface}-"), interface=interface)
    assert new.name == folder

    assert main(["publish", str(new), *github(real_github)]) == 2

    err = capsys.readouterr().err
    assert f"the upstream folder {folder}/ holds the service '{holder}'" in err and "would replace it" in err
    assert not real_github.pulls and not any(r.method != "GET" for r in real_github.api_calls())
