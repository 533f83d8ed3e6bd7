from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# shared/ sits beside the checkout, for developers and CI alike
SNAPSHOT = Path(os.environ.get("PREM_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared")) / "registry-snapshot"
EXAMPLES = SNAPSHOT / "examples"
INDEX = SNAPSHOT / "manifests.json"


@pytest.fixture
def index_entries() -> list[dict]:
    return json.loads(INDEX.read_text(encoding="utf-8"))


GOOD_ANSWERS = {
    "name": "Dolly v2 12B Test",
    "id": "dolly-v2-12b-test",
    "description": "Dolly-v2-12b, developed by Databricks, is an instruction-following model.",
    "interfaces": ["chat"],
    "gpu_image": "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2",
    "gpu_size": 40689160223,
    "memory": 24576,
    "tokens_per_second": 18,
    "port": 8000,
    "external_port": 8339,
}


@pytest.fixture
def good_answers() -> dict:
    return dict(GOOD_ANSWERS)
