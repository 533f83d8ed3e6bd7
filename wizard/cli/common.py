"""What the commands share, so that no command imports another (or ``wizard.cli``).

- flags made from the field table (``add_field_arguments``) and the answers they give (``field_answers``);
- problems and missing answers named by their flags, for the non-interactive commands;
- looking up image sizes with a line per image on stderr;
- where a pull request goes, and opening it with progress on stderr (publish, new, batch, bump).

Like every command module, this one imports only the standard library at module level, so ``--help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from typing import Any

# a field's answer is kept under its own prefix: a field named like one of the parser's own values
# (``command``, the sub-command) would otherwise overwrite it
ANSWER_DEST = "answer_"
METAVARS = {"image": "REF", "size": "SIZE", "interfaces": "NAME", "lines": "LINE"}


def say(message: str) -> None:
    """A diagnostic line: stderr, so stdout holds only results; a value it quotes cannot steer the terminal."""
    from wizard.terminal_text import printable

    print(printable(message), file=sys.stderr, flush=True)


def run_async(coro):
    """``asyncio.run``, on a loop that prints no traceback of its own. A callback that fails on a future already
    cancelled (an HTTP library's reader racing Ctrl+C) is nothing to say; any other failure the loop reports is one
    line. The coroutine's own errors, and KeyboardInterrupt, come out as ``asyncio.run`` lets them."""
    import asyncio

    def quiet(loop, context) -> None:
        error = context.get("exception")
        if isinstance(error, asyncio.InvalidStateError):
            return
        say(f"warning: {context.get('message') or 'an asynchronous step failed'}" + (f" ({error})" if error else ""))

    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(quiet)
        return runner.run(coro)


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


# --- flags from the field table ----------------------------------------------------------------------


def _help(field: Any) -> str:
    text = field.help
    choices = field.schema.get("enum") or field.schema.get("items", {}).get("enum")
    if choices:
        text += f"; one of {', '.join(choices)}"
    if field.when.interfaces and field.when.says:
        text += f"; only {field.when.says}"
    if field.kind in ("lines", "interfaces"):
        text += "; repeat the flag for each"
    if field.example and field.example not in text and field.example != str(field.default) and field.kind != "flag":
        text += f" (e.g. {field.example})"
    if field.default is not None:
        text += f" (default: {'on' if field.default is True else 'off' if field.default is False else field.default})"
    if field.flag != "--" + field.key.replace("_", "-"):
        text += f" [spec key: {field.key}]"
    return text.replace("%", "%%")  # argparse formats help with %


def _metavar(field: Any) -> str:
    return METAVARS.get(field.kind) or (field.key.upper() if len(field.key) <= 8 else "TEXT")


def add_field_arguments(parser_or_group, fields: Iterable[Any] | None = None) -> None:
    """One flag per field, all of it from the table: its flag, help and example, and how it is given."""
    from wizard.service.fields import ASKED

    for field in ASKED if fields is None else fields:
        dest = ANSWER_DEST + field.key
        if field.kind == "flag":
            parser_or_group.add_argument(field.flag, dest=dest, action=argparse.BooleanOptionalAction, default=None,
                                         help=_help(field))
        elif field.kind in ("lines", "interfaces"):
            parser_or_group.add_argument(field.flag, dest=dest, action="append", metavar=_metavar(field),
                                         help=_help(field))
        else:
            parser_or_group.add_argument(field.flag, dest=dest, metavar=_metavar(field),
                                         help=_help(field))


def add_answer_groups(parser: argparse.ArgumentParser, title: str, description: str = "") -> None:
    """Every asked field, one group per step of the wizard, in the order the wizard asks them; the description
    goes with the first group."""
    from wizard.service.fields import STEPS, fields_of

    for number, step in enumerate(STEPS):
        group = parser.add_argument_group(title.format(step=step), description if number == 0 else None)
        add_field_arguments(group, fields_of(step))


def field_answers(args: argparse.Namespace) -> dict[str, Any]:
    """``{key: value}`` for each field flag given on the command line, as typed."""
    from wizard.service.fields import BY_KEY

    return {key: value for key in BY_KEY if (value := getattr(args, ANSWER_DEST + key, None)) is not None}


# --- what is wrong, named by flags -------------------------------------------------------------------


def flag_of(key: str) -> str:
    from wizard.service.answers import BY_KEY, IMAGES, flag_for

    return flag_for(key) if key in BY_KEY or key == IMAGES else key


def problem_lines(plan) -> list[str]:
    """``--memory: message`` for each problem of a plan (broken rules, upstream collisions)."""
    return plan.problem_lines(name=flag_of)


def missing_lines(missing: Iterable[str]) -> list[str]:
    """``--memory: what it is`` for each answer still needed."""
    from wizard.service.answers import help_for

    return [f"{flag_of(key)}: {help_for(key)}" for key in missing]


def say_dropped(plan, where: str = "") -> None:
    """A field given although its service does not ask for it is left out, and the contributor told so."""
    for note in plan.dropped:
        say(f"{where}note: {note}")


# --- image sizes -------------------------------------------------------------------------------------


class LookupStatus:
    """What a lookup is doing, on stderr. On a terminal one line, redrawn: the layers being read whole
    (``--exact``), else what has been awaited for more than a second. Elsewhere (CI logs, pipes) a line each time
    an image's layers read whole pass another tenth, and nothing while waiting, which would only fill the log."""

    TICK = 0.25  # seconds between redraws
    WAITED = 1.0  # a request open this long is worth naming

    def __init__(self, stream=None, *, waiting: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.terminal = self.stream.isatty()
        self.waiting = waiting
        self.registries = None
        self.reads: dict[str, tuple[int, int]] = {}  # reference -> (read, to read)
        self.shown = ""

    def watch(self, registries) -> None:
        """``lookup_sizes(watch=...)``: the run's registries, which say what is awaited."""
        self.registries = registries

    def on_bytes(self, reference: str, read: int, to_read: int) -> None:
        """``lookup_sizes(on_bytes=...)``."""
        before = _tenths(*self.reads.get(reference, (0, to_read)))
        self.reads[reference] = (read, to_read)
        if self.terminal:
            self.draw(self.line())
        elif (after := _tenths(read, to_read)) > before:
            from wizard.units import human_bytes

            self.say(f"reading the layers of {reference} whole: {10 * after}% of {human_bytes(to_read)}")

    def line(self) -> str:
        """The terminal line as it stands."""
        if any(read < to_read for read, to_read in self.reads.values()):
            return reading_bar(sum(r for r, _ in self.reads.values()), sum(t for _, t in self.reads.values()))
        if self.waiting and self.registries is not None:
            waits = self.registries.waiting_for()
            if waits and waits[0][2] >= self.WAITED:
                host, what, seconds = waits[0]
                return f"waiting for {host} ({what}) {seconds:.0f} s"
        return ""

    def draw(self, text: str) -> None:
        if text != self.shown:
            self.stream.write("\r\x1b[K" + text)
            self.stream.flush()
            self.shown = text

    def say(self, line: str) -> None:
        """A line of its own; on a terminal the status line goes first and comes back at the next redraw."""
        self.draw("")
        self.stream.write(line + "\n")
        self.stream.flush()

    async def run(self, lookup):
        """Await ``lookup`` with the terminal line kept up to date; the line is wiped after."""
        if not self.terminal:
            return await lookup
        import asyncio

        async def tick() -> None:
            while True:
                self.draw(self.line())
                await asyncio.sleep(self.TICK)

        ticker = asyncio.create_task(tick())
        try:
            return await lookup
        finally:
            ticker.cancel()
            self.draw("")


def _tenths(read: int, to_read: int) -> int:
    return 10 * read // to_read if to_read else 10


def reading_bar(read: int, to_read: int, width: int = 20) -> str:
    """``reading layers whole ▕████      ▏ 20% of 1.2 GiB``"""
    from wizard.units import human_bytes

    filled = width * read // to_read if to_read else width
    percent = 100 * read // to_read if to_read else 100
    return f"reading layers whole ▕{'█' * filled}{' ' * (width - filled)}▏ {percent}% of {human_bytes(to_read)}"


def say_size(report, reference: str, found, kind: str, indent: str = "  ") -> None:
    """``size of REF: <both figures> (N bytes written)``, then why it is an estimate, the engine's figure and
    the warnings, each on a line of its own."""
    from wizard.size_text import notes, summary

    report(f"size of {reference}: {summary(found, kind)}")
    for line in notes(found):
        report(indent + line)


def say_exact_hint(found: Iterable[Any], exact: bool, report=say) -> None:
    """Once, when some size written is an estimate that ``--exact`` would count."""
    from wizard.size_text import EXACT_HINT, estimate_reasons

    if not exact and any(not isinstance(f, Exception) and estimate_reasons(f) for f in found):
        report(f"note: some unpacked sizes are estimates; {EXACT_HINT}")


def look_up_sizes(wanted: Mapping[str, str], settings, platform: str, *, exact: bool = False) -> dict[str, int]:
    """device -> bytes for each ``{device: image reference}``, looked up together: the unpacked size, or the
    download size with ``settings.size_kind`` "download". A line per image on stderr. Raises WizardError naming
    each image whose size could not be found."""

    from wizard.errors import ImageError, WizardError
    from wizard.images import lookup_sizes
    from wizard.service.fields import BY_KEY

    if not wanted:
        return {}
    status = LookupStatus()

    def progress(reference: str, result) -> None:
        if isinstance(result, ImageError):
            status.say(f"size of {reference}: failed")
        else:
            say_size(status.say, reference, result, settings.size_kind)

    for reference in dict.fromkeys(wanted.values()):
        say(f"size of {reference}: looking up …")
    results = run_async(status.run(lookup_sizes(
        wanted.values(), platform=platform, settings=settings, progress=progress, exact=exact,
        on_bytes=status.on_bytes, watch=status.watch)))
    failed = {device: results[reference] for device, reference in wanted.items()
              if isinstance(results[reference], ImageError)}
    if failed:
        lines = [f"{BY_KEY[f'{device}_image'].flag} {wanted[device]}: {error}" for device, error in failed.items()]
        flags = " or ".join(BY_KEY[f"{device}_size"].flag for device in failed)
        raise WizardError("could not look up every image size:\n" + "\n".join(f"  - {line}" for line in lines),
                          hint=f"fix the reference, or give the size with {flags}; nothing was written")
    say_exact_hint(results.values(), exact)
    return {device: results[reference].size_for(settings.size_kind) for device, reference in wanted.items()}


# --- options every command words the same ------------------------------------------------------------

OPTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "out": ("--out", {"metavar": "DIR", "help": "folder to write the service folder into (default: .)"}),
    "index": ("--index", {"metavar": "URL|FILE", "help": "the upstream manifests.json (default: the registry's dev "
                                                         "branch)"}),
    "offline": ("--offline", {"action": "store_true", "default": None,
                              "help": "use no network: cached index, sizes given"}),
    "platform": ("--platform", {"default": "linux/amd64",
                                "help": "platform whose size an index reports (default linux/amd64)"}),
    "force": ("--force", {"action": "store_true", "help": "replace an existing service folder"}),
    "dry_run": ("--dry-run", {"action": "store_true", "help": "print what would be written and sent; do neither"}),
    "json": ("--json", {"action": "store_true", "help": "print a JSON summary on stdout (shape in the module docs)"}),
    "publish": ("--publish", {"action": "store_true", "help": "after writing, fork the registry and open the pull "
                                                             "request"}),
    "draft": ("--draft", {"action": "store_true", "help": "open the pull request as a draft"}),
    "allow_todo": ("--allow-todo", {"action": "store_true", "help": "publish although a README still has TODO "
                                                                    "placeholder lines (> **TODO:** ...)"}),
    "size_kind": ("--size-kind", {"choices": ("unpacked", "download"), "default": None,
                                  "help": "which image size to write: unpacked (the default: what the image takes "
                                          "on disk, which the Prem Daemon compares with free disk) or download"}),
    "exact": ("--exact", {"action": "store_true", "help": "read whole, and count, the layers whose unpacked size "
                                                          "is otherwise an estimate (slower; nothing is kept)"}),
}


def add_options(group, *names: str, **changes: str | dict[str, Any]) -> None:
    """The shared options by name; a change is a help text of the command's own, or argparse keywords."""
    for name in names:
        flag, keywords = OPTIONS[name]
        change = changes.get(name, {})
        group.add_argument(flag, **{**keywords, **({"help": change} if isinstance(change, str) else change)})


# --- pull requests -----------------------------------------------------------------------------------


def add_upstream_arguments(group) -> None:
    """Where a pull request goes: for every command that opens one (publish, new, batch, bump)."""
    group.add_argument("--upstream", metavar="OWNER/REPO", help="the registry (default: premAI-io/prem-registry)")
    group.add_argument("--base", metavar="BRANCH", help="branch the pull request goes into (default: dev)")
    group.add_argument("--api-url", metavar="URL", help="GitHub's API (default: https://api.github.com)")


def print_stage(stage: str, detail: str) -> None:
    say(f"[{stage}] {detail}")


async def token_for_cli(settings, *, dry_run: bool):
    """The GitHub token for a command, its source said on stderr; none for a dry run, which sends nothing."""
    if dry_run:
        return None
    from wizard.github.token import resolve_token

    found = await resolve_token(settings, interactive=sys.stdin.isatty() and sys.stderr.isatty())
    print_stage("account", f"using the token from {found.source}")
    return found.secret


def publish_and_report(folders, settings, *, draft=False, force=False, branch=None, title=None, dry_run=False,
                       as_json=False, allow_todo=False, before=None) -> int:
    """Resolve the token, run the pipeline with progress on stderr, print the result: for every command
    that ends in a pull request (publish, new --publish, batch --publish, bump --publish)."""
    import json

    from wizard.publish.pipeline import publish_folders

    async def go():
        token = await token_for_cli(settings, dry_run=dry_run)
        return await publish_folders(folders, settings=settings, token=token, draft=draft, force=force,
                                     progress=print_stage, branch=branch, title=title, dry_run=dry_run,
                                     allow_todo=allow_todo, before=before)

    result = run_async(go())
    if as_json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    elif result.dry_run:
        for call in result.calls:
            print(call)
        print(f"{len(result.calls)} calls would be sent; nothing was sent", file=sys.stderr)
    else:
        verb = "opened" if result.created else "updated" if result.changed else "unchanged"
        print(f"pull request {verb} ({len(result.calls)} calls to GitHub)", file=sys.stderr)
        print(result.pr_url)
    return 0


def add_example_flag(parser: argparse.ArgumentParser, example: str) -> None:
    """``--example``: print a filled-in spec file that ships with the tool (``wizard/examples/``)."""
    parser.add_argument("--example", action="store_const", const=example, default=None,
                        help="print a filled-in spec file to start from, and exit")


def print_example(args: argparse.Namespace) -> bool:
    if not getattr(args, "example", None):
        return False
    from importlib.resources import files

    print(files("wizard").joinpath("examples", args.example).read_text(encoding="utf-8"), end="")
    return True
