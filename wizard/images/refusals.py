"""Why a container registry refused a lookup, in words: the repository, the tag (with the tags it has), or access."""

from __future__ import annotations

import re
from typing import Any

import httpx

from wizard.errors import ImageError, RepositoryNotFound, TagNotFound
from wizard.images.auth import pull_scope
from wizard.images.reference import ImageReference
from wizard.images.registries import ContainerRegistries, login_command

TAGS_SHOWN = 10


async def explain_failure(
    client: httpx.AsyncClient,
    registries: ContainerRegistries,
    ref: ImageReference,
    response: httpx.Response,
    manifest_reference: str,
    where: str,
) -> ImageError:
    host = ref.api_host
    if response.status_code in (401, 403):
        return registries.refused(host, ref.path)
    codes = _error_codes(response)
    if response.status_code == 404 and "NAME_UNKNOWN" in codes:
        return _repository_not_found(ref)
    if response.status_code == 404:
        return await _tag_not_found(client, registries, ref, manifest_reference)
    detail = "; ".join(codes.values()) or response.reason_phrase
    return ImageError(
        f"{host} refused the request for {where}: {response.status_code} {detail}",
        hint="check the reference; or type the size yourself",
    )


async def _tag_not_found(
    client: httpx.AsyncClient, registries: ContainerRegistries, ref: ImageReference, manifest_reference: str
) -> ImageError:
    what = f"the digest {manifest_reference}" if ref.digest else f"the tag {manifest_reference}"
    response = await registries.get(client, ref.api_host, f"/v2/{ref.path}/tags/list", scope=pull_scope(ref.path))
    if response.status_code == 404 and "MANIFEST_UNKNOWN" not in _error_codes(response):
        return _repository_not_found(ref)
    tags: list[str] = []
    if response.status_code == 200:
        try:
            tags = [t for t in response.json().get("tags") or [] if isinstance(t, str)]
        except (ValueError, AttributeError):
            tags = []
    if not tags:
        return TagNotFound(
            f"{what} does not exist in {ref.name}",
            hint="check the tag on the image's registry page, or push it first",
        )
    shown = sorted(tags, key=_version_key)[-TAGS_SHOWN:]
    more = f" (and {len(tags) - len(shown)} more)" if len(tags) > len(shown) else ""
    return TagNotFound(
        f"{what} does not exist in {ref.name}; tags found: {', '.join(shown)}{more}",
        tags=tags,
        hint="use one of the tags found, or push the tag first",
    )


def _repository_not_found(ref: ImageReference) -> RepositoryNotFound:
    return RepositoryNotFound(
        f"the repository {ref.path} does not exist on {ref.domain}",
        hint=f"check the spelling of the owner and the image name; if it is private, log in first "
        f"({login_command(ref.api_host)})",
    )


def _error_codes(response: httpx.Response) -> dict[str, str]:
    """The distribution API's error body: ``{"errors": [{"code": ..., "message": ...}]}``."""
    try:
        errors = response.json().get("errors") or []
        return {str(e.get("code")): str(e.get("message") or e.get("code")) for e in errors if isinstance(e, dict)}
    except (ValueError, AttributeError):
        return {}


def _version_key(tag: str) -> tuple[Any, ...]:
    """Sort 1.0.10 after 1.0.9, so the newest-looking tags are the ones shown."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[._-]", tag))
