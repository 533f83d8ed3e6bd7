"""One step from answers to a service folder: ``plan_service(answers, context) -> ServicePlan``.

Every front end calls it, as often as it likes (the wizard on each keystroke's pause, the CLI once): it is
pure, reads no file and sends no request. What it needs from outside (the upstream index, looked-up
sizes, the manifest being edited, a README or logo the contributor wrote) comes in ``PlanContext``.

The answers a person gave stay as they are. What the plan derives sits in its own layer beneath them,
and the table's defaults beneath that; ``ServicePlan.sources`` says where each resolved answer came from.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wizard.errors import IndexUnavailable
from wizard.registry.checks import Finding, check_files
from wizard.registry.index import (
    RegistryIndex,
    folder_collision,
    free_external_port,
    id_collision,
    port_collision,
)
from wizard.service.answers import (
    answers_from_manifest,
    apply_answers,
    manifest_data,
    missing_keys,
    out_of_place,
    stored_values,
)
from wizard.service.fields import ASKED, BY_KEY, BY_PATH
from wizard.service.manifest import (
    Manifest,
    explain,
    folder_name,
    registry_json,
    service_folder_name,
)
from wizard.service.render import render_service
from wizard.service.rules import DEVICES, RuleBroken, suggest_id

TYPED, SUGGESTED, LOOKED_UP, PICKED, DEFAULT = "typed", "suggested from the name", "looked up", "picked", "default"


@dataclass(frozen=True)
class PlanContext:
    index: RegistryIndex | None = None
    sizes: Mapping[str, int] = field(default_factory=dict)  # device -> bytes, looked up for the image typed
    sizes_pending: bool = False  # sizes left out will be looked up: not missing yet
    original: Mapping[str, Any] | None = None  # the manifest being edited, as read
    readme: str | None = None  # the contributor's README; None: generated
    logo: bytes | None = None  # the contributor's logo; None: the placeholder
    facts: Any = None  # the model's facts from the Hub (``hub.card.ModelFacts``), stated in a generated README
    pick_port: bool = True  # pick a free external port when none is given
    taken_ports: frozenset[int] = frozenset()  # held by other services of the same run (a batch)
    # what `validate` found in the folder being edited, as it was (paths "{folder}/{file}"): findings it
    # already had are "already upstream" warnings, never a reason to refuse the save
    baseline: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class ServicePlan:
    answers: ChainMap  # resolved: typed > derived > defaults
    sources: dict[str, str]  # answer key -> TYPED, SUGGESTED, LOOKED_UP, PICKED or DEFAULT
    data: dict[str, Any]  # the manifest as far as it goes, for a preview
    manifest: Manifest | None  # None while any rule is broken or an answer is missing
    problems: dict[str, list[str]]  # answer key (or manifest path) -> messages
    missing: list[str]  # answer keys still needed (answers.IMAGES for "an image")
    dropped: list[str]  # notes on answers left out because their field no longer applies
    files: dict[str, bytes]  # the folder's files, once there is a manifest
    findings: list[Finding]  # what `validate` says of those files
    # rules the edited service already broke with the value it still has: said, but they stop nothing
    inherited: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not self.problems and not self.missing

    @property
    def folder(self) -> str | None:
        return folder_name(self.manifest) if self.manifest is not None else None

    @property
    def manifest_text(self) -> str:
        return registry_json(self.manifest if self.manifest is not None else self.data)

    def problem_lines(self, name=lambda key: BY_KEY[key].label if key in BY_KEY else key) -> list[str]:
        """A line per problem; one that belongs to two answers (a folder taken) under the first only."""
        said: dict[str, str] = {}
        for key, messages in self.problems.items():
            for message in messages:
                said.setdefault(message, f"{name(key)}: {message}")
        return list(said.values())


def _derived(given: Mapping[str, Any], context: PlanContext) -> tuple[dict[str, Any], dict[str, str]]:
    derived: dict[str, Any] = {}
    sources: dict[str, str] = {}
    if "id" not in given and isinstance(given.get("name"), str) and suggest_id(given["name"]):
        derived["id"], sources["id"] = suggest_id(given["name"]), SUGGESTED
    for device in DEVICES:
        if f"{device}_image" in given and f"{device}_size" not in given and device in context.sizes:
            derived[f"{device}_size"], sources[f"{device}_size"] = context.sizes[device], LOOKED_UP
    service_id = given.get("id", derived.get("id"))
    if "external_port" not in given and context.pick_port and context.original is None and service_id:
        index = context.index or RegistryIndex((), "none")
        try:
            derived["external_port"] = free_external_port(index, seed=str(service_id), taken=context.taken_ports)
            sources["external_port"] = PICKED
        except IndexUnavailable:
            pass  # every port taken: the contributor is asked for one
    return derived, sources


def _defaults(context: PlanContext) -> dict[str, Any]:
    if context.original is not None:
        return {}  # an edit adds no key the service did not have
    return {f.key: f.default for f in ASKED if f.default is not None}


def folder_of(answers: Mapping[str, Any]) -> str | None:
    """The service folder the answers make ({interfaces[0]}-{id}), once both follow their rules; known before
    the sizes are, so a command can refuse a folder before any lookup."""
    values = stored_values(answers)
    if "id" not in values or not values.get("interfaces"):
        return None
    return service_folder_name(values["interfaces"][0], values["id"])


def _upstream_problems(answers: Mapping[str, Any], context: PlanContext) -> dict[str, list[str]]:
    """Ids, folders and external ports other upstream services hold; never the edited service's own."""
    if context.index is None:
        return {}
    problems: dict[str, list[str]] = {}
    original = context.original or {}
    own_id, own_port = original.get("id"), original.get("defaultExternalPort")
    values = stored_values(answers)
    id_holder = None
    if "id" in values and values["id"] != own_id and (message := id_collision(context.index, values["id"])):
        problems["id"] = [message]
        id_holder = str(values["id"]).lower()
    folder = folder_of(answers)
    own_interfaces = original.get("interfaces")
    own_folder = service_folder_name(str(own_interfaces[0]), str(own_id)) \
        if isinstance(own_interfaces, list) and own_interfaces and own_id else None
    skip = [i for i in (own_id, id_holder) if isinstance(i, str)]  # the id's holder is named once, by the id
    if folder is not None and folder != own_folder and \
            (message := folder_collision(context.index, folder, skip_ids=skip, service_id=values["id"])):
        # the folder is made of both answers: the id's field and the interfaces' field each refuse it
        problems.setdefault("id", []).append(message)
        problems["interfaces"] = [message]
    port = values.get("external_port")
    if port is not None and port != own_port and (message := port_collision(context.index, port)):
        problems["external_port"] = [message]
    return problems


