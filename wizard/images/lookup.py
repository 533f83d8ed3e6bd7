"""Image sizes over the OCI distribution API: one image, many images, and the front ends' entry point.

Two sizes: what a pull downloads (the config blob plus the compressed layers of the image manifest for the
platform asked for), and what the image takes unpacked on disk (the sum of its layers' tar lengths), which is
what the Prem Daemon compares with free disk. A single-platform image costs one manifest request; an index
costs one more (the chosen platform's image manifest), or one more per platform with ``every_platform=True``.
The unpacked size then costs one round of small Range requests, all in flight at once (``layer_reads``), with
the config blob read beside them to check its platform.

Every lookup has ``RetryPolicy.lookup_deadline`` seconds in all; reading layers whole (``exact``) adds the
time their length needs at ``RetryPolicy.min_rate``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import httpx

from wizard.errors import (
    ImageError,
    RegistryUnreachable,
    UnsupportedManifest,
)
from wizard.images.auth import pull_scope
from wizard.images.credentials import Credentials
from wizard.images.docker_engine import (
    docker_engine_client,
    docker_socket,
    engine_image_size,
)
from wizard.images.faults import RetryPolicy, deadline_passed
from wizard.images.image_manifest import (
    ACCEPT,
    IMAGE_TYPES,
    Platform,
    choose_platform,
    decode_manifest,
    image_blobs,
    image_size_of,
    index_entries,
    manifest_digest,
    parse_platform,
)
from wizard.images.layer_reads import (
    OnBytes,
    UnpackedSize,
    config_platform,
    unpacked_size,
)
from wizard.images.reference import ImageReference, parse_reference
from wizard.images.refusals import explain_failure
from wizard.images.registries import (
    CUT_SHORT,
    ClientFactory,
    ContainerRegistries,
    default_client_factory,
)
from wizard.settings import Settings

DEFAULT_PLATFORM = "linux/amd64"
SIZE_KINDS = ("unpacked", "download")

Progress = Callable[[str, "ImageSize | ImageError"], None]


@dataclass(frozen=True)
class PlatformSize:
    platform: str  # os/architecture[/variant]
    digest: str  # that platform's image manifest
    download_size: int | None  # None when it was not looked up


@dataclass(frozen=True)
class ImageSize:
    """What a lookup found. ``digest`` pins what the reference names (the index, for a multi-platform image);
    ``manifest_digest`` is the image manifest that was sized. ``unpacked`` is None when it was not asked for;
    ``engine_size`` is what a local Docker engine that has the image says it takes, else None."""

    reference: str
    download_size: int
    digest: str
    media_type: str
    manifest_digest: str
    platform: str | None = None  # None for a single-platform image
    platforms: tuple[PlatformSize, ...] = ()
    unpacked: UnpackedSize | None = None
    engine_size: int | None = None
    warnings: tuple[str, ...] = ()

    def size_for(self, kind: str = "unpacked") -> int:
        """The figure a manifest stores for ``kind`` ('unpacked' or 'download'); the download size where the
        unpacked one was not looked up."""
        return self.unpacked.size if kind == "unpacked" and self.unpacked is not None else self.download_size


@dataclass(frozen=True)
class _Manifest:
    media_type: str
    document: dict[str, Any]
    digest: str


async def image_size(
    client: httpx.AsyncClient,
    reference: str | ImageReference,
    platform: str = DEFAULT_PLATFORM,
    *,
    registries: ContainerRegistries | None = None,
    every_platform: bool = False,
    unpacked: bool = True,
    exact: bool = False,
    on_bytes: OnBytes | None = None,
) -> ImageSize:
    """Size one image through ``client``, within the lookup deadline; raise an :class:`ImageError` that says
    why not."""
    ref = reference if isinstance(reference, ImageReference) else parse_reference(reference)
    wanted = parse_platform(platform)
    owned = registries is None
    registries = registries or ContainerRegistries()
    seconds = registries.retry.lookup_deadline
    cut_short: list[tuple[str, str]] = []
    marker = CUT_SHORT.set(cut_short)
    try:
        async with asyncio.timeout(seconds) as budget:

            def extend(more: float) -> None:
                nonlocal seconds
                seconds += more
                budget.reschedule((budget.when() or 0) + more)

            return await _image_size(
                client, registries, ref, wanted, every_platform, unpacked, exact, on_bytes, extend
            )
    except TimeoutError:
        # requests shared with other lookups (``registries.once``) are still open; this lookup's own were cut
        still_open = [(host, what) for host, what, _ in registries.waiting_for()]
        waiting = [what for host, what in [*cut_short, *still_open] if host == ref.api_host]
        raise deadline_passed(ref.api_host, waiting[0] if waiting else f"the size of {ref}", seconds) from None
    finally:
        CUT_SHORT.reset(marker)
        if owned:
            await registries.aclose()


async def _image_size(
    client: httpx.AsyncClient,
    registries: ContainerRegistries,
    ref: ImageReference,
    wanted: Platform,
    every_platform: bool,
    unpacked: bool,
    exact: bool,
    on_bytes: OnBytes | None,
    extend: Callable[[float], None],
) -> ImageSize:
    top = await _fetch_manifest(client, registries, ref, ref.manifest_reference)
    if top.media_type in IMAGE_TYPES:
        found = ImageSize(
            str(ref), image_size_of(top.document, str(ref)), top.digest, top.media_type, manifest_digest=top.digest
        )
        return await _with_unpacked(client, registries, ref, found, top, wanted, unpacked, exact, on_bytes, extend)
    entries = index_entries(top.document, f"the index {ref}")
    chosen = choose_platform(entries, wanted, str(ref))
    wanted_entries = entries if every_platform else [chosen]
    images = await asyncio.gather(*(_fetch_manifest(client, registries, ref, e.digest) for e in wanted_entries))
    by_digest = dict(zip((e.digest for e in wanted_entries), images))
    sizes = {digest: _platform_image_size(image, ref, digest) for digest, image in by_digest.items()}
    found = ImageSize(
        str(ref),
        sizes[chosen.digest],
        top.digest,
        top.media_type,
        manifest_digest=chosen.digest,
        platform=str(chosen.platform),
        platforms=tuple(PlatformSize(str(e.platform), e.digest, sizes.get(e.digest)) for e in entries),
    )
    image = by_digest[chosen.digest]
    return await _with_unpacked(client, registries, ref, found, image, None, unpacked, exact, on_bytes, extend)


async def _with_unpacked(
    client: httpx.AsyncClient,
    registries: ContainerRegistries,
    ref: ImageReference,
    found: ImageSize,
    image: _Manifest,
    single_platform: Platform | None,
    unpacked: bool,
    exact: bool,
    on_bytes: OnBytes | None,
    extend: Callable[[float], None],
) -> ImageSize:
    """The unpacked size and, for a single-platform image (``single_platform`` is the platform asked for), a
    warning when its config says it was built for another; both read in the same round of requests."""
    where = f"{ref.name}@{image.digest}"
    config, layers = image_blobs(image.document, where)
    reads = []
    if unpacked:
        reads.append(
            unpacked_size(client, registries, ref, layers, exact=exact, on_bytes=on_bytes, extend_deadline=extend)
        )
    if single_platform is not None:
        reads.append(config_platform(client, registries, ref, config))
    answers = await asyncio.gather(*reads)
    built_for = answers[-1] if single_platform is not None else None
    warnings = []
    if built_for is not None and single_platform is not None and not built_for.matches(single_platform):
        warnings.append(
            f"{ref} is built for {built_for} only, not {single_platform}: the sizes are {built_for}'s, "
            f"and a {single_platform} machine cannot run it"
        )
    return replace(found, unpacked=answers[0] if unpacked else None, warnings=tuple(warnings))


async def image_sizes(
    references: Iterable[str],
    *,
    platform: str = DEFAULT_PLATFORM,
    registries: ContainerRegistries,
    every_platform: bool = False,
    progress: Progress | None = None,
    docker_engine: httpx.AsyncClient | None = None,
    unpacked: bool = True,
    exact: bool = False,
    on_bytes: Callable[[str, int, int], None] | None = None,
) -> dict[str, ImageSize | ImageError]:
    """Look many references up at once: each distinct image once, one client per registry (from ``registries``),
    at most ``registries.per_registry`` requests in flight per registry. Keys are the references as given."""
    parse_platform(platform)  # a bad platform is the caller's mistake, not one per image
    texts = list(dict.fromkeys(references))
    parsed: dict[str, ImageReference | ImageError] = {}
    for text in texts:
        try:
            parsed[text] = parse_reference(text)
        except ImageError as error:
            parsed[text] = error
    by_image: dict[str, asyncio.Task[ImageSize | ImageError]] = {}

    async def look_up(ref: ImageReference) -> ImageSize | ImageError:
        try:
            found = await image_size(
                registries.client_for(ref.api_host),
                ref,
                platform,
                registries=registries,
                every_platform=every_platform,
                unpacked=unpacked,
                exact=exact,
                on_bytes=(lambda done, whole: on_bytes(str(ref), done, whole)) if on_bytes else None,
            )
        except ImageError as error:
            return error
        if docker_engine is not None:
            found = replace(found, engine_size=await engine_image_size(docker_engine, ref))
        return found

    for ref in parsed.values():
        if isinstance(ref, ImageReference) and str(ref) not in by_image:
            by_image[str(ref)] = asyncio.create_task(look_up(ref))

    async def settle(text: str) -> tuple[str, ImageSize | ImageError]:
        ref = parsed[text]
        result = ref if isinstance(ref, ImageError) else await by_image[str(ref)]
        if progress:
            progress(text, result)
        return text, result

    return dict(await asyncio.gather(*(settle(text) for text in texts)))


async def lookup_sizes(
    references: Iterable[str],
    *,
    platform: str = DEFAULT_PLATFORM,
    settings: Settings | None = None,
    credentials: Credentials | None = None,
    progress: Progress | None = None,
    every_platform: bool = False,
    retry: RetryPolicy | None = None,
    client_factory: ClientFactory = default_client_factory,
    environ: dict[str, str] | None = None,
    unpacked: bool = True,
    exact: bool = False,
    on_bytes: Callable[[str, int, int], None] | None = None,
    watch: Callable[[ContainerRegistries], None] | None = None,
) -> dict[str, ImageSize | ImageError]:
    """The front ends' entry point: settings decide offline mode and insecure registries; credentials default to
    the environment and Docker's config; a local Docker engine, where one runs, adds its own figure for images
    it has. ``on_bytes(reference, read, to_read)`` follows layers read whole (``exact``); ``watch`` is handed
    the run's :class:`ContainerRegistries`, whose ``waiting_for()`` names what is being waited for."""
    settings = settings or Settings()
    references = list(references)
    if settings.offline:
        offline = RegistryUnreachable("not looked up: offline mode is on", hint="type the size in bytes yourself")
        return {text: offline for text in references}
    socket = docker_socket(environ)
    engine = docker_engine_client(socket) if socket else None
    registries = ContainerRegistries(
        credentials=credentials,
        insecure_registries=settings.insecure_registries,
        retry=retry,
        client_factory=client_factory,
    )
    if watch:
        watch(registries)
    try:
        async with registries:
            return await image_sizes(
                references,
                platform=platform,
                registries=registries,
                every_platform=every_platform,
                progress=progress,
                docker_engine=engine,
                unpacked=unpacked,
                exact=exact,
                on_bytes=on_bytes,
            )
    finally:
        if engine is not None:
            await engine.aclose()


