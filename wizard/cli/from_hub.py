"""``--from-hf ORG/NAME`` for `new` and `batch`: the model's answers from the Hub, as the bottom layer of the
answers (flags and spec keys beat them), each said with where it came from."""

from __future__ import annotations


def add_hub_arguments(group) -> None:
    group.add_argument("--from-hf", metavar="ORG/NAME", help="start from a Hugging Face model: its name, description, "
                       "interface, memory and README facts are filled in (flags and spec keys beat them)")
    group.add_argument("--hf-endpoint", metavar="URL", help="the Hub (default: $HF_ENDPOINT or https://huggingface.co)")


def hub_answers(repo_id: object, *, endpoint: str | None, offline: bool, say, given_as: str = "--from-hf"):
    """The model's HubAnswers, or None (no model named; or the Hub unreachable or offline: said, and the run goes on
    with what was typed). A missing or gated model, a rate limit or a Hub failure stops the run (named errors)."""
    if repo_id is None or repo_id == "":
        return None
    from wizard.hub.client import HubUnavailable, model_answers

    try:
        found = model_answers(repo_id, endpoint=endpoint, offline=offline, given_as=given_as)
    except HubUnavailable as error:
        say(f"warning: {error.message}; the answers are taken from the flags and the spec only")
        return None
    for key, source in found.sources.items():
        say(f"[hf] {key} = {found.answers[key]!r}: {source}")
    for precision, mib in found.estimates.items():
        say(f"[hf] memory at {precision}: {mib} MiB")
    for note in found.notes:
        say(f"[hf] {note}")
    return found


def filled_in(found, answers) -> dict[str, str]:
    """answer key -> its source, for each answer the run took from the Hub (not beaten by a flag or a spec key)."""
    if found is None:
        return {}
    typed = answers.maps[:-1]  # flags, then the spec file; the Hub's answers are the last layer
    return {key: source for key, source in found.sources.items() if not any(key in layer for layer in typed)}


def with_hub_answers(services: list, *, endpoint: str | None, offline: bool, say) -> list:
    """Batch services whose spec names a model (``hf = "ORG/NAME"``, in a service or the file's defaults): the
    model's answers beneath the spec's, and its facts for the README; each model is asked for once."""
    from collections import ChainMap
    from dataclasses import replace

    from wizard.service.answers import without_sources

    models: dict[str, object] = {}
    out = []
    for service in services:
        repo_id = service.answers.get("hf")
        if repo_id is None:
            out.append(service)
            continue
        if not isinstance(repo_id, str) or repo_id not in models:
            say(f"[hf] {service.label}: {repo_id}")
            models[str(repo_id)] = hub_answers(repo_id, endpoint=endpoint, offline=offline, say=say,
                                               given_as=f"{service.label}: hf")
        found = models[str(repo_id)]
        layers = [without_sources(layer) for layer in service.answers.maps]
        answers = ChainMap(*layers, found.answers) if found is not None else ChainMap(*layers)
        out.append(replace(service, answers=answers, own=without_sources(service.own),
                           facts=found.facts if found is not None else None, filled_in=filled_in(found, answers)))
    return out
