"""wizard.publish.batch, the pure part: spec data -> services and every problem, ports picked, references to look up."""

from __future__ import annotations

import pytest

from tests.batch.conftest import DESCRIPTION, service, write_spec
from tests.found_sizes import found_size
from wizard.errors import TagNotFound
from wizard.publish.batch import (
    batch_problems,
    plan_services,
    read_batch_specs,
    references_to_look_up,
    services_from_spec,
    with_sizes,
)
from wizard.registry.index import FREE_PORT_RANGE, RegistryIndex
from wizard.service.fields import BY_KEY

INDEX = RegistryIndex(({"id": "dolly-v2-12b", "name": "Dolly", "interfaces": ["chat"], "defaultExternalPort": 8333},),
                      "test")


def problems_of(data: dict, index: RegistryIndex | None = INDEX, *, source: str = "s.toml") -> list[str]:
    services, problems = services_from_spec(data, source)
    return problems + batch_problems(plan_services(services, index, sizes_pending=True))


def test_a_service_gets_the_defaults_and_beats_them():
    services, problems = services_from_spec(
        {"interface": "chat", "memory": "8 GiB", "beta": False,
         "services": [service(1), service(2, memory=1024, **{"external-port": 8901})]}, "s.toml")
    assert problems == []
    first, second = (s.plan.answers for s in plan_services(services, None))
    assert (first["interfaces"], first["memory"], first["beta"], first["id"]) == (["chat"], "8 GiB", False, "batch-model-001")
    assert (second["memory"], second["external_port"], second["port"]) == (1024, 8901, 8000)
    assert services[1].label == "s.toml:services[1] (batch-model-002)"


def test_five_broken_services_give_five_problems_each_in_its_place():
    data = {"interfaces": ["chat"], "memory": "8 GiB", "services": [
        service(0),
        service(1, id="Bad Id"),                    # an id that breaks its rule
        service(2, interfaces=["chatt"]),               # an unknown interface
        {"name": "No Images", "description": DESCRIPTION},  # no image at all
        service(4, id="dolly-v2-12b"),                  # taken upstream
        service(5, id="batch-model-000"),               # used twice in the batch
        service(6),
    ]}
    problems = problems_of(data)
    assert len(problems) == 5
    assert problems[0].startswith("s.toml:services[1] (Bad Id): --id: ")
    assert problems[1].startswith("s.toml:services[2] (batch-model-002): --interface: 'chatt' is not a Prem interface")
    assert problems[2] == "s.toml:services[3] (no-images): --gpu-image or --cpu-image: missing (at least one Docker image)"
    assert problems[3].startswith("s.toml:services[4] (dolly-v2-12b): --id: the id 'dolly-v2-12b' is taken by 'Dolly'")
    assert problems[4] == ("s.toml:services[5] (batch-model-000): --id: batch-model-000 is also used by "
                           "s.toml:services[0] (batch-model-000); each service needs its own")


def test_a_broken_default_is_listed_once_for_the_file():
    problems = problems_of({"memory": "lots", "colour": "red", "interfaces": ["chat"],
                            "services": [service(1), service(2)]})
    assert problems[0].startswith("s.toml: unknown key 'colour' (known keys: name, id, description, beta,")
    assert problems[1].startswith("s.toml: --memory: could not read 'lots' as memory")
    assert len(problems) == 2


@pytest.mark.parametrize(("data", "message"), [
    ({"interfaces": ["chat"]}, "s.toml: 'services' is missing; add a [[services]] table"),
    ({"services": []}, "s.toml: 'services' is empty"),
    ({"services": {"name": "x"}}, "s.toml: 'services' is not a list"),
    ({"services": ["just a name"]}, "s.toml:services[0]: a service is a table of answers"),
])
def test_a_spec_of_the_wrong_shape_says_how_it_should_look(data, message):
    assert problems_of(data)[0].startswith(message)


