"""Steps 6-8, which turn the answers into a service folder: docs, review, write (and publish).

The review shows the plan's files and ``validate``'s findings on them, made in memory by ``plan_service``;
the write step writes those same files, so what the review prints is what lands on disk.
"""

from __future__ import annotations

from pathlib import Path

from wizard.errors import ScaffoldError, WizardError
from wizard.prompts.asking import first_problem, readable_file
from wizard.prompts.outside import settle
from wizard.prompts.session import STEP_ORDER, STEP_TITLES, Session
from wizard.registry.checks import has_errors
from wizard.registry.logo import check_logo
from wizard.service.answers import help_for, label_for
from wizard.service.folder import write_service_folder
from wizard.service.plan import ServicePlan

GENERATED, OWN = "generated", "own"
WRITE = "write"


def docs(session: Session) -> None:
    ask, draft = session.questions, session.draft
    generated = session.plan(own_readme=False).files.get("README.md")  # none yet: the review names what is wrong
    if generated:
        session.out(f"  the generated README.md has {len(generated.decode('utf-8').splitlines())} lines: the "
                    "description, the images, the memory and how to call the service, with TODO lines to fill in")
    readme = ask.select("README.md", [("Use the generated README (edit its TODO lines later)", GENERATED),
                                      ("Use my own README.md file", OWN)],
                        default=OWN if draft.readme is not None else GENERATED)
    draft.readme = None
    if readme == OWN:
        draft.readme = Path(ask.path("Path to your README.md", check=first_problem(readable_file, _readme_problem))
                            ).expanduser().read_text(encoding="utf-8")
    logo = ask.select("logo.svg", [("A placeholder with the service's initials (replace it later)", GENERATED),
                                   ("My own SVG file (256x256 or a square viewBox)", OWN)],
                      default=OWN if draft.logo_path else GENERATED)
    draft.logo_path = None
    if logo == OWN:
        path = ask.path("Path to your logo.svg", default=session.draft.logo_path,
                        check=first_problem(readable_file, _logo_problem))
        draft.logo_path = str(Path(path).expanduser().resolve())
        for _, message in check_logo(Path(draft.logo_path).read_bytes()):
            session.out(f"  warning: {message}")


def _readme_problem(path_text: str) -> str | None:
    try:
        text = Path(path_text).expanduser().read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return "the file is not UTF-8 text; save it as UTF-8"
    except OSError as error:
        return f"cannot read it: {error.strerror}"
    return None if text.strip() else "the file is empty; a README describes the service, its use and its license"


def _logo_problem(path_text: str) -> str | None:
    try:
        data = Path(path_text).expanduser().read_bytes()
    except OSError as error:
        return f"cannot read it: {error.strerror}"
    return "; ".join(message for severity, message in check_logo(data) if severity == "error") or None


# --- review ---------------------------------------------------------------------------------------


def review(session: Session) -> str:
    """Show what will be written and what is wrong with it; return WRITE or the step to change."""
    plan = session.full_plan()
    if plan.manifest is None:
        session.out("The manifest cannot be built yet:")
        for line in blocking_lines(plan):
            session.out(f"  {line}")
    else:
        session.out(f"{plan.folder}/manifest.json, exactly as it will be written:")
        session.out(plan.manifest_text.rstrip())
        for finding in plan.findings:
            session.out(f"  {finding}")
        if not plan.findings:
            session.out("  no problems found: the folder passes the registry's checks")
    for key, source in session.draft.filled_in.items():  # a resumed draft's answers not asked since the fill
        session.out(f"  ◆ {label_for(key)}, {source}: written as it is unless you change its step")
    choices = [] if not plan.ok or has_errors(plan.findings) else [("Write the service folder", WRITE)]
    choices += [(f"Change step {STEP_ORDER.index(step) + 1}: {STEP_TITLES[step]}", step)
                for step in STEP_ORDER[: STEP_ORDER.index("review")]]
    return session.questions.select("What next?", choices, default=choices[0][1])


def blocking_lines(plan: ServicePlan) -> list[str]:
    """What keeps the manifest from being built: broken rules, upstream collisions, answers missing."""
    return plan.problem_lines() + [f"{label_for(key)}: missing ({help_for(key)})" for key in plan.missing]


# --- write and publish ----------------------------------------------------------------------------


def write(session: Session) -> Path:
    ask, draft = session.questions, session.draft
    plan = session.full_plan()
    files = plan.files
    while True:
        draft.out = ask.path("Folder to write the service folder into", default=draft.out or session.settings.out,
                             check=_not_a_file, directory=True)
        target = Path(draft.out).expanduser() / plan.folder
        replace = target.exists()
        if replace and not ask.confirm(f"{target} already exists. Replace it?", default=False):
            continue
        try:
            write_service_folder(target, files, force=replace)
        except ScaffoldError as error:
            session.out(f"  {error}")
            continue
        session.out(f"Wrote {target}: {', '.join(files)}")
        return target


def _not_a_file(path_text: str) -> str | None:
    path = Path(path_text or ".").expanduser()
    return f"{path} is a file; give a folder" if path.exists() and not path.is_dir() else None


def offer_test(session: Session, target: Path) -> Path:
    """The registry's step 1: run the written folder's image, check it as the Prem App calls it, and offer to
    record the measured tokens per second and memory (the folder is written again with them)."""
    from wizard.publish.folders import folder_manifest
    from wizard.testing.run import test_folder

    if not session.questions.confirm("Test the service now? (runs its image through the local Docker engine, "
                                     "calls it like the Prem App and measures it)", default=False):
        session.out(f"To test it later: `prem-new-service try {target}` serves it to the Prem Daemon, and "
                    f"`prem-new-service check --run {target}` runs and measures it")
        return target
    manifest = folder_manifest(target)
    trial = settle(test_folder(target, manifest, progress=lambda line: session.out(f"  {line.strip()}")))
    for line in trial.lines[-3:]:
        session.out(f"  {line.strip()}")
    for command in trial.next_steps:
        session.out(f"  next: `{command}`")
    if not trial.answers:
        return target
    shown = trial.figures()
    if not session.questions.confirm(f"Record the measurement in the manifest ({shown})?", default=True):
        return target
    for key, value in trial.answers.items():
        session.set(key, value)
    write_service_folder(target, session.full_plan().files, force=True)
    session.out(f"Wrote {target} again with {shown}")
    return target


def publish(session: Session, target: Path) -> int:
    """Offer the pull request; the exit code of the run."""
    command = f"prem-new-service publish {target}"
    if session.publish is None or session.settings.offline:
        session.out(f"Next: edit the README's TODO lines, then open the pull request with `{command}`")
        return 0
    if not session.questions.confirm("Open a pull request now?", default=False):
        session.out(f"Next: edit the README's TODO lines, then run `{command}`")
        return 0
    try:
        result = settle(session.publish([target], lambda stage, detail: session.out(f"  [{stage}] {detail}")))
    except WizardError as error:
        session.out(f"The pull request was not opened: {error}")
        session.out(f"The folder is written; to try again, run `{command}`")
        return error.exit_code
    session.out(f"Pull request: {result.pr_url}")
    return 0

