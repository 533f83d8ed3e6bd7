"""The card read into answers, without a network: names in people's words, the pipeline mapping, the first
paragraph, the usage section, and the trimming of a description (property-tested)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hub.conftest import CHAT_CARD, EMBEDDINGS_CARD, NO_SUMMARY_CARD, WHISPER_CARD
from wizard.hub.card import (
    PIPELINES,
    answers_from_hub,
    first_paragraph,
    name_from_repo,
    trimmed,
    usage_notes,
)
from wizard.service.answers import check_answer
from wizard.service.rules import DESCRIPTION_MAX, DESCRIPTION_MIN


@pytest.mark.parametrize(("repo", "name"), [
    ("databricks/dolly-v2-12b", "Dolly v2 12B"), ("stabilityai/stable-diffusion-2-1", "Stable Diffusion 2.1"),
    ("meta-llama/Llama-2-7b-hf", "Llama 2 7B"), ("stabilityai/sd-xl-1-0-base", "SD XL 1.0 Base"),
    ("openai/whisper-large-v2", "Whisper Large v2"), ("suno/bark", "Bark"),
])
def test_a_repo_name_in_peoples_words(repo, name):
    assert name_from_repo(repo) == name
    assert check_answer("name", name) is None


@pytest.mark.parametrize(("tag", "interface"), [
    ("text-generation", "chat"), ("feature-extraction", "embeddings"), ("sentence-similarity", "embeddings"),
    ("text-to-image", "diffuser"), ("automatic-speech-recognition", "audio-to-text"), ("text-to-speech", "text-to-audio"),
    ("text-to-audio", "text-to-audio"), ("image-to-image", "upscaler"),
])
def test_the_issues_pipeline_mapping(tag, interface):
    assert PIPELINES[tag] == interface
    found = answers_from_hub("a/b", {"pipeline_tag": tag}, None, "https://huggingface.co")
    assert found.answers["interfaces"] == [interface] and tag in found.sources["interfaces"]


def test_an_unknown_pipeline_is_a_note_not_a_guess():
    found = answers_from_hub("a/b", {"pipeline_tag": "image-classification"}, None, "https://huggingface.co")
    assert "interfaces" not in found.answers and any("image-classification" in n for n in found.notes)


def test_the_first_paragraph_skips_headings_pictures_tables_and_code():
    assert first_paragraph(CHAT_CARD).startswith("Databricks' dolly-v2-12b, an instruction-following")
    assert first_paragraph(EMBEDDINGS_CARD).startswith("This is a sentence-transformers model: It maps")
    assert first_paragraph(WHISPER_CARD).startswith("Whisper is a pre-trained model")
    assert first_paragraph(NO_SUMMARY_CARD) is None


def test_the_usage_section_stops_at_the_next_heading_of_its_level():
    notes = usage_notes(CHAT_CARD)
    assert notes.startswith("```python") and notes.endswith("```") and "Limitations" not in notes
    assert usage_notes(WHISPER_CARD) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), min_size=1,
                        max_size=40), min_size=1, max_size=120))
def test_a_trimmed_description_keeps_the_rules_and_cuts_only_at_words(words):
    text = " ".join(words)
    if len(" ".join(text.split())) < DESCRIPTION_MIN:
        return  # too short to be a description: the card reader leaves it to the user
    result = trimmed(text)
    assert len(result) <= DESCRIPTION_MAX
    if result.endswith("…"):
        kept = result[:-1]
        assert " ".join(text.split()).startswith(kept)
        following = " ".join(text.split())[len(kept):]
        assert following[:1].isspace() or re.match(r"[ ,;:-]", following[:1] or " ")  # cut at a word's end
    else:
        assert " ".join(text.split()).startswith(result)
        rest = " ".join(text.split())[len(result):]
        assert rest == "" or rest.startswith(" ")  # whole sentences, so whole words
    assert check_answer("description", result) is None  # within every rule of the field