def test_ports_used_twice_and_upstream_are_problems():
    problems = problems_of({"interfaces": ["chat"], "memory": 1024, "services": [
        service(1, external_port=8901), service(2, external_port="8901"), service(3, external_port=8333)]})
    assert problems == [
        ("s.toml:services[1] (batch-model-002): --external-port: 8901 is also used by s.toml:services[0] "
        "(batch-model-001); each service needs its own"),
        ("s.toml:services[2] (batch-model-003): --external-port: external port 8333 is used by chat-dolly-v2-12b; "
        "leave it out to get a free one"),
    ]


def test_without_lookups_every_size_is_needed():
    services, _ = services_from_spec({"interfaces": ["chat"], "memory": 1024,
                                      "services": [{**service(1), "gpu_size": None}]}, "s.toml")
    assert batch_problems(plan_services(services, None, sizes_pending=True)) == []
    assert batch_problems(plan_services(services, None, sizes_pending=False)) == [
        f"s.toml:services[0] (batch-model-001): --gpu-size: missing ({BY_KEY['gpu_size'].help})"]


def test_ports_left_out_are_free_and_distinct_across_the_batch():
    services, _ = services_from_spec({"interfaces": ["chat"], "memory": 1024,
                                      "services": [service(n) for n in range(300)] + [service(300, external_port=9000)]},
                                     "s.toml")
    planned = plan_services(services, INDEX)
    ports = [s.plan.answers["external_port"] for s in planned]
    assert len(set(ports)) == len(ports) and ports[-1] == 9000
    assert 8333 not in ports and all(p in FREE_PORT_RANGE for p in ports[:-1])
    assert [s.plan.sources["external_port"] for s in planned] == ["picked"] * 300 + ["typed"]
    assert "external_port" not in services[0].answers  # picked by the plan, not written into the answers
    assert ports == [s.plan.answers["external_port"] for s in plan_services(services, INDEX)]  # stable


def test_each_reference_is_looked_up_once_and_failures_name_their_service():
    shared = "ghcr.io/example/shared:1"
    services, _ = services_from_spec({"interfaces": ["chat"], "memory": 1024, "services": [
        {**service(1), "gpu_image": shared, "gpu_size": None},
        {**service(2), "gpu_image": shared, "gpu_size": None, "cpu_image": "ghcr.io/example/cpu:1"},
        service(3)]}, "s.toml")
    assert references_to_look_up(services) == [shared, "ghcr.io/example/cpu:1"]
    missing = TagNotFound("the tag 1 does not exist in ghcr.io/example/cpu")
    results = {shared: found_size(shared, unpacked=42, download=17), "ghcr.io/example/cpu:1": missing}
    sized, failures = with_sizes(services, results)
    assert [s.sizes for s in sized] == [{"gpu": 42}, {"gpu": 42}, {}]  # beside the answers, not in them
    assert [s.sizes for s in with_sizes(services, results, kind="download")[0]] == [{"gpu": 17}, {"gpu": 17}, {}]
    assert [s.plan.answers["gpu_size"] for s in plan_services(sized, None)] == [42, 42, 1_000_000]
    assert [s.plan.sources["gpu_size"] for s in plan_services(sized, None)] == ["looked up", "looked up", "typed"]
    assert failures == [("s.toml:services[1] (batch-model-002): --cpu-image ghcr.io/example/cpu:1: "
                        "the tag 1 does not exist in ghcr.io/example/cpu")]


@pytest.mark.parametrize("suffix", [".toml", ".yaml", ".json"])
def test_every_format_reads_the_same(tmp_path, suffix):
    path = write_spec(tmp_path / f"spec{suffix}", [service(1), service(2, beta=False)], interfaces=["chat"],
                      memory="8 GiB")
    services, problems = read_batch_specs([path])
    assert problems == []
    assert [s.plan.answers["beta"] for s in plan_services(services, None)] == [True, False]
    assert services[0].label == f"{path}:services[0] (batch-model-001)"


def test_a_file_that_does_not_parse_is_one_problem_with_its_position(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("services:\n  - name: [unclosed\n")
    good = write_spec(tmp_path / "good.toml", [service(1)], interfaces=["chat"], memory=1024)
    services, problems = read_batch_specs([broken, good])
    assert len(services) == 1
    assert len(problems) == 1 and problems[0].startswith(f"{broken}:3:1: ")
