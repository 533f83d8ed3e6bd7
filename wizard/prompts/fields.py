"""One question for any field of the table, chosen by its kind; what it says comes from the table.

    ask_field(session, field)       # ask, check as typed, store in the draft (or remove when left empty)

text, image and size are a line of text with the field's label, help, example and placeholder; flag is a
yes/no; lines is multi-line text, a line each; interfaces is the checkbox and, for several, which one names
the folder. Whether an answer may be left empty, and what is offered before anything is typed, is the
plan's word: empty is fine when the plan fills the field in (an id from the name, a free external port,
the port's default) or does not need it.
"""

from __future__ import annotations

from typing import Any

from wizard.prompts.asking import Check, first_problem
from wizard.prompts.session import EMPTY, Session
from wizard.service.fields import Field
from wizard.service.rules import INTERFACES

LEFT_EMPTY = "leave empty for none"


def ask_field(session: Session, field: Field, *, default: Any = None, also: Check | None = None,
              empty_ok: bool | None = None) -> Any:
    """Ask ``field``, store the answer and return it (None when left empty). ``default`` replaces what is
    offered, ``also`` adds a check, ``empty_ok`` overrides the plan's word on an empty answer."""
    if default is None:
        default = offered(session, field)
    marked = session.draft.filled_in.pop(field.key, None)  # answered now: accepted as it is, or changed
    if marked:
        session.out(f"  {field.label}: {marked}; Enter keeps it")
    if field.kind == "flag":
        value = ask_flag(session, field, default)
    elif field.kind == "interfaces":
        value = ask_interfaces(session, field, default)
    else:
        value = ask_text(session, field, default, also, empty_ok)
    session.set(field.key, value)
    return None if value in EMPTY else value


def offered(session: Session, field: Field) -> Any:
    """The answer given before, or what the plan would put there (suggested, picked or the default)."""
    if field.key in session.answers:
        return session.answers[field.key]
    return session.plan_with(field.key, None).answers.get(field.key)


def may_be_left_empty(session: Session, field: Field) -> tuple[bool, bool]:
    """(whether an empty answer is accepted, whether the plan then fills the field in)."""
    plan = session.plan_with(field.key, None)
    filled = field.key in plan.answers
    return filled or field.key not in plan.missing, filled


def field_check(session: Session, field: Field, empty_ok: bool) -> Check:
    """The plan's problems with the answer as typed: its rule, then the upstream collisions."""

    def check(text: str) -> str | None:
        if not text:
            return None if empty_ok else (field.message(text) or f"give the {field.label.lower()}")
        return next(iter(session.plan_with(field.key, text).problems.get(field.key, ())), None)

    return check


def ask_text(session: Session, field: Field, default: Any, also: Check | None, empty_ok: bool | None) -> Any:
    allowed, filled = may_be_left_empty(session, field)
    allowed = allowed if empty_ok is None else empty_ok
    hint = field.help
    shown_as_placeholder = field.placeholder == field.example and default in EMPTY
    if field.example and field.example not in hint and not shown_as_placeholder:
        hint += f"; e.g. {field.example}"
    if allowed and not filled:
        hint += f"; {LEFT_EMPTY}"
    lines = field.kind == "lines"
    if lines and isinstance(default, list):
        default = "\n".join(default)
    text = session.questions.text(field.label, default=default, help=hint, placeholder=field.placeholder,
                                  check=first_problem(field_check(session, field, allowed), also),
                                  multiline=field.kind in ("lines", "long_text"))
    if lines and text:
        return field.read(text)  # a list, as a spec file gives it
    return text or None


def ask_flag(session: Session, field: Field, default: Any) -> bool | None:
    value = session.questions.confirm(f"{field.label}: {field.help}?", default=bool(default))
    # a flag without a default is written only when set: "skipHealthCheck": false says nothing
    return value if value or field.default is not None else None


def ask_interfaces(session: Session, field: Field, default: Any) -> list[str]:
    ask = session.questions
    before = list(default) if isinstance(default, list) else []
    chosen = ask.checkbox(f"{field.label} ({field.help}; pick one or more)",
                          [(f"{name} — {explanation}", name) for name, explanation in INTERFACES.items()],
                          checked=before, check=field.message)
    kept = [name for name in before if name in chosen]
    chosen = kept + [name for name in chosen if name not in kept]  # the folder's interface stays first
    if len(chosen) > 1:
        first = ask.select("Which interface names the folder ({interface}-{id})?",
                           [(name, name) for name in chosen], default=chosen[0])
        chosen = [first] + [name for name in chosen if name != first]
    return chosen
