"""Batch spec files: many services in one TOML, YAML or JSON file, with shared defaults at the top.

The format (see ``wizard/examples/batch/``; ``prem-new-service batch --example`` prints one)::

    # shared defaults: any spec key of the field table (fields.SPEC_KEYS; kebab-case works too)
    interfaces = ["chat"]
    memory = "8 GiB"
    port = 8000
    beta = true

    [[services]]                 # YAML/JSON: a list under `services:` / "services"
    name = "Tiny Chat"           # id comes from the name when left out
    description = "..."
    gpu_image = "ghcr.io/org/tiny-chat-gpu:1.0"   # sizes are looked up when left out
    external_port = 8901         # a free one, distinct across the batch, when left out

    [[services]]
    name = "Small Coder"
    interfaces = ["coder"]       # a service's own answers beat the defaults
    ...

Each service's answers are its own over the defaults (a ``ChainMap``), as given; ``plan_services`` plans each
with ``plan_service``, which adds the id from the name, the table's defaults, the sizes looked up (held apart,
in ``BatchService.sizes``) and a free external port, distinct across the batch.
Problems are lines ``SPEC:services[N] (id or name): --flag: message`` (``SPEC: ...`` for the defaults):
broken rules, missing answers, ids and external ports used twice in the batch or already used upstream, and
folders an upstream service already holds.
Everything here is pure except :func:`read_batch_specs`, which reads the files, and :func:`refuse_existing`.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wizard.errors import ImageError, WizardError
from wizard.registry.index import RegistryIndex
from wizard.service.answers import (
    BY_KEY,
    IMAGES,
    check_answer,
    flag_for,
    help_for,
    normalise_answers,
    read_answer,
)
from wizard.service.plan import (
    PICKED,
    PlanContext,
    ServicePlan,
    folder_of,
    plan_service,
)
from wizard.service.rules import DEVICES, RuleBroken, suggest_id
from wizard.service.specs import unknown_key_problems

SERVICES_KEY = "services"


@dataclass(frozen=True)
class BatchService:
    source: str  # the spec file, as named on the command line
    position: int  # N in services[N]
    answers: Mapping[str, Any]  # the service's own answers over the file's defaults, as given
    own: Mapping[str, Any] = field(default_factory=dict)  # the service's own answers, as given
    inherited: frozenset[str] = frozenset()  # defaults that break their rule: listed once, for the file
    sizes: Mapping[str, int] = field(default_factory=dict)  # device -> bytes, looked up
    plan: ServicePlan | None = None  # set by plan_services
    facts: Any = None  # the model's, from the Hub (``hf`` key), stated in the generated README
    filled_in: Mapping[str, str] = field(default_factory=dict)  # answer key -> where the Hub's answer came from

    @property
    def label(self) -> str:
        """``SPEC:services[N] (id)``: where a problem of this service is."""
        answers = self.plan.answers if self.plan is not None else self.answers
        name = answers.get("name")
        named = answers.get("id") or (isinstance(name, str) and suggest_id(name)) or name
        return f"{self.source}:{SERVICES_KEY}[{self.position}]" + (f" ({named})" if named else "")

    def images(self) -> dict[str, str]:
        """device -> image reference, for the devices this service has."""
        return {d: str(self.answers[f"{d}_image"]) for d in DEVICES if f"{d}_image" in self.answers}


def _flag(key: str) -> str:
    return flag_for(key) if key in BY_KEY or key == IMAGES else key


def _broken_rules(answers: Mapping[str, Any]) -> dict[str, str]:
    return {key: message for key, value in answers.items() if key in BY_KEY and (message := check_answer(key, value))}


def services_from_spec(data: Mapping[str, Any], source: str) -> tuple[list[BatchService], list[str]]:
    """The services of one parsed spec file, and the problems of its defaults and of its shape."""
    defaults = normalise_answers({k: v for k, v in data.items() if k != SERVICES_KEY})
    broken = _broken_rules(defaults)
    problems = [f"{source}: {line}" for line in unknown_key_problems(defaults)]
    problems += [f"{source}: {_flag(key)}: {message}" for key, message in broken.items()]
    entries = data.get(SERVICES_KEY)
    if not isinstance(entries, list) or not entries:
        shape = "is empty" if isinstance(entries, list) else "is missing" if entries is None else "is not a list"
        problems.append(f"{source}: '{SERVICES_KEY}' {shape}; add a [[services]] table per service (TOML) or a "
                        f"'{SERVICES_KEY}:' list (YAML, JSON), `prem-new-service batch --example` prints one")
        return [], problems
    services = []
    for position, entry in enumerate(entries):
        where = f"{source}:{SERVICES_KEY}[{position}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: a service is a table of answers (name = ..., gpu_image = ...), "
                            f"not {type(entry).__name__}")
            continue
        own = normalise_answers(entry)
        services.append(BatchService(source, position, ChainMap(own, defaults), own, frozenset(broken)))
    return services, problems


def read_batch_specs(paths: Sequence[Path]) -> tuple[list[BatchService], list[str]]:
    """Every service of every spec file; a file that does not parse is one problem (``file:line:col: ...``)."""
    from wizard.service.specs import read_spec_file

    services: list[BatchService] = []
    problems: list[str] = []
    for path in paths:
        try:
            data = read_spec_file(Path(path))
        except WizardError as error:
            problems.append(error.message)
            continue
        found, wrong = services_from_spec(data, str(path))
        services += found
        problems += wrong
    return services, problems


def _given_port(service: BatchService) -> int | None:
    try:
        return read_answer("external_port", service.answers["external_port"])
    except (KeyError, RuleBroken):
        return None


def plan_services(services: Sequence[BatchService], index: RegistryIndex | None, *,
                  sizes_pending: bool = False) -> list[BatchService]:
    """Each service with its plan. An external port left out is picked free upstream and in the whole batch
    (the ports given included); planning the same services again picks the same ports."""
    taken = {port for service in services if (port := _given_port(service)) is not None}
    planned = []
    for service in services:
        plan = plan_service(service.answers, PlanContext(index=index, sizes=service.sizes, sizes_pending=sizes_pending,
                                                         taken_ports=frozenset(taken), facts=service.facts))
        if plan.sources.get("external_port") == PICKED:
            taken.add(plan.answers["external_port"])
        planned.append(replace(service, plan=plan))
    return planned


def _used_twice(services: Sequence[BatchService], key: str, normal) -> dict[int, str]:
    """Position in ``services`` -> the problem of a service repeating an earlier service's id or port."""
    first: dict[Any, BatchService] = {}
    problems = {}
    for number, service in enumerate(services):
        value = service.plan.answers.get(key)
        if value is None or check_answer(key, value):
            continue
        earlier = first.setdefault(normal(value), service)
        if earlier is not service:
            problems[number] = f"{BY_KEY[key].flag}: {value} is also used by {earlier.label}; each service needs its own"
    return problems


