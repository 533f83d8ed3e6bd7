"""Steps 1-5, which gather the answers: identity, interfaces, images, resources, running.

Each step asks the table's fields of its step, in the table's order, skipping those whose ``when`` does
not hold; what a step adds (the id following the name, size lookups, the memory estimate, the external
port suggested) sits around those questions. The current answers are the defaults, so the same function
serves a first pass, a resumed draft and a change picked at the review.
"""

from __future__ import annotations

from typing import Any

from wizard.errors import ImageError
from wizard.prompts.asking import Check
from wizard.prompts.fields import ask_field, may_be_left_empty
from wizard.prompts.outside import settle
from wizard.prompts.session import Session
from wizard.service.answers import IMAGES, step_problems
from wizard.service.estimate import BYTES_PER_PARAMETER, estimate_memory_mib
from wizard.service.estimate import billions as billions_of
from wizard.service.fields import BY_PATH, Field, asked_for, fields_of
from wizard.service.plan import PICKED
from wizard.size_text import notes, summary
from wizard.units import human_bytes


def asked(session: Session, step: str) -> list[Field]:
    return [field for field in fields_of(step) if asked_for(field, session.answers)]


def start_from_hub(session: Session) -> None:
    """Offer to start from a Hugging Face model: its answers fill in what is not answered yet, each marked."""
    from dataclasses import asdict

    from wizard.errors import WizardError
    from wizard.hub.client import checked_repo_id, model_answers

    if session.draft.model is not None or session.answers.get("name"):
        return  # asked once, at a fresh start: a later visit to step 1 changes answers, not their source

    def problem(text: str) -> str | None:
        if not text.strip():
            return None  # empty: every answer typed
        try:
            checked_repo_id(text)
        except WizardError as error:
            return error.problems[0] if hasattr(error, "problems") else error.message
        return None

    repo_id = session.questions.text("Start from a Hugging Face model", default="", check=problem,
                                     help="ORG/NAME, like databricks/dolly-v2-12b: its name, description, interface "
                                     "and memory are filled in; leave it empty to type every answer")
    if not repo_id.strip():
        return
    try:
        found = model_answers(repo_id, offline=bool(session.settings.offline))
    except WizardError as error:  # the Hub's failures, and an HF_ENDPOINT that is no URL
        session.out(f"  {error}")
        session.out("  Nothing you typed is lost; go on typing the answers.")
        return
    for key in found.unanswered(session.answers):
        session.answers[key] = found.answers[key]
        session.draft.filled_in[key] = found.sources[key]
    session.draft.model = asdict(found.facts) if found.facts else None
    for note in found.notes:
        session.out(f"  {note}")


def identity(session: Session) -> None:
    start_from_hub(session)
    answers = session.answers
    suggested = session.plan_with("id", None).answers.get("id")  # from the name as it stands
    for field in asked(session, "identity"):
        if field.key == "id" and suggested and answers.get("id") == suggested:
            answers.pop("id")  # an id taken from the old name follows the new one
        ask_field(session, field)


def interfaces(session: Session) -> None:
    for field in asked(session, "interfaces"):
        ask_field(session, field)


# --- images ---------------------------------------------------------------------------------------


def images(session: Session) -> None:
    answers = session.answers
    fields = asked(session, "images")
    # the last image asked decides "at least one image"
    last_image = next((field for field in reversed(fields) if field.kind == "image"), None)
    for field in fields:
        if field.kind == "image":
            previous = answers.get(field.key)
            reference = ask_field(session, field, also=_at_least_one_image(session, field)
                                  if field is last_image else None)
            if reference != previous:
                answers.pop(_size_of(field).key, None)  # a size typed for another image
            continue
        reference = answers.get(_image_of(field).key)
        if reference is None:
            answers.pop(field.key, None)
            continue
        known = answers.get(field.key, session.draft.sizes.get(reference))
        if known is not None:
            session.out(f"  keeping the size {human_bytes(known) if isinstance(known, int) else known}")
        elif (size := image_size(session, reference)) is not None:
            session.draft.sizes[reference] = size
        else:
            ask_field(session, field, empty_ok=False)
    in_use = {answers.get(f.key) for f in fields if f.kind == "image"}
    session.draft.sizes = {reference: size for reference, size in session.draft.sizes.items() if reference in in_use}


