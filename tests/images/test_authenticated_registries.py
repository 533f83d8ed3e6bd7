"""Basic (htpasswd) and token auth against the real registry; credentials from every source; secrets kept quiet."""

from __future__ import annotations

import base64
import os
import stat
import sys
import textwrap

import pytest

from tests.images.conftest import CountingClients
from wizard.errors import ImageUnauthorized
from wizard.images import Credential, Credentials, image_size, image_sizes


def auth_entry(username: str, password: str) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{username}:{password}".encode()).decode()}


# --- Basic auth ---------------------------------------------------------------------------------------------


async def test_basic_auth_with_credentials_from_docker_config(
    auth_container_registry, unique_repository, docker_config, look_up
) -> None:
    registry = auth_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    docker_config({"auths": {f"http://{registry.host}": auth_entry(registry.username, registry.password)}})
    assert (await look_up(pushed.reference, credentials=Credentials())).download_size == pushed.size


async def test_basic_auth_without_credentials_says_how_to_log_in(
    auth_container_registry, unique_repository, look_up
) -> None:
    registry = auth_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    error = await look_up(pushed.reference, credentials=Credentials())
    assert isinstance(error, ImageUnauthorized)
    assert f"{registry.host} refused access to {unique_repository}: the image is private" in error.message
    assert f"docker login {registry.host}" in (error.hint or "")
    assert "--password-stdin" in (error.hint or "")


async def test_wrong_credentials_name_their_source_but_never_the_secret(
    auth_container_registry, unique_repository, docker_config, make_registries
) -> None:
    registry = auth_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    path = docker_config({"auths": {registry.host: {"username": registry.username, "password": "wrong-secret-42"}}})
    async with make_registries(credentials=Credentials()) as registries:
        with pytest.raises(ImageUnauthorized) as caught:
            await image_size(registries.client_for(registry.host), pushed.reference, registries=registries)
        assert "wrong-secret-42" not in repr(registries)
    error = caught.value
    text = str(error)
    assert f"as {registry.username!r} with the credentials from {path} (auths)" in text
    assert "wrong-secret-42" not in text and "wrong-secret-42" not in repr(error)


async def test_environment_credentials(auth_container_registry, unique_repository, monkeypatch, look_up) -> None:
    registry = auth_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    monkeypatch.setenv("PREM_REGISTRY_USERNAME", registry.username)
    monkeypatch.setenv("PREM_REGISTRY_PASSWORD", registry.password)
    assert (await look_up(pushed.reference, credentials=Credentials())).download_size == pushed.size


async def test_explicit_credentials_beat_the_environment(
    auth_container_registry, unique_repository, monkeypatch, look_up
) -> None:
    registry = auth_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    monkeypatch.setenv("PREM_REGISTRY_USERNAME", "someone-else")
    monkeypatch.setenv("PREM_REGISTRY_PASSWORD", "not-this")
    explicit = Credential(registry.username, registry.password, source="--username and --password-stdin")
    assert (await look_up(pushed.reference, credentials=Credentials(explicit=explicit))).download_size == pushed.size
    assert registry.password not in repr(explicit)


# --- credential helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def credential_helper(tmp_path, monkeypatch):
    """Install ``docker-credential-<name>`` on PATH answering ``answers[server]``; it logs the servers asked
    (read them with ``asked_servers``)."""

    def install(name: str, answers: dict[str, dict[str, str]]) -> None:
        folder = tmp_path / "bin"
        folder.mkdir(exist_ok=True)
        log = tmp_path / f"{name}.log"
        script = folder / f"docker-credential-{name}"
        script.write_text(
            textwrap.dedent(
                f"""\
                #!{sys.executable}
                import json, sys
                answers = {answers!r}
                server = sys.stdin.read()
                open({str(log)!r}, "a").write(server + "\\n")
                if sys.argv[1:] != ["get"] or server not in answers:
                    print("credentials not found in native keychain")
                    sys.exit(1)
                print(json.dumps(answers[server]))
                """
            )
        )
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")

    return install


def asked_servers(tmp_path, name: str) -> list[str]:
    log = tmp_path / f"{name}.log"
    return log.read_text().split() if log.exists() else []


async def test_creds_store_helper(
    auth_container_registry, unique_repository, docker_config, credential_helper, tmp_path, make_registries
) -> None:
    registry = auth_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    credential_helper("teststore", {registry.host: {"Username": registry.username, "Secret": registry.password}})
    docker_config({"credsStore": "teststore"})
    async with make_registries(credentials=Credentials()) as registries:
        results = await image_sizes([pushed.reference, pushed.by_digest], registries=registries)
    assert {r.download_size for r in results.values()} == {pushed.size}
    assert asked_servers(tmp_path, "teststore") == [registry.host]  # asked once per registry, not per image


