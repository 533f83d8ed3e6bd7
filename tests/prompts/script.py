"""The answers of one ordinary run, step by step, for tests to reuse and change in part."""

from __future__ import annotations

from tests.found_sizes import found_size
from tests.prompts.conftest import DEFAULT
from wizard.errors import TagNotFound
from wizard.images import ImageSize, PlatformSize
from wizard.service.plan import PlanContext, ServicePlan, plan_service

NAME = "Dolly v2 12B Plain"
SERVICE_ID = "dolly-v2-12b-plain"
DESCRIPTION = "Dolly v2 12B, an instruction-following model by Databricks, served for chat."
GPU_IMAGE = "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2"
GPU_SIZE = 40689160223  # unpacked: what is written
GPU_DOWNLOAD = 15123456789
DIGEST = "sha256:" + "ab" * 32

IDENTITY = [("Name", NAME), ("Id", DEFAULT), ("Description", DESCRIPTION), ("Beta", DEFAULT)]
INTERFACES = [("Interfaces", ["chat"])]
IMAGES = [("GPU image", GPU_IMAGE), ("CPU image", "")]
RESOURCES = [("Memory: how much", "know"), ("Memory", "24 GiB"), ("Tokens per second", "18"), ("Port", DEFAULT),
             ("External port", DEFAULT)]
RUNNING = [("Set how the service runs?", False)]
DOCS = [("README.md", "generated"), ("logo.svg", "generated")]
REVIEW = [("What next?", "write")]
WRITE = [("Folder to write", DEFAULT), ("Test the service now?", False), ("Open a pull request now?", False)]
AFTER_RESOURCES = RUNNING + DOCS + REVIEW + WRITE
EVERY_STEP = IDENTITY + INTERFACES + IMAGES + RESOURCES + AFTER_RESOURCES


def expected_plan(index, external_port: int, **changes) -> ServicePlan:
    """The plan of the answers the ordinary run gives, as the core makes it."""
    return plan_service(expected_answers(external_port, **changes), PlanContext(index=index))


def expected_answers(external_port: int, **changes) -> dict:
    answers = {
        "name": NAME, "id": SERVICE_ID, "description": DESCRIPTION, "beta": True, "interfaces": ["chat"],
        "gpu_image": GPU_IMAGE, "gpu_size": GPU_SIZE, "memory": "24 GiB", "tokens_per_second": 18, "port": 8000,
        "external_port": external_port,
    }  # fmt: skip
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}


def multi_platform(reference: str, size: int = GPU_SIZE, download: int = GPU_DOWNLOAD, **details) -> ImageSize:
    """An index whose linux/amd64 image unpacks to ``size`` bytes and downloads ``download``."""
    platforms = (PlatformSize("linux/amd64", "sha256:" + "cd" * 32, download),
                 PlatformSize("linux/arm64", "sha256:" + "ef" * 32, None))
    return found_size(reference, size, download, digest=DIGEST, platform="linux/amd64", platforms=platforms, **details)


class FakeSizes:
    """``look_up_size`` answering from a table; a TagNotFound for anything else."""

    def __init__(self, table: dict | None = None) -> None:
        self.table = {GPU_IMAGE: multi_platform(GPU_IMAGE)} if table is None else table
        self.asked: list[str] = []

    async def __call__(self, reference: str) -> ImageSize:
        self.asked.append(reference)
        found = self.table.get(reference)
        if found is None:
            raise TagNotFound(f"the tag of {reference} does not exist; tags found: 1.0.1, 1.0.2",
                              tags=["1.0.1", "1.0.2"], hint="use one of the tags found, or push the tag first")
        if isinstance(found, Exception):
            raise found
        return found


def lookup_report(printed: list[str], reference: str) -> list[str]:
    """The lines a run printed after looking ``reference`` up: size, digest and platforms, or the error."""
    start = printed.index(f"  looking up {reference} …") + 1
    return printed[start : start + (3 if not printed[start].startswith("  could not") else 1)]