def _size_of(image: Field) -> Field:
    return BY_PATH[image.path.rsplit(".", 1)[0] + ".size"]


def _image_of(size: Field) -> Field:
    return BY_PATH[size.path.rsplit(".", 1)[0] + ".image"]


def _at_least_one_image(session: Session, field: Field) -> Check:
    def check(text: str) -> str | None:
        if text:
            return None
        missing = [key for key in session.plan_with(field.key, None).missing if key == IMAGES]
        return "; ".join(step_problems("images", {}, missing)) or None

    return check


def image_size(session: Session, reference: str) -> int | None:
    """The size looked up (of the kind ``settings.size_kind`` names), or None (said why) when the lookup is off
    or fails: then it is typed by hand."""
    if session.settings.offline or session.look_up_size is None:
        session.out("  offline: the size is not looked up; type it yourself")
        return None
    session.out(f"  looking up {reference} …")
    try:
        found = settle(session.look_up_size(reference))
    except ImageError as error:
        session.out(f"  could not look it up: {error}")
        return None
    for line in describe_image(found, session.settings.size_kind):
        session.out(f"  {line}")
    return found.size_for(session.settings.size_kind)


def describe_image(found: Any, kind: str = "unpacked") -> list[str]:
    platform = f" for {found.platform}" if getattr(found, "platform", None) else ""
    lines = [f"size: {summary(found, kind)}{platform}", f"digest: {found.digest}"]
    platforms = [p.platform for p in getattr(found, "platforms", ())]
    lines.append(f"platforms: {', '.join(platforms)}" if platforms else "platforms: one (not a multi-platform image)")
    return lines + notes(found)


# --- resources ------------------------------------------------------------------------------------

KNOW_IT, ESTIMATE = "know", "estimate"


def resources(session: Session) -> None:
    for field in asked(session, "resources"):
        if field.key == "memory":
            ask_memory(session, field)
        elif field.key == "external_port":
            ask_external_port(session, field)
        else:
            ask_field(session, field)


def ask_memory(session: Session, field: Field) -> None:
    """Where the memory is needed, those who do not know it may estimate it from the model's size."""
    optional, _ = may_be_left_empty(session, field)
    suggested = None
    if not optional:
        ways = [("I know it", KNOW_IT), ("Help me estimate it from the model's size", ESTIMATE)]
        how = session.questions.select(f"{field.label}: how much does the service need?", ways,
                                       default=KNOW_IT if field.key in session.answers else ESTIMATE)
        if how == ESTIMATE:
            suggested = estimated_memory(session)
    ask_field(session, field, default=suggested)


def estimated_memory(session: Session) -> int:
    ask = session.questions
    model = session.draft.model or {}
    count = model.get("parameters")
    known = billions_of(count) if isinstance(count, int) and count > 0 else None  # the model card's count
    billions = float(ask.text("Parameters, in billions (7 for a 7B model)", default=known, check=_parameter_count))
    own = model.get("precision") if model.get("precision") in BYTES_PER_PARAMETER else "fp16/bf16"
    precision = ask.select("Precision of the weights as served",
                           [(name, name) for name in BYTES_PER_PARAMETER], default=own)
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


def ask_external_port(session: Session, field: Field) -> None:
    """The plan's pick is offered; left empty, the plan picks the same port again."""
    plan = session.plan_with(field.key, None)
    if field.key not in session.answers and plan.sources.get(field.key) == PICKED:
        note = "free upstream" if session.index else "picked at random without the upstream index; it may clash"
        session.out(f"  suggested external port {plan.answers[field.key]}: {note}")
    ask_field(session, field)


# --- running --------------------------------------------------------------------------------------


def running(session: Session) -> None:
    """All optional, so one question decides whether to go through them."""
    fields = asked(session, "running")
    if not fields:
        return
    answered = any(field.key in session.answers for field in fields)
    labels = ", ".join(field.label for field in fields)
    if session.questions.confirm(f"Set how the service runs? (all optional: {labels})", default=answered):
        for field in fields:
            ask_field(session, field)


STEPS = {"identity": identity, "interfaces": interfaces, "images": images, "resources": resources,
         "running": running}
