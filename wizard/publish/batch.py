"""Batch spec files: many services in one TOML, YAML or JSON file, with shared defaults at the top.

The format (see ``assets/examples/batch/``)::

    # shared defaults: any answer key of wizard.service.answers.ANSWERS (kebab-case and 'interface' work too)
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

Each service's answers are the defaults overridden by its own (a ``ChainMap``), then ``with_defaults``.
Problems are lines ``SPEC:services[N] (id or name): --flag: message`` (``SPEC: ...`` for the defaults):
broken rules, missing answers, ids and external ports used twice in the batch or already used upstream.
Everything here is pure except :func:`read_batch_specs`, which reads the files.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from wizard.errors import ImageError, WizardError
from wizard.registry.index import RegistryIndex, free_external_port
from wizard.registry.upstream import upstream_problems
from wizard.service.answers import (
    ANSWERS,
    BY_KEY,
    answer_problems,
    flag_for,
    missing_keys,
    normalise_answers,
    problems_by_answer,
    unknown_answer_keys,
    with_defaults,
)
from wizard.service.rules import DEVICES

SERVICES_KEY = "services"


@dataclass(frozen=True)
class BatchService:
    source: str  # the spec file, as named on the command line
    position: int  # N in services[N]
    answers: dict[str, Any]  # the defaults overridden by the service's own answers, with_defaults applied
    own: Mapping[str, Any] = field(default_factory=dict)  # the service's own answers, as given

    @property
    def label(self) -> str:
        """``SPEC:services[N] (id)``: where a problem of this service is."""
        named = self.answers.get("id") or self.answers.get("name")
        return f"{self.source}:{SERVICES_KEY}[{self.position}]" + (f" ({named})" if named else "")

    def images(self) -> dict[str, str]:
        """device -> image reference, for the devices this service has."""
        return {d: str(self.answers[f"{d}_image"]) for d in DEVICES if f"{d}_image" in self.answers}


def _unknown_key_problems(answers: Mapping[str, Any]) -> list[str]:
    known = ", ".join(a.key for a in ANSWERS)
    return [f"unknown key '{key}' (known keys: {known})" for key in unknown_answer_keys(answers)]


def services_from_spec(data: Mapping[str, Any], source: str) -> tuple[list[BatchService], list[str]]:
    """The services of one parsed spec file, and the problems of its defaults and of its shape."""
    defaults = normalise_answers({k: v for k, v in data.items() if k != SERVICES_KEY})
    problems = [f"{source}: {line}" for line in _unknown_key_problems(defaults) + answer_problems(defaults)]
    entries = data.get(SERVICES_KEY)
    if not isinstance(entries, list) or not entries:
        shape = "is empty" if isinstance(entries, list) else "is missing" if entries is None else "is not a list"
        problems.append(f"{source}: '{SERVICES_KEY}' {shape}; add a [[services]] table per service (TOML) or a "
                        f"'{SERVICES_KEY}:' list (YAML, JSON), see assets/examples/batch/")
        return [], problems
    services = []
    for position, entry in enumerate(entries):
        where = f"{source}:{SERVICES_KEY}[{position}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: a service is a table of answers (name = ..., gpu_image = ...), "
                            f"not {type(entry).__name__}")
            continue
        own = normalise_answers(entry)
        services.append(BatchService(source, position, with_defaults(ChainMap(own, defaults)), own))
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


def _service_problems(service: BatchService, *, sizes_looked_up: bool) -> list[str]:
    """Unknown keys, broken rules (of its own answers: the defaults' are listed once) and missing answers;
    then, when there is none of these, the manifest's rules across fields."""
    answers = service.answers
    problems = _unknown_key_problems(service.own) + answer_problems(service.own)
    problems += [f"{flag_for(key)}: missing ({what})"
                 for key, what in missing_keys(answers, sizes_looked_up=sizes_looked_up) if key != "external_port"]
    if problems or answer_problems(answers):
        return problems
    placeholders = {"gpu_size": 1, "cpu_size": 1, "external_port": 1}  # looked up or picked later
    broken = problems_by_answer(ChainMap(answers, placeholders))
    return [f"{BY_KEY[key].flag if key in BY_KEY else key}: {message}"
            for key, messages in broken.items() for message in messages]


def _used_twice(services: Sequence[BatchService], key: str, normal) -> dict[int, str]:
    """Position in ``services`` -> the problem of a service repeating an earlier service's id or port."""
    first: dict[Any, BatchService] = {}
    problems = {}
    for number, service in enumerate(services):
        value = service.answers.get(key)
        if value is None or answer_problems({key: value}):
            continue
        earlier = first.setdefault(normal(value), service)
        if earlier is not service:
            problems[number] = f"{BY_KEY[key].flag}: {value} is also used by {earlier.label}; each service needs its own"
    return problems


def batch_problems(services: Sequence[BatchService], index: RegistryIndex | None, *,
                   sizes_looked_up: bool) -> list[str]:
    """Every problem of every service, in spec order: missing answers, broken rules, and ids or external ports
    used twice in the batch or already used upstream."""
    repeated = [_used_twice(services, "id", lambda value: str(value).lower()),
                _used_twice(services, "external_port", int)]
    problems = []
    for number, service in enumerate(services):
        lines = _service_problems(service, sizes_looked_up=sizes_looked_up)
        lines += upstream_problems(service.answers, index)
        lines += [found[number] for found in repeated if number in found]
        problems += [f"{service.label}: {line}" for line in lines]
    return problems


def with_external_ports(services: Sequence[BatchService], index: RegistryIndex | None) -> list[BatchService]:
    """Each service without an external port gets a free one: unused upstream and in the batch."""
    index = index or RegistryIndex((), "none")
    taken = {int(s.answers["external_port"]) for s in services if "external_port" in s.answers}
    ported = []
    for service in services:
        if "external_port" not in service.answers:
            port = free_external_port(index, seed=str(service.answers.get("id", "")), taken=taken)
            taken.add(port)
            service = replace(service, answers={**service.answers, "external_port": port})
        ported.append(service)
    return ported


def references_to_look_up(services: Iterable[BatchService]) -> list[str]:
    """Each image reference whose size some service left out, once, in the order of the spec."""
    return list(dict.fromkeys(
        reference for service in services for device, reference in service.images().items()
        if f"{device}_size" not in service.answers
    ))


def with_sizes(services: Sequence[BatchService], results: Mapping[str, Any]) -> tuple[list[BatchService], list[str]]:
    """The services with every looked-up size filled in, and a line per service image whose lookup failed."""
    sized, failures = [], []
    for service in services:
        answers = dict(service.answers)
        for device, reference in service.images().items():
            if f"{device}_size" in answers:
                continue
            result = results[reference]
            if isinstance(result, ImageError):
                failures.append(f"{service.label}: --{device}-image {reference}: {result}")
            else:
                answers[f"{device}_size"] = result.size
        sized.append(replace(service, answers=answers))
    return sized, failures
