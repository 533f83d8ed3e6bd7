"""The plain run: the steps in order, the draft saved after each, the review loop, Ctrl-C kept safe."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from wizard.draft import Draft, discard_draft, save_draft, saved_draft_or_notice
from wizard.prompts import finish
from wizard.prompts.asking import Questions
from wizard.prompts.outside import (
    LookUpSize,
    Publish,
    default_look_up_size,
    default_publish,
    load_index_or_warn,
)
from wizard.prompts.session import STEP_ORDER, STEP_TITLES, Session
from wizard.prompts.steps import STEPS
from wizard.registry.index import RegistryIndex, describe_age
from wizard.service.answers import IMAGES, flag_for
from wizard.service.fields import ASKED
from wizard.settings import Settings

ASKING_STEPS: dict[str, Callable[[Session], None]] = {**STEPS, "docs": finish.docs}
RESUME_COMMAND = "prem-new-service --plain --resume"
INTERRUPTED = 130


def run_plain(
    settings: Settings,
    *,
    resume: bool = False,
    ask: Any = None,
    index: RegistryIndex | None = None,
    look_up_size: LookUpSize | None = None,
    publish: Publish | None = None,
    out: Callable[[str], None] = print,
) -> int:
    """Ask every step as a plain question, write the service folder, offer the pull request; the exit code.

    ``ask`` is questionary or a module like it; ``index`` defaults to loading ``settings.index_url``;
    ``look_up_size(reference)`` and ``publish(folders, progress)`` default to the core's network calls.
    """
    if ask is None:
        import questionary as ask
    questions = Questions(ask)
    session: Session | None = None
    written = None
    try:
        draft = starting_draft(questions, resume, out)
        session = Session(
            settings, questions, draft,
            index if index is not None else load_index_or_warn(settings, out),
            look_up_size or default_look_up_size(settings),
            publish or default_publish(settings),
            out,
        )  # fmt: skip
        run_steps(session)
        written = finish.write(session)
        discard_draft()
        finish.offer_test(session, written)
        return finish.publish(session, written)
    except KeyboardInterrupt:
        return interrupted(session, written, out)


def starting_draft(questions: Questions, resume: bool, out: Callable[[str], None]) -> Draft:
    saved, notice = saved_draft_or_notice()
    if notice:
        out(notice)
    if saved is None or saved.is_empty():
        if resume and not notice:
            out("No saved draft was found; starting a new service.")
        return Draft()
    when = describe_age(time.time() - saved.saved_at) if saved.saved_at else "earlier"
    if resume or questions.confirm(f"Resume your draft of '{saved.title}' (saved {when})?", default=True):
        if saved.step not in STEP_ORDER:  # a draft of another front end's making starts over, answers kept
            saved.step = STEP_ORDER[0]
        out(f"Resuming '{saved.title}' at step {STEP_ORDER.index(saved.step) + 1}: {STEP_TITLES[saved.step]}.")
        return saved
    out("Starting a new service; the old draft is replaced once the first step is done.")
    return Draft()


def run_steps(session: Session) -> None:
    """From the draft's step to a review that says write; each step's answers are saved as it ends."""
    draft = session.draft
    step = draft.step
    while step != finish.WRITE:
        session.header(step)
        if step == "review":
            choice = finish.review(session)
            if choice != finish.WRITE:
                session.header(choice)
                ask_step(session, choice)
                save_draft(draft)
            step = choice if choice == finish.WRITE else "review"
            continue
        ask_step(session, step)
        if step not in draft.visited:
            draft.visited.append(step)
        step = draft.step = STEP_ORDER[STEP_ORDER.index(step) + 1]
        save_draft(draft)
    session.header(finish.WRITE)


def ask_step(session: Session, step: str) -> None:
    ASKING_STEPS[step](session)
    session.drop_out_of_place()


def interrupted(session: Session | None, written, out: Callable[[str], None]) -> int:
    out("")
    if written is not None:
        out(f"Stopped. {written} is written; open the pull request later with `prem-new-service publish {written}`.")
    elif session is None or session.draft.is_empty():
        out("Stopped; nothing was written.")
    else:
        path = save_draft(session.draft)
        out(f"Stopped; nothing was written. Your answers are saved in {path}.")
        out(f"Run `{RESUME_COMMAND}` to continue where you left off.")
    return INTERRUPTED


def no_terminal_message() -> str:
    """What to run instead when there is no terminal to ask in (the CLI prints it and exits 2)."""
    # what the plan cannot fill in: no default, nothing to derive it from
    needed = [flag_for(f.key) for f in ASKED if f.required is not None and f.default is None and not f.derived]
    needed.append(flag_for(IMAGES))
    example = " ".join(f"{flag.split()[0]} ..." for flag in needed)
    return "\n".join([
        "prem-new-service: there is no terminal to ask questions in, so nothing was asked.",
        "Give the answers as a spec file or as flags instead:",
        "  prem-new-service new --example > SPEC.toml   (a filled-in spec to start from; edit it, then)",
        "  prem-new-service new --from SPEC.toml",
        "      a TOML, YAML or JSON file; its keys are the flag names without the dashes",
        f"  prem-new-service new {example}",
        f"      needed: {', '.join(needed)}",
        "      and `prem-new-service new --help` lists the rest",
        f"A draft saved earlier continues in a terminal with `{RESUME_COMMAND}`.",
    ])  # fmt: skip