def _answer_of(path: str) -> str:
    """The answer key behind a manifest path ('dockerImages.gpu.size' -> 'gpu_size')."""
    parts = path.split(".")
    for length in range(len(parts), 0, -1):
        found = BY_PATH.get(".".join(parts[:length]))
        if found is not None:
            return found.key
    return path


def _dropped_keys(answers: Mapping[str, Any], keep: set[str]) -> set[str]:
    return {f.key for f in out_of_place(answers) if f.key not in keep}


def _with_stand_in_sizes(data: dict[str, Any], devices: list[str]) -> dict[str, Any]:
    if not devices:
        return data
    images = {d: {**image, "size": 1} if d in devices else image for d, image in data["dockerImages"].items()}
    return {**data, "dockerImages": images}


def plan_service(answers: Mapping[str, Any], context: PlanContext | None = None) -> ServicePlan:
    context = context or PlanContext()
    given = {k: v for k, v in answers.items() if v is not None}
    derived, sources = _derived(given, context)
    resolved = ChainMap(given, derived, _defaults(context))
    sources = {**{k: DEFAULT for k in resolved.maps[2]}, **sources, **{k: TYPED for k in given}}
    # the service type is never asked: an edited binary service keeps its own, and with it its `when`s
    kind = {"service_type": context.original["serviceType"]} if "serviceType" in (context.original or {}) else {}
    # a field already out of place in the service being edited stays as it is: only a change drops one
    before = {**answers_from_manifest(context.original), **kind} if context.original else {}
    keep = {f.key for f in out_of_place(before)}
    drop = _dropped_keys(ChainMap(resolved, kind), keep)
    dropped = [f"{BY_KEY[k].label} is left out: it is asked only {BY_KEY[k].when.says}" for k in sorted(drop)]
    # in the table's order (a ChainMap iterates its last layer first), so problems come in the order asked
    rank = {key: number for number, key in enumerate(BY_KEY)}
    effective = {k: resolved[k] for k in sorted(resolved, key=lambda k: rank.get(k, len(rank))) if k not in drop}

    problems: dict[str, list[str]] = {}
    for key, value in effective.items():
        if key in BY_KEY and (message := BY_KEY[key].message(value)):
            problems.setdefault(key, []).append(message)
    inherited = _inherited(problems, effective, context)
    for key, messages in _upstream_problems(effective, context).items():
        problems.setdefault(key, []).extend(messages)
    missing = missing_keys(ChainMap(effective, kind), sizes_pending=context.sizes_pending)
    if context.original is not None and not any(f"{d}_image" in effective for d in DEVICES):
        missing = [m for m in missing if m != "images"] if "dockerImages" not in context.original else missing

    data = apply_answers(context.original, effective) if context.original is not None else manifest_data(effective)
    manifest = None
    pending = [d for d in DEVICES if context.sizes_pending and f"{d}_image" in effective and f"{d}_size" not in effective]
    if not problems and not missing:
        try:
            # a size still to be looked up stands in as 1 byte, so every other rule is checked before the lookup
            manifest = Manifest.model_validate(_with_stand_in_sizes(data, pending))
            if context.original is not None:
                manifest._key_order = tuple(data)
        except ValidationError as error:
            for path, message in explain(error):
                key = _answer_of(path)
                said = (inherited if key in inherited else problems).setdefault(key, [])
                if message not in said:  # the field's rule and the model may word the same problem alike
                    said.append(message)
            if inherited and not problems:  # only what the service already broke: kept as it was written
                manifest = Manifest.model_validate(_with_stand_in_sizes(data, pending), context={"lenient": True})
                manifest._key_order = tuple(data)
        if pending:
            manifest = None  # checked, but not a manifest until its sizes are known
    files: dict[str, bytes] = {}
    findings: list[Finding] = []
    if manifest is not None:
        files = render_service(manifest, readme=context.readme, logo=context.logo, facts=context.facts)
        findings = _judged(check_files(Path(folder_name(manifest)), files).findings, context.baseline)
    return ServicePlan(ChainMap(effective), {k: v for k, v in sources.items() if k in effective}, data, manifest,
                       problems, missing, dropped, files, findings, inherited)


def _inherited(problems: dict[str, list[str]], effective: Mapping[str, Any], context: PlanContext) -> dict[str, list[str]]:
    """The problems of an edit's answers that still hold the value the service had (an empty description
    upstream): taken out of ``problems``, since the edit did not make them."""
    if context.original is None:
        return {}
    before = answers_from_manifest(context.original)

    def same(key: str) -> bool:
        old, new = before[key], effective[key]
        try:
            return BY_KEY[key].read(old) == BY_KEY[key].read(new)
        except RuleBroken:  # the value breaks its rule, so it does not read: compare it as typed
            return old == new or str(old) == str(new)

    kept = [key for key in problems if key in before and key in effective and key in BY_KEY and same(key)]
    return {key: problems.pop(key) for key in kept}


def _judged(findings: list[Finding], baseline: tuple[Finding, ...]) -> list[Finding]:
    if not baseline:
        return findings
    from wizard.registry.baseline import finding_key, judge

    folder = finding_key(findings[0], "")[0] if findings else ""
    return judge(findings, baseline, root="", baseline_root="", renamed={folder: finding_key(baseline[0], "")[0]})
