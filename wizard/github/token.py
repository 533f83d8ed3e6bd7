"""The GitHub token: where it comes from, and how it is kept out of every output.

Sources, first found wins: ``GH_TOKEN``, ``GITHUB_TOKEN``, ``gh auth token`` (when the gh CLI is installed),
the OAuth device flow (when an OAuth app's client id is configured), and last a masked prompt that links to
GitHub's new-token page with the ``public_repo`` scope ticked. The last two need a person at a terminal;
without one, ``NoToken`` says which variable to set instead of waiting.

The token travels as a :class:`Secret`, whose ``repr`` and ``str`` are masked, so it cannot leak through a
traceback, a log line or ``--json``; :func:`redact_in_logs` also scrubs it from every log record.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from wizard.errors import NoToken
from wizard.terminal_text import MASK, SECRETS, one_line

if TYPE_CHECKING:
    import httpx

    from wizard.settings import Settings

NEEDED_SCOPE = "public_repo"
TOKEN_DESCRIPTION = "prem-new-service"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SIGN_IN_DEADLINE = 60.0  # seconds for one answer of the sign-in


class Secret:
    """A token that never shows itself: only :meth:`reveal` gives the value, for the Authorization header."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value.strip()

    def reveal(self) -> str:
        return self._value

    @property
    def kind(self) -> str:
        """What GitHub's prefix says the token is; it decides which advice fits a refusal."""
        for prefix, kind in (("github_pat_", "fine-grained"), ("ghp_", "classic"), ("gho_", "oauth"),
                             ("ghu_", "app"), ("ghs_", "app")):
            if self._value.startswith(prefix):
                return kind
        return "unknown"

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __reduce__(self):
        raise TypeError("a Secret cannot be pickled")  # pickles end up in files


@dataclass(frozen=True)
class FoundToken:
    secret: Secret
    source: str  # "GH_TOKEN", "GITHUB_TOKEN", "gh auth token", "device flow", "prompt"


# --- where GitHub's web pages live ----------------------------------------------------------------


def web_url(api_url: str) -> str:
    """The web root that belongs to an API root: api.github.com -> github.com; GHES strips /api/v3."""
    parts = urlsplit(api_url.rstrip("/"))
    if parts.netloc == "api.github.com":
        return "https://github.com"
    path = parts.path[: -len("/api/v3")] if parts.path.endswith("/api/v3") else parts.path
    return f"{parts.scheme}://{parts.netloc}{path}"


def new_token_url(api_url: str) -> str:
    return f"{web_url(api_url)}/settings/tokens/new?scopes={NEEDED_SCOPE}&description={TOKEN_DESCRIPTION}"


def how_to_get_a_token(api_url: str) -> str:
    return (f"set GH_TOKEN to a classic token with the '{NEEDED_SCOPE}' scope (create one at "
            f"{new_token_url(api_url)}), or run `gh auth login`")


# --- the sources ----------------------------------------------------------------------------------


def token_from_env(environ: Mapping[str, str]) -> FoundToken | None:
    for name in ("GH_TOKEN", "GITHUB_TOKEN"):
        value = environ.get(name, "").strip()
        if value:
            return FoundToken(Secret(value), name)
    return None


