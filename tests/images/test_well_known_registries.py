"""Docker Hub and ghcr.io as users expect them, and the HTTPS/HTTP rule; played by an httpx.MockTransport
(nothing leaves the machine)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.images.conftest import CountingClients
from wizard.errors import ImageUnauthorized
from wizard.images import Credentials, image_sizes, registry_base_url
from wizard.images.image_manifest import DOCKER_MANIFEST

DIGEST = "sha256:" + "ab" * 32
CONFIG = {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 100, "digest": DIGEST}
LAYER = {"mediaType": "application/vnd.docker.image.rootfs.diff.tar", "size": 900, "digest": DIGEST}
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST, "config": CONFIG, "layers": [LAYER]}).encode()


class RemoteRegistry:
    """A container registry with a token service, as Docker Hub and ghcr.io behave."""

    def __init__(self, host: str, realm: str, service: str, repositories: set[str]) -> None:
        self.host, self.realm, self.service, self.repositories = host, realm, service, repositories
        self.token_requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url).startswith(self.realm):
            self.token_requests.append(request)
            return httpx.Response(200, json={"token": "opaque-token", "expires_in": 300})
        assert request.url.host == self.host and request.url.scheme == "https"
        challenge = f'Bearer realm="{self.realm}",service="{self.service}"'
        if request.headers.get("Authorization") != "Bearer opaque-token":
            return httpx.Response(401, headers={"WWW-Authenticate": challenge})
        if "/blobs/" in request.url.path:
            # the config, read for its platform: this registry has lost it, which only means no warning
            return httpx.Response(404, json={"errors": [{"code": "BLOB_UNKNOWN", "message": "blob unknown"}]})
        repository = request.url.path.removeprefix("/v2/").split("/manifests/")[0]
        if repository not in self.repositories:
            # Docker Hub answers 401 for a repository that does not exist, like for a private one
            return httpx.Response(401, headers={"WWW-Authenticate": challenge + ',error="insufficient_scope"'})
        return httpx.Response(200, content=MANIFEST, headers={"Content-Type": DOCKER_MANIFEST})


def hub() -> RemoteRegistry:
    return RemoteRegistry(
        "registry-1.docker.io", "https://auth.docker.io/token", "registry.docker.io", {"library/nginx"}
    )


async def test_docker_hub_names_and_token_service(make_registries) -> None:
    remote = hub()
    clients = CountingClients(transport=httpx.MockTransport(remote))
    async with make_registries(client_factory=clients) as registries:
        results = await image_sizes(["nginx:1.25", "docker.io/library/nginx:1.25"], registries=registries)
    assert [r.download_size for r in results.values()] == [1000, 1000]
    assert clients.hosts == ["registry-1.docker.io"]
    assert clients.counts == {"ping": 1, "token": 1, "manifest": 1, "blob": 1}  # two spellings, one image
    token = remote.token_requests[0]
    assert dict(token.url.params) == {"service": "registry.docker.io", "scope": "repository:library/nginx:pull"}
    assert "Authorization" not in token.headers  # anonymous
    assert "https://registry-1.docker.io/v2/library/nginx/manifests/1.25" in clients.urls


async def test_docker_hub_credentials_come_from_the_index_key(docker_config, make_registries) -> None:
    remote = hub()
    auth = base64.b64encode(b"hubuser:hubpass").decode()
    docker_config({"auths": {"https://index.docker.io/v1/": {"auth": auth}, "ghcr.io": {"auth": "eDp5"}}})
    async with make_registries(
        credentials=Credentials(), client_factory=CountingClients(transport=httpx.MockTransport(remote))
    ) as registries:
        await image_sizes(["nginx"], registries=registries)
    assert remote.token_requests[0].headers["Authorization"] == f"Basic {auth}"


async def test_docker_hub_missing_or_private_image(make_registries) -> None:
    clients = CountingClients(transport=httpx.MockTransport(hub()))
    async with make_registries(client_factory=clients) as registries:
        results = await image_sizes(["premai/does-not-exist:1"], registries=registries)
    error = results["premai/does-not-exist:1"]
    assert isinstance(error, ImageUnauthorized)
    assert "refused access to premai/does-not-exist: the image is private, or it does not exist" in error.message
    assert "`docker login`" in (error.hint or "")  # Docker Hub needs no host after docker login
    assert clients.counts["token"] == 1  # a freshly fetched token that is refused is not fetched again


async def test_ghcr_public_image_with_an_anonymous_token(make_registries) -> None:
    remote = RemoteRegistry("ghcr.io", "https://ghcr.io/token", "ghcr.io", {"premai-io/chat-dolly-v2-12b-gpu"})
    clients = CountingClients(transport=httpx.MockTransport(remote))
    reference = "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2"
    async with make_registries(client_factory=clients) as registries:
        results = await image_sizes([reference], registries=registries)
    assert results[reference].download_size == 1000
    assert dict(remote.token_requests[0].url.params)["scope"] == "repository:premai-io/chat-dolly-v2-12b-gpu:pull"


@pytest.mark.parametrize(
    ("host", "insecure", "url"),
    [
        ("ghcr.io", (), "https://ghcr.io"),
        ("registry.lab:5000", (), "https://registry.lab:5000"),
        ("registry.lab:5000", ("registry.lab:5000",), "http://registry.lab:5000"),
        ("registry.lab:5000", ("registry.lab",), "http://registry.lab:5000"),
        ("registry.lab:5001", ("registry.lab:5000",), "https://registry.lab:5001"),
        ("10.1.2.3:5000", ("10.0.0.0/8",), "http://10.1.2.3:5000"),
        ("192.168.1.1", ("10.0.0.0/8",), "https://192.168.1.1"),
        ("localhost", (), "http://localhost"),
        ("localhost:5000", (), "http://localhost:5000"),
        ("127.0.0.1:5000", (), "http://127.0.0.1:5000"),
        ("127.1.2.3", (), "http://127.1.2.3"),
        ("[::1]:5000", (), "http://[::1]:5000"),
        ("[2001:db8::1]:5000", (), "https://[2001:db8::1]:5000"),
    ],
)
def test_https_except_loopback_and_insecure_registries(host: str, insecure: tuple[str, ...], url: str) -> None:
    assert registry_base_url(host, insecure) == url


async def test_credentials_are_not_sent_to_a_token_service_over_plain_http(monkeypatch, make_registries) -> None:
    remote = RemoteRegistry("registry.example", "http://auth.example/token", "registry.example", {"team/private"})
    monkeypatch.setenv("PREM_REGISTRY_USERNAME", "someone")
    monkeypatch.setenv("PREM_REGISTRY_PASSWORD", "secret-in-clear")
    clients = CountingClients(transport=httpx.MockTransport(remote))
    async with make_registries(credentials=Credentials(), client_factory=clients) as registries:
        results = await image_sizes(["registry.example/team/private:1"], registries=registries)
        notes = registries.credentials.notes["registry.example"]
    assert results["registry.example/team/private:1"].download_size == 1000  # this fake grants anonymous tokens
    assert "Authorization" not in remote.token_requests[0].headers
    assert notes == ["the credentials were not sent, because the token service http://auth.example/token is not HTTPS"]
