"""Helpers for the image tests: registries without real waiting, and clients that count what they send."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

import httpx
import pytest

from wizard.errors import ImageError
from wizard.images import (
    ContainerRegistries,
    Credentials,
    ImageSize,
    RetryPolicy,
    image_size,
    parse_reference,
)
from wizard.images.registries import DEFAULT_TIMEOUT


class RecordingSleep:
    """Stands in for asyncio.sleep: remembers each delay asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class CountingClients:
    """A client factory whose clients count requests by kind: ping, manifest, blob, tags, token."""

    def __init__(self, timeout: float | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.counts: Counter[str] = Counter()
        self.urls: list[str] = []
        self.hosts: list[str] = []
        self._timeout = timeout
        self._transport = transport

    async def _record(self, request: httpx.Request) -> None:
        self.urls.append(str(request.url))
        path = request.url.path
        kind = "manifest" if "/manifests/" in path else "tags" if path.endswith("/tags/list") else None
        kind = kind or ("blob" if "/blobs/" in path else None)
        kind = kind or ("ping" if path == "/v2/" else "token" if "token" in path else "other")
        self.counts[kind] += 1

    def __call__(self, host: str, base_url: str, connections: int) -> httpx.AsyncClient:
        self.hosts.append(host)
        return httpx.AsyncClient(
            base_url=base_url,
            timeout=DEFAULT_TIMEOUT if self._timeout is None else httpx.Timeout(self._timeout),
            transport=self._transport,
            follow_redirects=True,
            event_hooks={"request": [self._record]},
        )


@pytest.fixture
def recording_sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def counting_clients() -> CountingClients:
    return CountingClients()


@pytest.fixture
def make_registries(recording_sleep: RecordingSleep) -> Callable[..., ContainerRegistries]:
    """ContainerRegistries that never really sleep and, unless told, use no credentials at all."""

    def make(**options: object) -> ContainerRegistries:
        options.setdefault("credentials", Credentials.anonymous())
        options.setdefault("retry", RetryPolicy(jitter=False, sleep=recording_sleep))
        return ContainerRegistries(**options)  # type: ignore[arg-type]

    return make


@pytest.fixture
def look_up(make_registries: Callable[..., ContainerRegistries]) -> Callable[..., Awaitable[ImageSize | ImageError]]:
    """``await look_up(reference, platform=..., every_platform=..., **registries_options)``: the size found, or the
    ImageError that explains why not, through a fresh ContainerRegistries (see ``make_registries``)."""

    async def run(
        reference: str, platform: str = "linux/amd64", every_platform: bool = False, **options: object
    ) -> ImageSize | ImageError:
        async with make_registries(**options) as registries:
            client = registries.client_for(parse_reference(reference).api_host)
            try:
                return await image_size(
                    client, reference, platform, registries=registries, every_platform=every_platform
                )
            except ImageError as error:
                return error

    return run