def token_from_gh(api_url: str, *, which: Callable[[str], str | None] = shutil.which,
                  run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> FoundToken | None:
    """The token the gh CLI keeps, when gh is installed and logged in; anything else means "not here"."""
    gh = which("gh")
    if gh is None:
        return None
    command = [gh, "auth", "token"]
    host = urlsplit(web_url(api_url)).netloc
    if host != "github.com":
        command += ["--hostname", host]
    try:
        done = run(command, capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    value = (done.stdout or "").strip()
    if done.returncode != 0 or not value or any(c.isspace() for c in value):
        return None
    return FoundToken(Secret(value), "gh auth token")


async def token_from_device_flow(
    client: httpx.AsyncClient,
    *,
    api_url: str,
    client_id: str,
    notify: Callable[[str], None],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> FoundToken:
    """GitHub's device flow: show a code, the person enters it on github.com/login/device, we poll."""
    web = web_url(api_url)
    headers = {"Accept": "application/json"}
    start = await _post_form(client, f"{web}/login/device/code", {"client_id": client_id, "scope": NEEDED_SCOPE},
                             headers)
    if not isinstance(start.get("device_code"), str) or not isinstance(start.get("user_code"), str):
        raise NoToken(f"GitHub did not start the sign-in: {_oauth_problem(start)}", hint=how_to_get_a_token(api_url))
    notify(f"Open {web}/login/device and enter the code {one_line(start['user_code'])[:20]}")
    interval = _seconds(start.get("interval"), 5, most=60)
    deadline = _seconds(start.get("expires_in"), 900, most=3600)
    waited = 0.0
    poll = {"client_id": client_id, "device_code": start["device_code"], "grant_type": DEVICE_GRANT}
    while True:
        await sleep(interval)
        waited += interval
        answer = await _post_form(client, f"{web}/login/oauth/access_token", poll, headers)
        if isinstance(answer.get("access_token"), str) and answer["access_token"].strip():
            return FoundToken(Secret(answer["access_token"].strip()), "device flow")
        error = answer.get("error")
        if error == "authorization_pending" and waited < deadline:
            continue
        if error == "slow_down":
            # GitHub adds 5 seconds each time and says the new interval; keep to it from now on
            interval = _seconds(answer.get("interval"), interval + 5, most=60)
            continue
        if error in ("expired_token", "authorization_pending"):
            raise NoToken("the sign-in code expired before it was entered",
                          hint="run the command again and enter the new code within 15 minutes")
        if error == "access_denied":
            raise NoToken("the sign-in was cancelled on GitHub", hint=how_to_get_a_token(api_url))
        raise NoToken(f"GitHub refused the sign-in: {_oauth_problem(answer)}", hint=how_to_get_a_token(api_url))


async def _post_form(client: httpx.AsyncClient, url: str, data: dict, headers: dict) -> dict:
    import httpx

    try:
        async with asyncio.timeout(SIGN_IN_DEADLINE):
            response = await client.post(url, data=data, headers=headers)
        answer = response.json()
    except (httpx.HTTPError, ValueError, RecursionError, TimeoutError) as error:
        what = "no answer in time" if isinstance(error, TimeoutError) else type(error).__name__
        raise NoToken(f"could not reach GitHub's sign-in at {url}: {what}",
                      hint="check your connection, or set GH_TOKEN instead") from None
    return answer if isinstance(answer, dict) else {}


def _seconds(value: object, default: float, *, most: float) -> float:
    """A wait GitHub names, within reason: a wrong or absurd one would poll too fast or hang the sign-in."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= most:
        return default
    return float(value)


def _oauth_problem(answer: Mapping) -> str:
    return one_line(str(answer.get("error_description") or answer.get("error") or "no reason given"))[:200]


def token_from_prompt(api_url: str, *, prompt: Callable[[str], str], notify: Callable[[str], None]) -> FoundToken:
    notify(f"A GitHub token is needed to open the pull request. Create one here (the '{NEEDED_SCOPE}' scope is "
           f"already ticked): {new_token_url(api_url)}")
    value = prompt("Paste the token (it is not shown): ").strip()
    if not value:
        raise NoToken("no token was entered", hint=how_to_get_a_token(api_url))
    return FoundToken(Secret(value), "prompt")


def _print_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


async def resolve_token(
    settings: Settings,
    *,
    interactive: bool,
    client: httpx.AsyncClient | None = None,
    environ: Mapping[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
    notify: Callable[[str], None] = _print_to_stderr,
    which: Callable[[str], str | None] = shutil.which,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> FoundToken:
    """The first token found, in the documented order; its value is also scrubbed from logs from now on."""
    found = _token_without_asking(settings, environ, which)
    if found is None and interactive and settings.oauth_client_id:
        found = await _device_flow_with(client, settings, notify, sleep)
    if found is None and interactive:
        import getpass

        found = token_from_prompt(settings.api_url, prompt=prompt or getpass.getpass, notify=notify)
    if found is None:
        raise NoToken("no GitHub token was found (GH_TOKEN, GITHUB_TOKEN, gh CLI)", hint=how_to_get_a_token(settings.api_url))
    redact_in_logs(found.secret)
    return found


def resolve_token_quietly(settings: Settings, *, environ: Mapping[str, str] | None = None,
                          which: Callable[[str], str | None] = shutil.which) -> Secret:
    """The token from the sources that need nobody (GH_TOKEN, GITHUB_TOKEN, gh); for front ends that ask
    for one in their own masked field when this raises NoToken."""
    found = _token_without_asking(settings, environ, which)
    if found is None:
        raise NoToken("no GitHub token was found (GH_TOKEN, GITHUB_TOKEN, gh CLI)", hint=how_to_get_a_token(settings.api_url))
    redact_in_logs(found.secret)
    return found.secret


def _token_without_asking(settings: Settings, environ: Mapping[str, str] | None, which) -> FoundToken | None:
    import os

    return token_from_env(os.environ if environ is None else environ) or token_from_gh(settings.api_url, which=which)


async def _device_flow_with(client, settings, notify, sleep) -> FoundToken:
    if client is not None:
        return await token_from_device_flow(client, api_url=settings.api_url, client_id=settings.oauth_client_id,
                                            notify=notify, sleep=sleep)
    import httpx

    async with httpx.AsyncClient(timeout=30) as own_client:
        return await token_from_device_flow(own_client, api_url=settings.api_url,
                                            client_id=settings.oauth_client_id, notify=notify, sleep=sleep)


# --- keeping it out of logs -----------------------------------------------------------------------


class SecretRedactor(logging.Filter):
    """Replaces every known secret in a log record by a mask; usable on any handler or logger."""

    def __init__(self, values: set[str] | None = None) -> None:
        super().__init__()
        self.values: set[str] = set() if values is None else values

    def scrub(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.values:
            return True
        message = record.getMessage()
        clean = self.scrub(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


REDACTOR = SecretRedactor(SECRETS)  # the set printed messages are masked with, too
_factory_installed = False


def redact_in_logs(secret: Secret) -> None:
    """Scrub the secret from every record any logger makes from now on, whichever handler prints it."""
    global _factory_installed
    REDACTOR.values.add(secret.reveal())
    if _factory_installed:
        return
    # a record factory sees every record of every logger, also of handlers added later (unlike a filter)
    previous = logging.getLogRecordFactory()

    def make_record(*args, **kwargs):
        record = previous(*args, **kwargs)
        REDACTOR.filter(record)
        return record

    logging.setLogRecordFactory(make_record)
    _factory_installed = True