async def test_cred_helpers_per_host_beat_creds_store(
    auth_container_registry, unique_repository, docker_config, credential_helper, tmp_path, look_up
) -> None:
    registry = auth_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    credential_helper("pick", {registry.host: {"Username": registry.username, "Secret": registry.password}})
    credential_helper("general", {})
    docker_config({"credsStore": "general", "credHelpers": {registry.host: "pick"}})
    assert (await look_up(pushed.reference, credentials=Credentials())).download_size == pushed.size
    assert asked_servers(tmp_path, "general") == []


async def test_a_missing_helper_is_mentioned_when_access_is_refused(
    auth_container_registry, unique_repository, docker_config, look_up
) -> None:
    registry = auth_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    docker_config({"credsStore": "not-installed-anywhere"})
    error = await look_up(pushed.reference, credentials=Credentials())
    assert isinstance(error, ImageUnauthorized)
    assert "docker-credential-not-installed-anywhere is not on PATH" in (error.hint or "")


# --- token auth -----------------------------------------------------------------------------------------------


async def test_token_auth_anonymous_pull(token_container_registry, token_server, unique_repository, look_up) -> None:
    registry = token_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    token_server.reset()
    assert (await look_up(pushed.reference)).download_size == pushed.size
    assert [(r.scope, r.account) for r in token_server.requests] == [(f"repository:{unique_repository}:pull", None)]


async def test_ten_references_in_one_repository_cost_one_token_and_ten_manifest_requests(
    token_container_registry, token_server, unique_repository, make_registries
) -> None:
    registry = token_container_registry
    pushed = registry.push_image(unique_repository, "v0")
    references = [registry.tag(pushed, f"v{n}").reference for n in range(10)]
    token_server.reset()
    clients = CountingClients()
    async with make_registries(client_factory=clients) as registries:
        results = await image_sizes(references, registries=registries)
    assert {r.download_size for r in results.values()} == {pushed.size}
    assert len(token_server.requests) == 1
    assert clients.counts == {"ping": 1, "token": 1, "manifest": 10, "blob": 3}  # one image: its blobs read once


async def test_a_private_image_needs_credentials(
    token_container_registry, token_server, unique_repository, docker_config, look_up
) -> None:
    registry = token_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    token_server.private.add(unique_repository)
    error = await look_up(pushed.reference)
    assert isinstance(error, ImageUnauthorized) and "the image is private, or it does not exist" in error.message
    docker_config({"auths": {registry.host: auth_entry(registry.username, registry.password)}})
    token_server.requests.clear()
    assert (await look_up(pushed.reference, credentials=Credentials())).download_size == pushed.size
    assert [(r.account, r.grant) for r in token_server.requests] == [(registry.username, "basic")]


async def test_the_token_server_refusing_credentials(
    token_container_registry, token_server, unique_repository, look_up
) -> None:
    registry = token_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    wrong = Credential(registry.username, "not-the-password-77", source="--username and --password-stdin")
    error = await look_up(pushed.reference, credentials=Credentials(explicit=wrong))
    assert isinstance(error, ImageUnauthorized)
    assert "with the credentials from --username and --password-stdin" in error.message
    assert "not-the-password-77" not in str(error)


async def test_an_identity_token_is_exchanged_by_post(
    token_container_registry, token_server, unique_repository, docker_config, look_up
) -> None:
    registry = token_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    token_server.private.add(unique_repository)
    token_server.identity_tokens["refresh-me-123"] = registry.username
    docker_config({"auths": {registry.host: {"identitytoken": "refresh-me-123"}}})
    token_server.requests.clear()
    assert (await look_up(pushed.reference, credentials=Credentials())).download_size == pushed.size
    assert [(r.account, r.grant) for r in token_server.requests] == [(registry.username, "refresh_token")]


async def test_tokens_live_60_seconds_when_the_server_names_no_lifetime(
    token_container_registry, token_server, unique_repository, make_registries
) -> None:
    registry = token_container_registry
    pushed = registry.push_image(unique_repository, "1.0")
    token_server.expires_in = None
    token_server.requests.clear()
    now = [0.0]
    async with make_registries(clock=lambda: now[0]) as registries:
        for moment in (0.0, 30.0, 61.0, 90.0):
            now[0] = moment
            found = await image_size(registries.client_for(registry.host), pushed.reference, registries=registries)
            assert found.download_size == pushed.size
    assert len(token_server.requests) == 2  # fetched at 0 s and again at 61 s
