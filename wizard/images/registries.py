"""The container registries one run talks to: how each is reached, how it authenticates, how patiently we ask.

HTTPS everywhere, except plain HTTP for registries on loopback (``localhost``, ``127.0.0.0/8``, ``[::1]``) and
for hosts the user names as insecure (``host``, ``host:port`` or an IP network like ``10.0.0.0/8``), as Docker
and crane do.

Each registry is pinged once (``GET /v2/``) to learn its challenge, so that concurrent lookups send their token
request once and their manifest request once, instead of each collecting a 401 first.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import itertools
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Self, TypeVar

import httpx

from wizard.addresses import is_loopback as is_loopback_name
from wizard.errors import ImageUnauthorized, RegistryUnreachable, UnsupportedManifest
from wizard.images.auth import (
    CLIENT_ID,
    Challenge,
    TokenCache,
    parse_challenges,
    usable_challenge,
)
from wizard.images.credentials import DOCKER_HUB_HOSTS, Credential, Credentials
from wizard.images.faults import (
    RetryPolicy,
    deadline_passed,
    send_with_retries,
    unreachable,
)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# The distribution spec lets registries refuse manifests over 4 MiB; nothing we read from a registry (manifest,
# error, tag list, token) is bigger, so a longer answer is refused rather than held in memory.
ANSWER_LIMIT = 4 * 1024 * 1024
# Manifest GETs are small: 32 in flight keep a batch of 200 distinct images to a handful of round trips,
# still far below what ghcr.io or Docker Hub tolerate from one client.
DEFAULT_PER_REGISTRY = 32
LOGIN_HINT = (
    "log in with `{command}` (the tool reads Docker's config.json and credential helpers), "
    "or pass --username with --password-stdin, or set PREM_REGISTRY_USERNAME and PREM_REGISTRY_PASSWORD"
)

ClientFactory = Callable[[str, str, int], httpx.AsyncClient]
T = TypeVar("T")

# A lookup that runs out of time cancels its requests before it can say which one it was waiting for: each
# request cut short notes itself here, in a list the lookup set up (its child tasks share it).
CUT_SHORT: ContextVar[list[tuple[str, str]] | None] = ContextVar("cut_short", default=None)


def host_without_port(host: str) -> str:
    if host.startswith("["):
        return host[1 : host.index("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback(host: str) -> bool:
    return is_loopback_name(host_without_port(host))


def is_insecure(host: str, insecure_registries: Iterable[str]) -> bool:
    name = host_without_port(host)
    for entry in insecure_registries:
        if entry in (host, name):
            return True
        try:
            if "/" in entry and ipaddress.ip_address(name) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def registry_base_url(host: str, insecure_registries: Iterable[str] = ()) -> str:
    plain = is_loopback(host) or is_insecure(host, insecure_registries)
    return f"{'http' if plain else 'https'}://{host}"


def login_command(host: str) -> str:
    return "docker login" if host in DOCKER_HUB_HOSTS else f"docker login {host}"


def login_hint(host: str) -> str:
    return LOGIN_HINT.format(command=login_command(host))


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Building one costs ~50 ms (it loads the CA bundle): make it once for every registry's client.
    return httpx.create_ssl_context()


def default_client_factory(host: str, base_url: str, connections: int) -> httpx.AsyncClient:
    """One client, so one connection pool, per container registry. Its per-read timeout only backs up the
    deadlines of :class:`RetryPolicy`, which bound each request and each lookup whole."""
    return httpx.AsyncClient(
        base_url=base_url,
        verify=_tls_context(),
        timeout=DEFAULT_TIMEOUT,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        follow_redirects=True,
        headers={"User-Agent": "prem-new-service"},
    )


class ContainerRegistries:
    """Shared state of one run: credentials, tokens, challenges, HTTP clients and a concurrency bound per registry.

    Use ``async with`` so the clients it made are closed. The object holds tokens: never print it whole.
    """

    def __init__(
        self,
        *,
        credentials: Credentials | None = None,
        insecure_registries: Iterable[str] = (),
        retry: RetryPolicy | None = None,
        per_registry: int = DEFAULT_PER_REGISTRY,
        client_factory: ClientFactory = default_client_factory,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.credentials = credentials or Credentials()
        self.insecure_registries = tuple(insecure_registries)
        self.retry = retry or RetryPolicy()
        self.per_registry = per_registry
        self.tokens = TokenCache(clock)
        self._client_factory = client_factory
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._challenges: dict[str, Challenge | None] = {}
        self._ping_locks: dict[str, asyncio.Lock] = {}
        self._clock = clock
        self._once: dict[tuple[str, ...], asyncio.Future[Any]] = {}
        self._open: dict[int, tuple[str, str, float]] = {}
        self._numbers = itertools.count()

    def __repr__(self) -> str:
        return f"ContainerRegistries({sorted(self._clients)})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for pending in self._once.values():
            pending.cancel()
        clients, self._clients = list(self._clients.values()), {}
        await asyncio.gather(*(client.aclose() for client in clients))

    async def once(self, key: tuple[str, ...], make: Callable[[], Awaitable[T]]) -> T:
        """``make()``'s result, made once per run for ``key``: images that share layers (a batch built on one
        base) read each layer's windows once. Shielded, so a lookup that runs out of time leaves the reading to
        the others that wait for it."""
        if key not in self._once:
            self._once[key] = asyncio.ensure_future(make())
        return await asyncio.shield(self._once[key])

    def base_url(self, host: str) -> str:
        return registry_base_url(host, self.insecure_registries)

    def client_for(self, host: str) -> httpx.AsyncClient:
        if host not in self._clients:
            self._clients[host] = self._client_factory(host, self.base_url(host), self.per_registry)
        return self._clients[host]

    async def get(
        self,
        client: httpx.AsyncClient,
        host: str,
        path: str,
        *,
        scope: str,
        accept: str | None = None,
        headers: Mapping[str, str] | None = None,
        limit: int = ANSWER_LIMIT,
        truncate: bool = False,
    ) -> httpx.Response:
        """GET ``path`` on ``host`` with whatever authorisation it asks for; 401 is answered once with a fresh
        token, then returned to the caller to explain. The body is read up to ``limit`` bytes: past it the answer
        is refused (:class:`UnsupportedManifest`), or with ``truncate`` cut there and returned."""
        url = self.base_url(host) + path
        headers = {**({"Accept": accept} if accept else {}), **(headers or {})}
        reading = _Reading(describe_request(path), limit, truncate)
        authorization, fresh = await self._authorization(client, host, scope)
        response = await self._send(client, host, url, headers, authorization, reading)
        if response.status_code != 401:
            return response
        challenge = usable_challenge(parse_challenges(response.headers.get_list("www-authenticate")))
        if challenge is None:
            return response
        if authorization and fresh:
            return response  # a token fetched for this very request was refused: another will be too
        if authorization and authorization.startswith("Bearer "):
            self.tokens.forget(host, scope, authorization.removeprefix("Bearer "))
        self._challenges[host] = challenge
        retry_authorization, _ = await self._authorization(client, host, scope)
        if retry_authorization is None or retry_authorization == authorization:
            return response
        return await self._send(client, host, url, headers, retry_authorization, reading)

    @asynccontextmanager
    async def stream(
        self, client: httpx.AsyncClient, host: str, path: str, *, scope: str, deadline: float
    ) -> AsyncIterator[httpx.Response]:
        """A streamed GET of a blob, for reading it whole: authorised like :meth:`get`, not retried (a cut
        stream is reported; the next run starts over), and bounded by ``deadline`` seconds overall."""
        url = self.base_url(host) + path
        what = describe_request(path)
        for attempt in (1, 2):
            authorization, fresh = await self._authorization(client, host, scope)
            headers = {"Authorization": authorization} if authorization else {}
            try:
                async with (
                    asyncio.timeout(deadline),
                    self._waiting(host, what),
                    client.stream("GET", url, headers=headers) as response,
                ):
                    if response.status_code == 401 and attempt == 1 and authorization and not fresh:
                        self.tokens.forget(host, scope, authorization.removeprefix("Bearer "))
                        continue
                    yield response
                    return
            except TimeoutError:
                raise deadline_passed(host, what, deadline) from None
            except httpx.HTTPError as error:
                raise unreachable(host, error, seconds=self.retry.request_deadline) from None

    def waiting_for(self) -> list[tuple[str, str, float]]:
        """(host, what, seconds waited) of every request still open, the longest first: for progress lines."""
        now = self._clock()
        return sorted(((h, w, now - t) for h, w, t in self._open.values()), key=lambda item: -item[2])

    @asynccontextmanager
    async def _waiting(self, host: str, what: str) -> AsyncIterator[None]:
        number = next(self._numbers)
        self._open[number] = (host, what, self._clock())
        try:
            yield
        except asyncio.CancelledError:
            cut = CUT_SHORT.get()
            if cut is not None:
                cut.append((host, what))
            raise
        finally:
            del self._open[number]

    async def _send(
        self,
        client: httpx.AsyncClient,
        host: str,
        url: str,
        headers: dict[str, str],
        authorization: str | None,
        reading: _Reading | None = None,
    ) -> httpx.Response:
        if authorization:
            headers = {**headers, "Authorization": authorization}
        reading = reading or _Reading(describe_request(httpx.URL(url).path), ANSWER_LIMIT, False)
        slot = self._slots.setdefault(host, asyncio.Semaphore(self.per_registry))
        async with slot, self._waiting(host, reading.what):
            return await send_with_retries(
                lambda: _read_answer(client, url, headers, host, reading, self.retry.request_deadline),
                host,
                self.retry,
            )

    async def _challenge(self, client: httpx.AsyncClient, host: str) -> Challenge | None:
        async with self._ping_locks.setdefault(host, asyncio.Lock()):
            if host not in self._challenges:
                response = await self._send(client, host, self.base_url(host) + "/v2/", {}, None)
                challenges = parse_challenges(response.headers.get_list("www-authenticate"))
                self._challenges[host] = usable_challenge(challenges) if response.status_code == 401 else None
        return self._challenges[host]

    async def _authorization(self, client: httpx.AsyncClient, host: str, scope: str) -> tuple[str | None, bool]:
        """The Authorization header for ``scope``, and whether it holds a token fetched just now."""
        challenge = await self._challenge(client, host)
        if challenge is None:
            return None, False
        credential = await self.credentials.for_registry(host)
        if challenge.scheme == "basic":
            basic = credential.basic_authorization() if credential and not credential.identity_token else None
            return basic, False
        if challenge.scheme != "bearer" or not challenge.realm:
            return None, False
        token, fresh = await self.tokens.token(
            host, scope, lambda: self._fetch_token(client, host, challenge, scope, credential)
        )
        return f"Bearer {token}", fresh

    async def _fetch_token(
        self, client: httpx.AsyncClient, host: str, challenge: Challenge, scope: str, credential: Credential | None
    ) -> tuple[str, float | None]:
        try:
            realm = httpx.URL(challenge.realm)
            if realm.scheme not in ("http", "https") or not realm.host:
                raise httpx.InvalidURL("not an http(s) address")
        except httpx.InvalidURL:
            shown = challenge.realm if len(challenge.realm) <= 80 else challenge.realm[:77] + "..."
            raise RegistryUnreachable(
                f"{host} names a token service that is not a web address: {shown!r}",
                hint="the container registry is misconfigured; tell its operators, or type the size yourself",
            ) from None
        realm_host = realm.netloc.decode() or host
        if credential and realm.scheme != "https" and self.base_url(realm_host).startswith("https"):
            # a password over plain HTTP to a host nobody named as insecure would be readable on the way
            notes = self.credentials.notes.setdefault(host, [])
            note = f"the credentials were not sent, because the token service {challenge.realm} is not HTTPS"
            notes.extend([note] if note not in notes else [])
            credential = None
        params = {key: value for key, value in (("service", challenge.service), ("scope", scope)) if value}
        response = await send_with_retries(
            lambda: _token_request(client, challenge.realm, params, credential, self.retry.request_deadline),
            realm_host,
            self.retry,
        )
        if response.status_code in (401, 403):
            raise self.refused(host, scope.split(":")[1], credential)
        try:
            answer = response.json()
            token = answer.get("token") or answer.get("access_token")
            lifetime = answer.get("expires_in")
        except (ValueError, AttributeError):
            token, lifetime = None, None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise RegistryUnreachable(
                f"the token service of {host} ({realm_host}) answered {response.status_code} without a token",
                hint="try again later, or type the size yourself",
            )
        return token, float(lifetime) if isinstance(lifetime, int | float) else None

    def refused(self, host: str, repository: str, credential: Credential | None = None) -> ImageUnauthorized:
        """The image is private, does not exist (Docker Hub says 401 for both), or the credentials are wrong."""
        credential = credential or self.credentials.found(host)
        notes = "".join(f" (note: {note})" for note in self.credentials.notes.get(host, []))
        shown = "docker.io" if host in DOCKER_HUB_HOSTS else host
        if credential:
            who = f"as {credential.username!r} " if credential.username else ""
            return ImageUnauthorized(
                f"{shown} refused access to {repository} {who}with the credentials from {credential.source}",
                hint="check that this account may pull the image and that the password or token is current; "
                + login_hint(host)
                + notes,
            )
        return ImageUnauthorized(
            f"{shown} refused access to {repository}: the image is private, or it does not exist",
            hint="check the spelling; if the image is private, " + login_hint(host) + notes,
        )


async def _token_request(
    client: httpx.AsyncClient, realm: str, params: dict[str, str], credential: Credential | None, deadline: float
) -> httpx.Response:
    try:
        async with asyncio.timeout(deadline):
            if credential and credential.identity_token:
                # an identity token from `docker login` is an OAuth2 refresh token: POST it, never put it in a URL
                form = {
                    **params,
                    "grant_type": "refresh_token",
                    "refresh_token": credential.secret,
                    "client_id": CLIENT_ID,
                }
                request = client.build_request("POST", realm, data=form)
            else:
                headers = {"Authorization": credential.basic_authorization()} if credential else {}
                # merge, not replace: a realm may carry a query of its own
                request = client.build_request("GET", httpx.URL(realm).copy_merge_params(params), headers=headers)
            response = await client.send(request, stream=True)
            try:
                return await _limited(response, _Reading("a token", ANSWER_LIMIT, False), httpx.URL(realm).host)
            finally:
                await response.aclose()
    except TimeoutError:
        raise httpx.ReadTimeout(f"no complete answer in {deadline:g} s") from None


@dataclass(frozen=True)
class _Reading:
    """How much of an answer to read, and what it is, for messages."""

    what: str
    limit: int
    truncate: bool


async def _read_answer(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], host: str, reading: _Reading, deadline: float
) -> httpx.Response:
    """One GET, its body read within ``deadline`` seconds overall: a per-read timeout alone lets a registry
    that sends a byte every few seconds keep us forever."""
    try:
        async with asyncio.timeout(deadline):
            async with client.stream("GET", url, headers=headers) as response:
                return await _limited(response, reading, host)
    except TimeoutError:
        raise httpx.ReadTimeout(f"no complete answer in {deadline:g} s") from None


async def _limited(response: httpx.Response, reading: _Reading, host: str) -> httpx.Response:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > reading.limit and not reading.truncate:
        raise _too_large(host, reading)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > reading.limit:
            if not reading.truncate:
                raise _too_large(host, reading)
            del body[reading.limit :]
            break
    # the body is decoded already: a Content-Encoding left on would make httpx decode it a second time
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in ("content-encoding", "content-length")]
    return httpx.Response(response.status_code, headers=headers, content=bytes(body), request=response.request)


def _too_large(host: str, reading: _Reading) -> UnsupportedManifest:
    return UnsupportedManifest(
        f"{host} answered with more than {reading.limit // (1024 * 1024)} MiB for {reading.what}; "
        "a manifest is a few KiB, so the answer was not read",
        hint="check that the host is a container registry; or type the size yourself",
    )


def describe_request(path: str) -> str:
    """What a distribution API path asks for, in words: for 'waiting for ...' and 'did not answer' lines."""
    if path.rstrip("/") == "/v2":
        return "the registry's first answer (/v2/)"
    body = path.removeprefix("/v2/")
    for marker, words in (("/manifests/", "the manifest of"), ("/blobs/", "a layer of"), ("/tags/list", "the tags of")):
        if marker in body:
            repository, _, reference = body.partition(marker)
            if marker == "/manifests/":
                joiner = "@" if ":" in reference else ":"
                return f"{words} {repository}{joiner}{reference[:19] if joiner == '@' else reference}"
            return f"{words} {repository}"
    return path
