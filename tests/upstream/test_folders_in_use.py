"""Folders in use upstream: read from the index's icon URLs, refused by the plan, by `new` and by `batch`."""

from __future__ import annotations

import json

import pytest

from tests.batch.conftest import write_spec
from tests.upstream.conftest import (
    DESCRIPTION,
    DEV,
    ENTRIES,
    IDS,
    INDEX,
    MISMATCHED,
    taken_message,
)
from wizard.cli import main
from wizard.registry.index import (
    RegistryIndex,
    entry_folder,
    folder_collision,
    folders_in_use,
)
from wizard.service.answers import answers_from_manifest
from wizard.service.plan import PlanContext, plan_service

REAL = RegistryIndex(tuple(ENTRIES), str(INDEX))
UPSTREAM_WORDS = ("is taken by", "is used by")  # what the id, folder and port collisions say


def answers(service_id: str, interface: str, **more) -> dict:
    return {"name": f"Variant of {service_id}", "id": service_id, "interfaces": [interface],
            "description": DESCRIPTION, "gpu_image": "ghcr.io/example/variant:1.0", "gpu_size": 1_000_000,
            "memory": "8 GiB", **more}


# --- where the folders come from ------------------------------------------------------------------


def test_every_entry_names_a_real_folder_of_the_dev_checkout():
    real = {p.name for p in DEV.iterdir() if (p / "manifest.json").is_file()}
    assert len(ENTRIES) == len(real) == 47
    assert folders_in_use(REAL) == real  # all 47, the folder with a leading space included
    assert " audio-to-text-whisper-large-v2-q5" in folders_in_use(REAL)


def test_the_mismatched_folders_are_found_from_the_index():
    # five named after something else than the id, and one with a leading space and another name
    assert [(folder, holder["id"]) for folder, _, _, holder in MISMATCHED] == [
        ("upscaler-stable-diffusion-x4", "stable-diffusion-x4-upscaler"),
        ("upscaler-stable-diffusion-x2-latent", "stable-diffusion-x2-latent-upscaler"),
        ("vector-store-redis", "redis-vector-db"),
        ("vector-store-qdrant-binary", "qdrant-vector-db-binary"),
        ("vector-store-redis-binary", "redis-vector-db-binary"),
        (" audio-to-text-whisper-large-v2-q5", "whisper-large-v2-cpp"),
    ]


def test_an_icon_url_may_be_percent_encoded_and_a_banner_or_the_id_stands_in():
    base = "https://raw.githubusercontent.com/premAI-io/prem-registry/dev"
    assert entry_folder({"id": "x", "icon": f"{base}/%20audio-to-text-whisper-large-v2-q5/logo.svg"}) == \
        " audio-to-text-whisper-large-v2-q5"
    assert entry_folder({"id": "x", "icon": f"{base}/ audio-to-text-whisper-large-v2-q5/logo.svg"}) == \
        " audio-to-text-whisper-large-v2-q5"
    assert entry_folder({"id": "x", "icon": None, "banner": f"{base}/chat-x-banner/banner.png"}) == "chat-x-banner"
    assert entry_folder({"id": "x", "interfaces": ["chat"], "icon": None, "banner": None}) == "chat-x"
    assert entry_folder({"id": "x", "interfaces": "chat"}) == "?-x"  # a broken entry still has a folder


def test_folders_compare_without_case_or_outer_spaces():
    assert "vector-store-redis" in folder_collision(REAL, "Vector-Store-Redis")
    assert "whisper-large-v2-cpp" in folder_collision(REAL, "audio-to-text-whisper-large-v2-q5")
    assert folder_collision(REAL, "audio-to-text-whisper-large-v2-q5", skip_ids=["WHISPER-large-v2-cpp"]) is None
    assert folder_collision(REAL, "vector-store-redis-2") is None


# --- the plan ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("folder", "interface", "service_id", "holder"), MISMATCHED, ids=IDS)
def test_the_plan_refuses_a_folder_held_upstream_on_the_id_and_the_interfaces(folder, interface, service_id,
                                                                               holder):
    plan = plan_service(answers(service_id, interface), PlanContext(index=REAL))
    assert not plan.ok and plan.manifest is None
    (by_id,), (by_interfaces,) = plan.problems["id"], plan.problems["interfaces"]
    assert by_id == by_interfaces and by_id.startswith(taken_message(service_id, interface, holder))
    shown = folder if folder == folder.strip() else f"'{folder}'"
    assert f"({shown}, id {holder['id']}); writing it would replace that service" in by_id
    assert [line for line in plan.problem_lines() if "is taken by" in line] == [f"Id: {by_id}"]  # said once
    # the same id under another interface is a folder of its own
    other = "chat" if interface != "chat" else "coder"
    assert not plan_service(answers(service_id, other), PlanContext(index=REAL)).problems


