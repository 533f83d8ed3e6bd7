"""Where credentials for a container registry come from, first match wins:

    1. given on the command line (``--username`` and ``--password-stdin``)
    2. the environment: PREM_REGISTRY_USERNAME and PREM_REGISTRY_PASSWORD
    3. Docker's ``config.json`` (``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``), read as
       ``docker login`` writes it: ``credHelpers[host]``, then ``credsStore`` (both run
       ``docker-credential-<name> get``), then ``auths[host]`` (``auth`` is base64 ``user:password``;
       ``identitytoken`` is an OAuth2 refresh token)

The first two apply to every container registry of the run. Docker Hub's key is ``https://index.docker.io/v1/``.
A secret never appears in a repr, a message or a log line.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOCKER_HUB_KEY = "https://index.docker.io/v1/"
DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
USERNAME_VARIABLE = "PREM_REGISTRY_USERNAME"
PASSWORD_VARIABLE = "PREM_REGISTRY_PASSWORD"
IDENTITY_TOKEN_USERNAME = "<token>"  # what credential helpers answer for an identity token
HELPER_TIMEOUT = 20.0


@dataclass(frozen=True)
class Credential:
    """A user name and a secret, and where they were found (for messages). ``identity_token`` marks a secret that
    is an OAuth2 refresh token rather than a password."""

    username: str
    secret: str = field(repr=False)
    source: str
    identity_token: bool = False

    def basic_authorization(self) -> str:
        pair = f"{self.username}:{self.secret}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


HelperRunner = Callable[[str, str], Awaitable["dict[str, Any] | None"]]


def credential_key(host: str) -> str:
    """The key ``docker login`` files a host's credentials under."""
    return DOCKER_HUB_KEY if host in DOCKER_HUB_HOSTS else host


def host_of_key(key: str) -> str:
    """``https://ghcr.io/v1/`` -> ``ghcr.io``; Docker Hub's spellings all become ``docker.io``."""
    host = key.split("://", 1)[-1].split("/", 1)[0]
    return "docker.io" if host in DOCKER_HUB_HOSTS else host


def docker_config_dir(environ: Mapping[str, str]) -> Path:
    configured = environ.get("DOCKER_CONFIG")
    return Path(configured).expanduser() if configured else Path.home() / ".docker"


def credential_from_environment(environ: Mapping[str, str]) -> Credential | None:
    username, password = environ.get(USERNAME_VARIABLE), environ.get(PASSWORD_VARIABLE)
    if username and password:
        return Credential(username, password, source=f"{USERNAME_VARIABLE} and {PASSWORD_VARIABLE}")
    return None


def credential_from_auth_entry(entry: Mapping[str, Any], source: str) -> Credential | None:
    """One ``auths`` entry of config.json."""
    if entry.get("identitytoken"):
        return Credential(entry.get("username") or "", entry["identitytoken"], source=source, identity_token=True)
    if entry.get("auth"):
        try:
            username, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        if username and password:
            return Credential(username, password, source=source)
    if entry.get("username") and entry.get("password"):
        return Credential(entry["username"], entry["password"], source=source)
    return None


def credential_from_helper_answer(answer: Mapping[str, Any], source: str) -> Credential | None:
    username, secret = answer.get("Username") or "", answer.get("Secret") or ""
    if not secret:
        return None
    if username == IDENTITY_TOKEN_USERNAME:
        return Credential("", secret, source=source, identity_token=True)
    return Credential(username, secret, source=source)


async def run_credential_helper(name: str, server: str) -> dict[str, Any] | None:
    """``docker-credential-<name> get`` with the server on stdin; None when it has nothing for that server."""
    try:
        process = await asyncio.create_subprocess_exec(
            f"docker-credential-{name}",
            "get",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        raise LookupError(f"the credential helper docker-credential-{name} is not on PATH") from None
    try:
        out, _ = await asyncio.wait_for(process.communicate(server.encode()), HELPER_TIMEOUT)
    except TimeoutError:
        process.kill()
        raise LookupError(f"the credential helper docker-credential-{name} did not answer") from None
    if process.returncode != 0:
        return None  # "credentials not found in native keychain"
    try:
        answer = json.loads(out)
    except ValueError:
        raise LookupError(f"the credential helper docker-credential-{name} answered something unreadable") from None
    return answer if isinstance(answer, dict) else None


class DockerConfigCredentials:
    """Credentials as ``docker login`` stored them. config.json is read once, and only when a registry asks."""

    def __init__(self, config_dir: Path, run_helper: HelperRunner = run_credential_helper) -> None:
        self.path = config_dir / "config.json"
        self._run_helper = run_helper
        self._config: dict[str, Any] | None = None

    def _read(self) -> dict[str, Any]:
        if self._config is None:
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}  # no Docker, or a file Docker itself would refuse: look up anonymously
            self._config = loaded if isinstance(loaded, dict) else {}
        return self._config

    async def lookup(self, host: str, notes: list[str]) -> Credential | None:
        config = self._read()
        key = credential_key(host)
        helpers = config.get("credHelpers") or {}
        helper = helpers.get(key) or helpers.get(host_of_key(key)) or config.get("credsStore")
        if helper:
            try:
                answer = await self._run_helper(helper, key)
            except LookupError as problem:
                notes.append(str(problem))
            else:
                found = answer and credential_from_helper_answer(answer, f"docker-credential-{helper}")
                if found:
                    return found
        wanted = host_of_key(key)
        for entry_key, entry in (config.get("auths") or {}).items():
            if host_of_key(entry_key) == wanted and isinstance(entry, dict):
                found = credential_from_auth_entry(entry, f"{self.path} (auths)")
                if found:
                    return found
        return None


class Credentials:
    """Every source in precedence order; each registry is looked up once (a helper may be slow), under a lock."""

    def __init__(
        self,
        *,
        explicit: Credential | None = None,
        environ: Mapping[str, str] | None = None,
        docker_config: DockerConfigCredentials | None = None,
    ) -> None:
        environ = os.environ if environ is None else environ
        self._fixed = explicit or credential_from_environment(environ)
        self._docker_config = docker_config or DockerConfigCredentials(docker_config_dir(environ))
        self._found: dict[str, Credential | None] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.notes: dict[str, list[str]] = {}

    @classmethod
    def anonymous(cls) -> Credentials:
        """No credentials from anywhere: for tests and benchmarks that must not see the machine's logins."""
        return cls(environ={}, docker_config=DockerConfigCredentials(Path(os.devnull)))

    async def for_registry(self, host: str) -> Credential | None:
        if self._fixed:
            return self._fixed
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host not in self._found:
                notes = self.notes.setdefault(host, [])
                self._found[host] = await self._docker_config.lookup(host, notes)
        return self._found[host]

    def found(self, host: str) -> Credential | None:
        """The credential already used for ``host``, without looking anything up."""
        return self._fixed or self._found.get(host)
