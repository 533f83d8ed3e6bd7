"""The Prem Daemon's contract: what premAI-io/prem-daemon reads from every manifest, and what breaks without it.

From its source (``app/core/services.py``, ``app/core/utils.py``, ``app/schemas.py``):

- ``GET /v1/services/`` runs ``get_service_object`` on every service the user's registries list. It reads
  ``service["modelInfo"]``, compares ``modelInfo["memoryRequirements"]`` (MiB) with the free memory, reads
  ``service["dockerImages"]["gpu"|"cpu"]["image"|"size"]``, splits the image at ":" and compares the size with
  the free disk. A ``KeyError`` or ``TypeError`` there fails the whole request (HTTP 500): one broken manifest
  hides every service from every user of the registry.
- The answer is checked against ``ServiceResponse``: ``id`` and ``name`` text, ``modelInfo`` an object,
  ``interfaces`` a list of text, ``defaultPort`` and ``defaultExternalPort`` ints. A value of another type fails
  the same request.
- ``add_services_from_registry`` keys services by ``id`` and skips an id it already holds.

These facts are rules here, each with the behaviour it protects; ``checks`` adds that behaviour to the field
rule's own message, or reports it alone when no field rule said it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wizard.service.rules import DEVICES, kind_of

EVERYONE = "GET /v1/services/ fails (HTTP 500) for every user of the registry"
ON_MACHINES = {"gpu": "on every machine with a GPU", "cpu": "on every machine that runs the CPU image"}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_docker(data: Mapping[str, Any]) -> bool:
    return data.get("serviceType", "docker") != "binary"


@dataclass(frozen=True)
class Need:
    """One thing the daemon reads: where, of what type, for which services, and what it does with it."""

    path: str
    expects: str  # the type in words: "an object", "a whole number"
    fits: Callable[[Any], bool]
    reads: str  # what the daemon's code does with it
    breaks: str = EVERYONE  # what fails when it is missing or of another type
    docker_only: bool = False
    optional: bool = False  # read only when present

    def behaviour(self) -> str:
        return f"the Prem Daemon {self.reads}, so {self.breaks}"


def _image_needs(device: str) -> tuple[Need, ...]:
    breaks = f"GET /v1/services/ fails (HTTP 500) {ON_MACHINES[device]}"
    return (
        Need(f"dockerImages.{device}", "an object with image and size", lambda v: isinstance(v, dict),
             f'reads dockerImages["{device}"]["image"] and ["size"]', breaks, docker_only=True, optional=True),
        Need(f"dockerImages.{device}.image", "text", lambda v: isinstance(v, str),
             f'takes dockerImages["{device}"]["image"] and splits it at ":"', breaks, docker_only=True),
        Need(f"dockerImages.{device}.size", "a whole number of bytes", _is_int,
             f'compares dockerImages["{device}"]["size"] (bytes) with the free disk as a number', breaks,
             docker_only=True),
    )


NEEDS: tuple[Need, ...] = (
    Need("id", "text", lambda v: isinstance(v, str), 'keys every service by service["id"] and answers it as text'),
    Need("name", "text", lambda v: isinstance(v, str), "answers GET /v1/services/ with each service's name as text"),
    Need("modelInfo", "an object", lambda v: isinstance(v, dict), 'reads service["modelInfo"] for every service'),
    Need("modelInfo.memoryRequirements", "a whole number of MiB", _is_number,
         "compares modelInfo.memoryRequirements (MiB) with the free memory as a number", optional=True),
    Need("interfaces", "a list of text", _is_text_list,
         'filters services with `interface in service["interfaces"]` and answers them as a list of text'),
    Need("dockerImages", "an object with gpu and/or cpu", lambda v: isinstance(v, dict),
         'reads service["dockerImages"] for every service', docker_only=True),
    *(need for device in DEVICES for need in _image_needs(device)),
    Need("defaultPort", "a whole number", _is_int,
         "answers with defaultPort as an int and publishes it as the container's port", docker_only=True),
    Need("defaultExternalPort", "a whole number", _is_int,
         "answers with defaultExternalPort as an int and binds the service to it on the user's machine",
         docker_only=True),
)
BY_PATH: dict[str, Need] = {need.path: need for need in NEEDS}
NO_IMAGE = Need("dockerImages", "an object with gpu and/or cpu", lambda v: True,
                'runs dockerImages["gpu"] on machines with a GPU and dockerImages["cpu"] on the others',
                "Prem lists the service as not supported and nobody can install it", docker_only=True)
DUPLICATE_ID = ("the Prem Daemon keeps the first service with an id and skips every later one, so only one of them "
                "is ever listed")

_MISSING = object()


def _at(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _parent_broken(data: Mapping[str, Any], path: str) -> bool:
    """A value inside a missing or mistyped object is that object's problem, said once."""
    parent = path.rpartition(".")[0]
    return bool(parent) and not isinstance(_at(data, parent), Mapping)


@dataclass(frozen=True)
class Break:
    path: str
    message: str  # the whole finding, when no field rule said it
    behaviour: str  # what to add to a field rule's message on the same path


def daemon_breaks(data: Mapping[str, Any]) -> list[Break]:
    """Each way this manifest breaks the daemon's contract, in the contract's order."""
    breaks: list[Break] = []
    for need in NEEDS:
        if need.docker_only and not _is_docker(data) or _parent_broken(data, need.path):
            continue
        value = _at(data, need.path)
        if value is _MISSING:
            if not need.optional:
                breaks.append(Break(need.path, f"{need.path} is missing: {need.behaviour()}", need.behaviour()))
        elif not need.fits(value):
            breaks.append(Break(need.path, f"{need.path} is {kind_of(value)}, not {need.expects}: "
                                f"{need.behaviour()}", need.behaviour()))
    images = data.get("dockerImages")
    if _is_docker(data) and isinstance(images, Mapping) and not any(device in images for device in DEVICES):
        breaks.append(Break("dockerImages", f"dockerImages holds no gpu nor cpu image: {NO_IMAGE.behaviour()}",
                            NO_IMAGE.behaviour()))
    return breaks
