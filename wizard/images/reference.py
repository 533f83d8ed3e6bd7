"""Image references, parsed by the grammar of the distribution project's ``reference`` package.

    reference        := name [ ":" tag ] [ "@" digest ]
    name             := [domain "/"] path
    domain           := host [":" port]
    host             := domain-name | "[" IPv6 "]"
    domain-name      := domain-component ["." domain-component]*
    domain-component := /[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]/
    path             := path-component ["/" path-component]*
    path-component   := alpha-numeric [separator alpha-numeric]*
    alpha-numeric    := /[a-z0-9]+/
    separator        := /[_.]|__|[-]+/
    tag              := /[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}/
    digest           := algorithm ":" hex        (sha256: 64 hex digits, sha384: 96, sha512: 128)

Normalisation is Docker's (``ParseNormalizedNamed``): the first path part is a registry host only when it holds a
``.`` or a ``:``, is ``localhost``, or has an uppercase letter; otherwise the image is on Docker Hub (``docker.io``,
also spelled ``index.docker.io``), where a one-part name gets the ``library/`` prefix. No tag and no digest means
the tag ``latest``. Parsing is pure: no network, no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wizard.errors import BadReference

DOCKER_HUB_DOMAIN = "docker.io"
DOCKER_HUB_LEGACY_DOMAINS = frozenset({"index.docker.io"})
DOCKER_HUB_API_HOST = "registry-1.docker.io"  # docker.io itself serves a web page, not the API
OFFICIAL_PREFIX = "library/"
DEFAULT_TAG = "latest"
PATH_LENGTH_MAX = 255
TAG_LENGTH_MAX = 128

EXAMPLE = "for example ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2"

_ALPHANUMERIC = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|-+)"
PATH_COMPONENT = re.compile(f"{_ALPHANUMERIC}(?:{_SEPARATOR}{_ALPHANUMERIC})*")
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
DOMAIN = re.compile(rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?")
TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")  # Go's \w is ASCII; Python's is not
DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_IMAGE_ID = re.compile(r"[a-f0-9]{64}")
DIGEST_HEX_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}


@dataclass(frozen=True)
class ImageReference:
    """A normalised image reference: ``domain/path[:tag][@digest]``.

    ``tag`` is ``latest`` when neither tag nor digest was given; with a digest the digest is what gets fetched
    and the tag is only kept for display, as Docker does.
    """

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """``domain/path``, the full repository name."""
        return f"{self.domain}/{self.path}"

    @property
    def api_host(self) -> str:
        """The host that serves the distribution API for this image."""
        return DOCKER_HUB_API_HOST if self.domain == DOCKER_HUB_DOMAIN else self.domain

    @property
    def manifest_reference(self) -> str:
        """What goes after ``/manifests/``: the digest when there is one, else the tag."""
        return self.digest or self.tag or DEFAULT_TAG

    @property
    def familiar(self) -> str:
        """The short form people type and Docker prints: ``nginx:latest`` for ``docker.io/library/nginx:latest``."""
        text = str(self)
        if self.domain == DOCKER_HUB_DOMAIN:
            text = text.removeprefix(f"{DOCKER_HUB_DOMAIN}/").removeprefix(OFFICIAL_PREFIX)
        return text

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> ImageReference:
    """Parse and normalise ``text``; raise :class:`BadReference` naming the part that is wrong."""
    if not isinstance(text, str) or not text:
        raise BadReference("the image reference is empty", hint=f"type one, {EXAMPLE}")
    if any(c.isspace() for c in text):
        raise BadReference(f"the image reference {text!r} holds white space", hint=f"remove it; {EXAMPLE}")
    if _IMAGE_ID.fullmatch(text):
        raise BadReference(
            f"'{text[:12]}…' is an image ID, not a reference",
            hint=f"use the name the image is pushed under, {EXAMPLE}",
        )
    rest, at, digest = text.partition("@")
    if at:
        _check_digest(text, digest)
    domain, remainder = split_domain(rest)
    path, colon, tag = remainder.partition(":")
    if colon:
        _check_tag(text, tag)
    _check_domain(text, domain)
    _check_path(text, path)
    return ImageReference(domain=domain, path=path, tag=tag or (None if digest else DEFAULT_TAG), digest=digest or None)


def split_domain(name: str) -> tuple[str, str]:
    """Docker's ``splitDockerDomain``: the registry host and the rest, with Docker Hub's defaults applied."""
    first, slash, rest = name.partition("/")
    is_host = slash and (any(c in first for c in ".:") or first == "localhost" or first.lower() != first)
    domain, remainder = (first, rest) if is_host else (DOCKER_HUB_DOMAIN, name)
    if domain in DOCKER_HUB_LEGACY_DOMAINS:
        domain = DOCKER_HUB_DOMAIN
    if domain == DOCKER_HUB_DOMAIN and "/" not in remainder:
        remainder = OFFICIAL_PREFIX + remainder
    return domain, remainder


def _check_digest(text: str, digest: str) -> None:
    algorithm, _, hex_digits = digest.partition(":")
    expected = DIGEST_HEX_LENGTHS.get(algorithm)
    if expected and re.fullmatch(r"[0-9a-fA-F]+", hex_digits):
        if len(hex_digits) == expected and hex_digits == hex_digits.lower():
            return
        problem = f"the {algorithm} digest in {text!r} must be {expected} lowercase hex digits, not {len(hex_digits)}"
        if len(hex_digits) == expected:
            problem = f"the {algorithm} digest in {text!r} must be in lowercase hex digits"
    elif not DIGEST.fullmatch(digest):
        problem = f"the digest '{digest}' in {text!r} is not algorithm:hex"
    else:
        problem = f"the digest algorithm '{algorithm}' in {text!r} is not one of {', '.join(DIGEST_HEX_LENGTHS)}"
    raise BadReference(problem, hint="copy the digest whole, like sha256:<64 hex digits>, or use a tag instead")


def _check_tag(text: str, tag: str) -> None:
    if TAG.fullmatch(tag):
        return
    if not tag:
        problem = f"the tag after ':' in {text!r} is empty"
    elif len(tag) > TAG_LENGTH_MAX:
        problem = f"the tag in {text!r} is {len(tag)} characters; the limit is {TAG_LENGTH_MAX}"
    else:
        problem = f"the tag '{tag}' in {text!r} is not valid"
    raise BadReference(
        problem, hint="a tag is letters, digits, '_', '.' and '-', and does not start with '.' or '-', like 1.0.2"
    )


def _check_domain(text: str, domain: str) -> None:
    if not DOMAIN.fullmatch(domain):
        raise BadReference(
            f"the registry host '{domain}' in {text!r} is not a host name",
            hint="write it like ghcr.io, registry.example.com:5000 or localhost:5000",
        )


def _check_path(text: str, path: str) -> None:
    if path != path.lower():
        raise BadReference(
            f"the repository '{path}' in {text!r} has uppercase letters",
            hint=f"repository names are lowercase: {path.lower()}",
        )
    if len(path) > PATH_LENGTH_MAX:
        raise BadReference(
            f"the repository name in {text!r} is {len(path)} characters; the limit is {PATH_LENGTH_MAX}",
            hint="check that the reference was copied whole and only once",
        )
    for component in path.split("/"):
        if not component:
            raise BadReference(f"the repository '{path}' in {text!r} has an empty part between slashes", hint=EXAMPLE)
        if not PATH_COMPONENT.fullmatch(component):
            raise BadReference(
                f"the part '{component}' of the repository in {text!r} is not valid",
                hint="use lowercase letters and digits, joined by single '.', '_', '__' or dashes, "
                "and start and end with a letter or digit",
            )
