"""A Hub model's info and card, read into the tool's answers: pure, so every rule is tested without a network.

What comes from where is kept with each answer (``HubAnswers.sources``), because a value that looks right but
was guessed is the complaint people have of every tool that fills answers in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.service.estimate import BYTES_PER_PARAMETER, estimate_memory_mib
from wizard.service.rules import DESCRIPTION_MAX, DESCRIPTION_MIN

# the Hub's pipeline_tag -> the Prem interface a service of that model serves
PIPELINES: dict[str, str] = {
    "text-generation": "chat", "text2text-generation": "chat", "conversational": "chat",
    "feature-extraction": "embeddings", "sentence-similarity": "embeddings",
    "text-to-image": "diffuser", "automatic-speech-recognition": "audio-to-text",
    "text-to-speech": "text-to-audio", "text-to-audio": "text-to-audio", "image-to-image": "upscaler",
}
# the safetensors dtype holding most parameters -> the estimate's precision
DTYPES = {"F64": "fp32", "F32": "fp32", "BF16": "fp16/bf16", "F16": "fp16/bf16", "F8_E4M3": "int8", "F8_E5M2": "int8",
          "I8": "int8", "U8": "int8", "I4": "int4"}
MODEL_CARD = "from the model card"
SMALL_WORDS = {"a", "an", "as", "at", "by", "in", "is", "it", "of", "on", "or", "to", "up"}
USAGE_HEADINGS = re.compile(r"^#{1,4}\s*(how to use|usage|getting started|quick ?start|use)\b", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ModelFacts:
    """What the README states of the model: a link, its licence, its size, how to use it."""

    repo_id: str
    url: str
    license: str | None = None
    parameters: int | None = None
    usage: str | None = None
    precision: str | None = None  # the weights' own, as the memory estimate names it (not stated in the README)


def facts_from_dict(data: Mapping[str, Any] | None) -> ModelFacts | None:
    """ModelFacts as a draft keeps them (a dict); None for anything else, as a draft is outside input too."""
    if not isinstance(data, Mapping) or not isinstance(data.get("repo_id"), str) or not isinstance(data.get("url"), str):
        return None
    def text(key: str) -> str | None:
        return data[key] if isinstance(data.get(key), str) else None
    count = data.get("parameters")
    precision = text("precision")
    return ModelFacts(data["repo_id"], data["url"], text("license"),
                      count if isinstance(count, int) and not isinstance(count, bool) else None, text("usage"),
                      precision if precision in BYTES_PER_PARAMETER else None)


@dataclass
class HubAnswers:
    answers: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # answer key -> where it came from, in words
    notes: list[str] = field(default_factory=list)  # what could not be filled in, and why
    estimates: dict[str, int] = field(default_factory=dict)  # precision -> MiB, every one offered
    facts: ModelFacts | None = None

    def unanswered(self, answers: Mapping[str, Any]) -> list[str]:
        """The keys this model answers that ``answers`` leaves empty: the model fills those only."""
        return [key for key in self.answers if answers.get(key) in (None, "", [])]


def name_from_repo(repo_id: str) -> str:
    """'databricks/dolly-v2-12b' -> 'Dolly v2 12B': the repo's name in people's words."""
    # 'stable-diffusion-2-1' is version 2.1; 'Llama-2-7b' stays two words (7b is a size)
    base = re.sub(r"(^|[-_])(\d+)[-_](\d+)(?=$|[-_])", r"\1\2.\3", repo_id.rsplit("/", 1)[-1])
    words = [w for w in re.split(r"[-_\s]+", base) if w]
    if len(words) > 1 and words[-1].lower() == "hf":  # "-hf": the weights in transformers' format, not a name
        words.pop()
    out = []
    for word in words:
        if len(word) <= 2 and word.isalpha() and word.lower() not in SMALL_WORDS:
            out.append(word.upper())  # sd, xl, ai: letters, not a word
            continue
        if re.fullmatch(r"\d+(\.\d+)?[bmkt]", word, re.IGNORECASE):
            out.append(word[:-1] + word[-1].upper())  # a size: 12B, 560M
        elif re.fullmatch(r"v\d+(\.\d+)*", word, re.IGNORECASE):
            out.append(word.lower())  # a version: v2
        elif word.isupper() or any(c.isdigit() for c in word):
            out.append(word)  # GPT, MiniLM-L6 pieces, l6: as written
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out) or repo_id


def without_front_matter(card: str) -> str:
    if card.startswith("---"):
        end = card.find("\n---", 3)
        if end != -1:
            return card[card.find("\n", end + 1) + 1:] if card.find("\n", end + 1) != -1 else ""
    return card


def _prose(block: str) -> str | None:
    """A paragraph of text, or None for a heading, a picture, a badge, a table, HTML or code."""
    lines = block.strip().splitlines()
    while lines and lines[0].lstrip().startswith("#"):  # a heading right above its paragraph
        lines.pop(0)
    text = "\n".join(lines).strip()
    if not text or text.startswith(("#", "|", "<", "```", "!", ">", "-", "*", "[!")):
        return None
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # pictures inside the text
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links keep their words
    text = re.sub(r"[*_`]{1,3}([^*_`]+)[*_`]{1,3}", r"\1", text)  # emphasis and code marks
    text = " ".join(text.split())
    return text if len(re.findall(r"[A-Za-z]{2,}", text)) >= 4 else None


def first_paragraph(card: str) -> str | None:
    body = without_front_matter(card)
    body = re.sub(r"```.*?```", "", body, flags=re.DOTALL)
    for block in re.split(r"\n\s*\n", body):
        if (text := _prose(block)) is not None:
            return text
    return None


def trimmed(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """``text`` within ``limit`` characters: whole sentences when they fit, else cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = ""
    for sentence in sentences:
        if len(kept) + len(sentence) + (1 if kept else 0) > limit:
            break
        kept = f"{kept} {sentence}" if kept else sentence
    if len(kept) >= DESCRIPTION_MIN:
        return kept
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut + "…"