def _service_problems(service: BatchService) -> list[str]:
    """Unknown keys, what its plan finds (a broken default only where the service gives its own value, as the
    defaults' are listed once) and the answers it misses."""
    plan = service.plan
    lines = unknown_key_problems(service.own)
    said: dict[str, str] = {}  # a problem of two answers (a folder taken) is said once, by the first
    for key, messages in plan.problems.items():
        if key in service.own or key not in service.inherited:
            for message in messages:
                said.setdefault(message, f"{_flag(key)}: {message}")
    lines += list(said.values())
    return lines + [f"{_flag(key)}: missing ({help_for(key)})" for key in plan.missing]


def batch_problems(planned: Sequence[BatchService]) -> list[str]:
    """Every problem of every planned service, in spec order: broken rules, missing answers, and ids or external
    ports used twice in the batch or already used upstream."""
    repeated = [_used_twice(planned, "id", lambda value: str(value).lower()),
                _used_twice(planned, "external_port", lambda value: read_answer("external_port", value))]
    problems = []
    for number, service in enumerate(planned):
        lines = _service_problems(service) + [found[number] for found in repeated if number in found]
        problems += [f"{service.label}: {line}" for line in lines]
    return problems


def batch_notes(planned: Iterable[BatchService]) -> list[str]:
    """A note per answer left out because its service does not ask for it (tokens per second, for embeddings)."""
    return [f"{service.label}: note: {note}" for service in planned for note in service.plan.dropped]


def planned_folders(services: Iterable[BatchService], out: str | Path) -> list[Path]:
    """Where each checked service will be written ({interfaces[0]}-{id} under ``out``), before its sizes are
    known."""
    return [Path(out) / folder for service in services if (folder := folder_of(service.plan.answers))]


def refuse_existing(targets: Iterable[Path]) -> None:
    """FolderExists naming every target folder that exists (the one check here that reads the disk)."""
    from wizard.errors import FolderExists

    if existing := [target for target in targets if target.exists()]:
        raise FolderExists(f"{len(existing)} service folder(s) exist: " + ", ".join(str(t) for t in existing),
                           hint="pick another --out, or pass --force to replace them; nothing was written")


def references_to_look_up(services: Iterable[BatchService]) -> list[str]:
    """Each image reference whose size some service left out, once, in the order of the spec."""
    return list(dict.fromkeys(
        reference for service in services for device, reference in service.images().items()
        if f"{device}_size" not in service.answers
    ))


def with_sizes(services: Sequence[BatchService], results: Mapping[str, Any],
               kind: str = "unpacked") -> tuple[list[BatchService], list[str]]:
    """The services with the sizes looked up for them (``BatchService.sizes``, never their answers): the size of
    ``kind`` ("unpacked" or "download"), and a line per service image whose lookup failed."""
    sized, failures = [], []
    for service in services:
        sizes = dict(service.sizes)
        for device, reference in service.images().items():
            if f"{device}_size" in service.answers:
                continue
            result = results[reference]
            if isinstance(result, ImageError):
                failures.append(f"{service.label}: {BY_KEY[f'{device}_image'].flag} {reference}: {result}")
            else:
                sizes[device] = result.size_for(kind)
        sized.append(replace(service, sizes=sizes))
    return sized, failures