async def look_up_one(
    reference: str,
    *,
    platform: str = DEFAULT_PLATFORM,
    settings: Settings | None = None,
    credentials: Credentials | None = None,
    exact: bool = False,
) -> ImageSize:
    """One reference through :func:`lookup_sizes`; raise its :class:`ImageError` instead of returning it."""
    looked_up = await lookup_sizes([reference], platform=platform, settings=settings, credentials=credentials, exact=exact)
    result = looked_up[reference]
    if isinstance(result, ImageError):
        raise result
    return result


def _platform_image_size(image: _Manifest, ref: ImageReference, digest: str) -> int:
    if image.media_type not in IMAGE_TYPES:
        raise UnsupportedManifest(
            f"{ref.name}@{digest} is an index inside an index, which the tool does not follow",
            hint="type the size yourself",
        )
    return image_size_of(image.document, f"{ref.name}@{digest}")


async def _fetch_manifest(
    client: httpx.AsyncClient, registries: ContainerRegistries, ref: ImageReference, manifest_reference: str
) -> _Manifest:
    where = f"{ref.name}@{manifest_reference}" if ":" in manifest_reference else f"{ref.name}:{manifest_reference}"
    path = f"/v2/{ref.path}/manifests/{manifest_reference}"
    response = await registries.get(client, ref.api_host, path, scope=pull_scope(ref.path), accept=ACCEPT)
    if response.status_code != 200:
        raise await explain_failure(client, registries, ref, response, manifest_reference, where)
    media_type, document = decode_manifest(response.content, response.headers.get("content-type"), where)
    digest = manifest_digest(response.content)
    if manifest_reference.startswith("sha256:") and digest != manifest_reference:
        raise ImageError(
            f"{ref.api_host} sent a manifest for {where} whose content has the digest {digest}",
            hint="something between you and the container registry changed it; try again, or from another network",
        )
    return _Manifest(media_type, document, digest)
