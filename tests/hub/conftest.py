from __future__ import annotations

import pytest

from tests.servers.hub_emulator import HubEmulator, model

CHAT_CARD = """---
license: mit
language:
- en
---
# dolly-v2-12b Model Card

![Dolly](https://example.invalid/dolly.png)

## Summary

Databricks' `dolly-v2-12b`, an instruction-following large language model trained on the Databricks machine
learning platform that is licensed for commercial use. Based on `pythia-12b`, Dolly is trained on ~15k
instruction/response fine tuning records.

## Usage

```python
import torch
from transformers import pipeline
generate_text = pipeline(model="databricks/dolly-v2-12b", torch_dtype=torch.bfloat16, trust_remote_code=True)
```

## Known Limitations

Many.
"""
EMBEDDINGS_CARD = """---
license: apache-2.0
pipeline_tag: sentence-similarity
---

# all-MiniLM-L6-v2
This is a [sentence-transformers](https://www.SBERT.net) model: It maps sentences & paragraphs to a 384 dimensional
dense vector space and can be used for tasks like clustering or semantic search.
"""
WHISPER_CARD = "---\nlicense: apache-2.0\n---\n\n# Whisper\n\n| a | table |\n| - | - |\n\nWhisper is a pre-trained model for automatic speech recognition and speech translation, trained on 680k hours of labelled data.\n"
NO_SUMMARY_CARD = "---\nlicense: openrail++\n---\n\n# SD\n\n![x](y.png)\n\n<img src='a.png'>\n\n```\ncode\n```\n"

MODELS = {
    "databricks/dolly-v2-12b": model("databricks/dolly-v2-12b", "text-generation",
                                     parameters={"BF16": 11_858_000_000}, card=CHAT_CARD),
    "sentence-transformers/all-MiniLM-L6-v2": model("sentence-transformers/all-MiniLM-L6-v2", "sentence-similarity",
                                                    parameters={"F32": 22_713_216}, card=EMBEDDINGS_CARD,
                                                    license_="apache-2.0"),
    "openai/whisper-large-v2": model("openai/whisper-large-v2", "automatic-speech-recognition",
                                     parameters={"F32": 1_543_490_560}, card=WHISPER_CARD, license_="apache-2.0"),
    "stabilityai/stable-diffusion-2-1": model("stabilityai/stable-diffusion-2-1", "text-to-image",
                                              card=NO_SUMMARY_CARD, license_="openrail++"),
    "meta-llama/Llama-2-7b-hf": {**model("meta-llama/Llama-2-7b-hf", "text-generation",
                                        parameters={"F16": 6_738_415_616}, card=CHAT_CARD), "fault": "gated"},
    "acme/private-chat-7b": {**model("acme/private-chat-7b", "text-generation", parameters={"BF16": 7_000_000_000},
                                     card=CHAT_CARD), "fault": "private"},
    "busy/model": {**model("busy/model", "text-generation", card=CHAT_CARD), "fault": "429"},
    "broken/model": {**model("broken/model", "text-generation", card=CHAT_CARD), "fault": "500"},
    "slow/model": {**model("slow/model", "text-generation", card=CHAT_CARD), "fault": "stall"},
}


@pytest.fixture
def hub(monkeypatch, tmp_path):
    emulator = HubEmulator(MODELS, stall=3.0)
    monkeypatch.setenv("HF_ENDPOINT", emulator.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # no login cache of the machine's
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "1")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    yield emulator
    emulator.stop()