def test_an_id_taken_names_its_holder_once_not_again_for_its_folder():
    plan = plan_service(answers("bark", "text-to-audio"), PlanContext(index=REAL))
    assert plan.problems == {"id": [("the id 'bark' is taken by 'Bark' (text-to-audio-bark); pick another, e.g. "
                                     "'bark-2' or one naming your variant")]}


def real_services() -> list[dict]:
    return [json.loads((p / "manifest.json").read_text(encoding="utf-8"))
            for p in sorted(DEV.iterdir()) if (p / "manifest.json").is_file()]


def test_an_edited_service_is_never_compared_with_itself():
    services = real_services()
    assert len(services) == 47
    for manifest in services:
        plan = plan_service(answers_from_manifest(manifest), PlanContext(index=REAL, original=manifest))
        said = [line for line in plan.problem_lines() if any(word in line for word in UPSTREAM_WORDS)]
        assert said == [], manifest["id"]


def test_an_edit_moving_into_another_services_folder_is_refused():
    bark = next(m for m in real_services() if m["id"] == "bark")
    moved = {**answers_from_manifest(bark), "id": "redis", "interfaces": ["vector-store"]}
    plan = plan_service(moved, PlanContext(index=REAL, original=bark))
    assert plan.problems["interfaces"] == [folder_collision(REAL, "vector-store-redis", service_id="redis")]


# --- new and batch --------------------------------------------------------------------------------


def new_flags(service_id: str, interface: str) -> list[str]:
    return ["new", "--name", f"Variant of {service_id}", "--id", service_id, "--interface", interface,
            "--description", DESCRIPTION, "--gpu-image", "ghcr.io/example/variant:1.0", "--gpu-size", "1000000",
            "--memory", "8 GiB", "--index", str(INDEX)]


@pytest.mark.parametrize(("folder", "interface", "service_id", "holder"), MISMATCHED, ids=IDS)
def test_new_refuses_a_folder_held_upstream(tmp_path, capsys, folder, interface, service_id, holder):
    out = tmp_path / "out"
    assert main([*new_flags(service_id, interface), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"  - --id: {taken_message(service_id, interface, holder)}" in err
    assert err.count("is taken by") == 1 and "nothing was written" in err
    assert not out.exists()


def test_new_writes_the_same_id_under_another_interface(tmp_path):
    assert main([*new_flags("stable-diffusion-x2-latent", "diffuser"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "diffuser-stable-diffusion-x2-latent" / "manifest.json").is_file()


@pytest.mark.parametrize(("folder", "interface", "service_id", "holder"), MISMATCHED, ids=IDS)
def test_batch_refuses_a_folder_held_upstream(tmp_path, capsys, folder, interface, service_id, holder):
    spec = write_spec(tmp_path / "services.toml", [
        {"name": "Free One", "description": DESCRIPTION, "gpu_image": "ghcr.io/example/free:1.0", "gpu_size": 1000},
        {"name": f"Variant of {service_id}", "id": service_id, "interfaces": [interface], "description": DESCRIPTION,
         "gpu_image": "ghcr.io/example/variant:1.0", "gpu_size": 1000},
    ], interfaces=["chat"], memory="8 GiB")
    out = tmp_path / "out"
    assert main(["batch", str(spec), "--out", str(out), "--index", str(INDEX), "--offline"]) == 2
    err = capsys.readouterr().err
    assert f"{spec}:services[1] ({service_id}): --id: {taken_message(service_id, interface, holder)}" in err
    assert err.count("is taken by") == 1 and "1 problem:" in err
    assert not out.exists()


def test_batch_refuses_redis_by_its_name_alone(tmp_path, capsys):
    spec = write_spec(tmp_path / "redis.yaml", [
        {"name": "Redis", "description": DESCRIPTION, "gpu_image": "ghcr.io/example/redis:7", "gpu_size": 1000},
    ], interfaces=["vector-store"], memory="1 GiB")
    assert main(["batch", str(spec), "--out", str(tmp_path / "out"), "--index", str(INDEX), "--offline"]) == 2
    err = capsys.readouterr().err
    assert (f"{spec}:services[0] (redis): --id: the folder 'vector-store-redis' ({{first interface}}-{{id}}) is "
            "taken by 'Redis Vector DB' (vector-store-redis, id redis-vector-db); writing it would replace that service: "
            "pick another id, e.g. 'redis-2' or one naming your variant") in err
    assert not (tmp_path / "out").exists()
