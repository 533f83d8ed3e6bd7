"""Steps 1-4, which gather the answers: identity, interfaces, images, resources.

Each step asks its questions with the current answers as defaults, so the same function serves a first
pass, a resumed draft and a change picked at the review.
"""

from __future__ import annotations

from typing import Any

from wizard.errors import ImageError
from wizard.prompts.outside import settle
from wizard.prompts.session import Session
from wizard.registry.index import (
    RegistryIndex,
    free_external_port,
    id_collision,
    port_collision,
)
from wizard.service.answers import DEFAULT_PORT, check_answer, step_problems
from wizard.service.estimate import BYTES_PER_PARAMETER, estimate_memory_mib
from wizard.service.fields import TEXT_GENERATING
from wizard.service.render import human_bytes
from wizard.service.rules import DEVICES, INTERFACES, suggest_id


def identity(session: Session) -> None:
    ask, answers = session.questions, session.answers
    old_name = answers.get("name", "")
    session.set("name", ask.answer("name", default=old_name))
    typed_id = answers.get("id")
    keeps_own_id = typed_id and typed_id != suggest_id(old_name)
    index = session.index
    taken = (lambda text: id_collision(index, text)) if index else None
    session.set("id", ask.answer("id", default=typed_id if keeps_own_id else suggest_id(answers["name"]), also=taken))
    session.set("description", ask.answer("description", default=answers.get("description")))
    answers["beta"] = ask.confirm("Beta? (new services usually start as beta)", default=answers.get("beta", True))


def interfaces(session: Session) -> None:
    ask, answers = session.questions, session.answers
    chosen = ask.checkbox(
        "Interfaces (what the service speaks; pick one or more)",
        [(f"{name} — {explanation}", name) for name, explanation in INTERFACES.items()],
        checked=answers.get("interfaces", []),
        check=lambda values: check_answer("interfaces", values),
    )
    previous = [name for name in answers.get("interfaces", []) if name in chosen]
    chosen = previous + [name for name in chosen if name not in previous]  # keep the folder's interface first
    if len(chosen) > 1:
        first = ask.select("Which interface names the folder ({interface}-{id})?",
                           [(name, name) for name in chosen], default=chosen[0])
        chosen = [first] + [name for name in chosen if name != first]
    session.set("interfaces", chosen)
    if not TEXT_GENERATING & set(chosen):
        answers.pop("tokens_per_second", None)


# --- images ---------------------------------------------------------------------------------------


def images(session: Session) -> None:
    ask, answers = session.questions, session.answers
    for device in DEVICES:
        key = f"{device}_image"
        previous = answers.get(key)
        last = device == DEVICES[-1]  # the last one asked decides "at least one image"
        reference = ask.answer(key, default=previous, also=_at_least_one_image(answers, key) if last else None,
                               empty_ok=True)
        if not reference:
            answers.pop(key, None)
            answers.pop(f"{device}_size", None)
            continue
        answers[key] = reference
        if reference != previous or f"{device}_size" not in answers:
            answers[f"{device}_size"] = image_size(session, device, reference)
        else:
            size = answers[f"{device}_size"]
            session.out(f"  keeping the size {human_bytes(size) if isinstance(size, int) else size}")


def _at_least_one_image(answers: dict[str, Any], key: str):
    def check(text: str) -> str | None:
        if text:
            return None
        others = {k: v for k, v in answers.items() if k != key}
        return "; ".join(step_problems("images", others, sizes_looked_up=True)) or None

    return check


def image_size(session: Session, device: str, reference: str) -> Any:
    """The size looked up, or typed by hand when the lookup is off or fails."""
    if session.settings.offline or session.look_up_size is None:
        session.out("  offline: the size is not looked up; type it yourself")
    else:
        session.out(f"  looking up {reference} …")
        try:
            found = settle(session.look_up_size(reference))
        except ImageError as error:
            session.out(f"  could not look it up: {error}")
        else:
            for line in describe_image(found):
                session.out(f"  {line}")
            return found.size
    return session.questions.answer(f"{device}_size", help="the download size: bytes like 40689160223, or '37.9 GiB'")


def describe_image(found: Any) -> list[str]:
    platform = f" for {found.platform}" if getattr(found, "platform", None) else ""
    lines = [f"size: {human_bytes(found.size)} ({found.size} bytes){platform}", f"digest: {found.digest}"]
    platforms = [p.platform for p in getattr(found, "platforms", ())]
    lines.append(f"platforms: {', '.join(platforms)}" if platforms else "platforms: one (not a multi-platform image)")
    if getattr(found, "unpacked_size", None):
        lines.append(f"unpacked on this machine: {human_bytes(found.unpacked_size)}")
    return lines


# --- resources ------------------------------------------------------------------------------------

KNOW_IT, ESTIMATE = "know", "estimate"


def resources(session: Session) -> None:
    ask, answers = session.questions, session.answers
    suggested = answers.get("memory")
    how = ask.select("Memory: how much does the service need?",
                     [("I know it", KNOW_IT), ("Help me estimate it from the model's size", ESTIMATE)],
                     default=KNOW_IT if suggested else ESTIMATE)
    if how == ESTIMATE:
        suggested = estimated_memory(session)
    session.set("memory", ask.answer("memory", default=suggested))
    if TEXT_GENERATING & set(answers.get("interfaces", [])):
        session.set("tokens_per_second", ask.answer("tokens_per_second", default=answers.get("tokens_per_second"),
                                                    empty_ok=True))
    session.set("port", int(ask.answer("port", default=answers.get("port", DEFAULT_PORT))))
    index = session.index
    used = (lambda text: port_collision(index, int(text))) if index else None
    session.set("external_port", int(ask.answer("external_port", default=suggest_external_port(session), also=used,
                                                help="the port on the user's machine; keep the suggestion if you can")))


def estimated_memory(session: Session) -> int:
    ask = session.questions
    billions = float(ask.text("Parameters, in billions (7 for a 7B model)", check=_parameter_count))
    precision = ask.select("Precision of the weights as served",
                           [(name, name) for name in BYTES_PER_PARAMETER], default="fp16/bf16")
    mib = estimate_memory_mib(billions, precision)
    session.out(f"  estimate: {mib} MiB ({mib / 1024:.1f} GiB) for {billions:g}B parameters at {precision}, "
                "weights plus a fifth for the rest")
    return mib


def _parameter_count(text: str) -> str | None:
    if not text:
        return "give the parameter count in billions: 7 for a 7B model"
    try:
        billions = float(text)
    except ValueError:
        return f"'{text}' is not a number; give the parameter count in billions: 7 for a 7B model"
    try:
        estimate_memory_mib(billions, next(iter(BYTES_PER_PARAMETER)))
    except ValueError as error:
        return str(error)
    return None


def suggest_external_port(session: Session) -> int:
    answers = session.answers
    if "external_port" in answers:
        return answers["external_port"]
    port = free_external_port(session.index or RegistryIndex((), "none"), seed=str(answers.get("id", "")))
    note = "free upstream" if session.index else "picked at random without the upstream index; it may clash"
    session.out(f"  suggested external port {port}: {note}")
    return port


STEPS = {"identity": identity, "interfaces": interfaces, "images": images, "resources": resources}