def usage_notes(card: str, limit: int = 1500) -> str | None:
    """The card's "How to use" section (its heading's level), cut to ``limit`` characters at a line."""
    body = without_front_matter(card)
    match = USAGE_HEADINGS.search(body)
    if not match:
        return None
    level = len(match.group(0)) - len(match.group(0).lstrip("#"))
    rest = body[match.end():].split("\n", 1)[1] if "\n" in body[match.end():] else ""
    ending = re.search(rf"^#{{1,{level}}}\s", rest, re.MULTILINE)
    section = (rest[: ending.start()] if ending else rest).strip()
    if not section:
        return None
    if len(section) > limit:
        section = section[:limit].rsplit("\n", 1)[0]
        if section.count("```") % 2:
            section += "\n```"
        section += "\n\n(more on the model card)"
    return section


def precision_of(parameters: Mapping[str, Any]) -> str:
    dtype = max(parameters, key=lambda k: parameters[k] if isinstance(parameters[k], int) else 0, default="BF16")
    return DTYPES.get(str(dtype).upper(), "fp16/bf16")


def answers_from_hub(repo_id: str, info: Mapping[str, Any], card: str | None, endpoint: str) -> HubAnswers:
    """The answers a model's info and card give, each with its source, and notes for what they do not."""
    found = HubAnswers()

    def give(key: str, value: Any, source: str = MODEL_CARD) -> None:
        found.answers[key] = value
        found.sources[key] = source

    name = name_from_repo(repo_id)
    give("name", name, f"from the model's name ({repo_id})")
    # the id is left to the plan, which suggests it from whichever name wins: a name typed beats the model's
    card_data = info.get("cardData") if isinstance(info.get("cardData"), Mapping) else {}
    summary = next((card_data[k] for k in ("summary", "description") if isinstance(card_data.get(k), str)), None)
    description = summary or (first_paragraph(card) if card else None)
    if description and len(" ".join(description.split())) >= DESCRIPTION_MIN:
        give("description", trimmed(description), MODEL_CARD if not summary else "from the model card's summary")
    else:
        found.notes.append("description: the model card has no summary nor a paragraph of text to take it from; "
                           "write one")
    tag = info.get("pipeline_tag")
    if isinstance(tag, str) and tag in PIPELINES:
        give("interfaces", [PIPELINES[tag]], f"from the model's pipeline_tag {tag} -> {PIPELINES[tag]}")
    else:
        found.notes.append(f"interfaces: the model's pipeline_tag ({tag or 'none'}) names no Prem interface; "
                           "choose one")
    safetensors = info.get("safetensors") if isinstance(info.get("safetensors"), Mapping) else {}
    total, precision = safetensors.get("total"), None
    if isinstance(total, int) and not isinstance(total, bool) and total > 0:
        parameters = safetensors.get("parameters") if isinstance(safetensors.get("parameters"), Mapping) else {}
        billions = total / 1e9
        found.estimates = {p: estimate_memory_mib(billions, p) for p in BYTES_PER_PARAMETER}
        precision = precision_of(parameters)
        give("memory", found.estimates[precision], f"estimated from {billions:.3g}B parameters at {precision} "
             f"(the weights' own precision), with a fifth more for the rest")
    else:
        total = None
        found.notes.append("memory: the model publishes no safetensors metadata, so its parameter count is unknown; "
                           "give the memory (or estimate it from the parameter count on the Resources step)")
    license_ = card_data.get("license") if isinstance(card_data.get("license"), str) else None
    found.facts = ModelFacts(repo_id, f"{endpoint.rstrip('/')}/{repo_id}", license_, total,
                             usage_notes(card) if card else None, precision)
    return found


def parameters_in_words(count: int) -> str:
    for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if count >= size:
            value = count / size
            return f"{value:.3g}{unit} ({count:,} parameters)"
    return f"{count:,} parameters"


