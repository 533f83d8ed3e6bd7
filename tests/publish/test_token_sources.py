"""Where the token comes from, in order, and that it never shows itself."""

from __future__ import annotations

import logging
import pickle
import stat
from dataclasses import replace

import httpx
import pytest

from wizard.errors import NoToken
from wizard.github.token import (
    Secret,
    new_token_url,
    redact_in_logs,
    resolve_token,
    token_from_device_flow,
    web_url,
)


async def device_flow(emulator, client_id: str):
    async with httpx.AsyncClient() as client:
        return await token_from_device_flow(client, api_url=emulator.url, client_id=client_id,
                                            notify=lambda line: None, sleep=emulator.clock.sleep)


def fake_gh(tmp_path, monkeypatch, *, prints: str, exit_code: int = 0):
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "gh"
    script.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/gh-args\nprintf '%s\\n' '{prints}'\nexit {exit_code}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}:" + __import__("os").environ["PATH"])
    return tmp_path / "gh-args"


async def test_gh_token_comes_before_github_token(github_settings):
    found = await resolve_token(github_settings, interactive=False,
                                environ={"GH_TOKEN": "ghp_first", "GITHUB_TOKEN": "ghp_second"})
    assert (found.secret.reveal(), found.source) == ("ghp_first", "GH_TOKEN")

    found = await resolve_token(github_settings, interactive=False, environ={"GITHUB_TOKEN": "ghp_second"})
    assert found.source == "GITHUB_TOKEN"


async def test_the_environment_comes_before_the_gh_cli(github_settings, tmp_path, monkeypatch):
    fake_gh(tmp_path, monkeypatch, prints="gho_from_gh")

    found = await resolve_token(github_settings, interactive=False, environ={"GITHUB_TOKEN": "ghp_env"})

    assert found.source == "GITHUB_TOKEN"


async def test_the_gh_cli_is_asked_for_its_token(github_settings, tmp_path, monkeypatch):
    args = fake_gh(tmp_path, monkeypatch, prints="gho_from_gh")

    found = await resolve_token(github_settings, interactive=False, environ={})

    assert (found.secret.reveal(), found.source) == ("gho_from_gh", "gh auth token")
    assert args.read_text().split()[:2] == ["auth", "token"]
    assert "--hostname" in args.read_text()  # not github.com: gh is asked for that host's token


async def test_a_gh_that_is_not_logged_in_is_passed_over(github_settings, tmp_path, monkeypatch):
    fake_gh(tmp_path, monkeypatch, prints="", exit_code=1)

    with pytest.raises(NoToken) as caught:
        await resolve_token(github_settings, interactive=False, environ={})

    assert "GH_TOKEN" in str(caught.value) and "gh auth login" in str(caught.value)


async def test_without_a_terminal_nothing_is_asked(github_settings):
    asked = []

    with pytest.raises(NoToken) as caught:
        await resolve_token(replace(github_settings, oauth_client_id="Iv1.test"), interactive=False, environ={},
                            which=lambda name: None, prompt=asked.append)

    assert asked == []
    assert "settings/tokens/new?scopes=public_repo" in str(caught.value)


async def test_the_device_flow_waits_for_the_person_and_keeps_githubs_pace(github_emulator, github_settings):
    github_emulator.device.client_ids.add("Iv1.test")
    github_emulator.device.script = ["authorization_pending", "slow_down", "authorization_pending", "approve"]
    shown = []
    settings = replace(github_settings, oauth_client_id="Iv1.test")

    async with httpx.AsyncClient() as client:
        found = await resolve_token(settings, interactive=True, client=client, environ={}, which=lambda name: None,
                                    notify=shown.append, sleep=github_emulator.clock.sleep,
                                    prompt=lambda text: pytest.fail("the prompt comes after the device flow"))

    assert found.source == "device flow"
    assert github_emulator.tokens[found.secret.reveal()].login == "first-timer"
    assert shown == [f"Open {github_emulator.url}/login/device and enter the code WDJB-MJHT"]
    assert github_emulator.clock.slept == [5, 5, 10, 10]  # slow_down adds five seconds for good


@pytest.mark.parametrize("outcome, words", [("expired_token", "expired"), ("access_denied", "cancelled")])
async def test_the_device_flow_ends_clearly(github_emulator, outcome, words):
    github_emulator.device.client_ids.add("Iv1.test")
    github_emulator.device.script = ["authorization_pending", outcome]

    with pytest.raises(NoToken) as caught:
        await device_flow(github_emulator, "Iv1.test")

    assert words in str(caught.value)


async def test_a_device_flow_that_runs_out_of_time_says_so(github_emulator):
    github_emulator.device.client_ids.add("Iv1.test")
    github_emulator.device.script = ["authorization_pending"] * 1000

    with pytest.raises(NoToken) as caught:
        await device_flow(github_emulator, "Iv1.test")

    assert "expired" in str(caught.value)
    assert sum(github_emulator.clock.slept) <= 900 + 5


async def test_an_unknown_client_id_is_reported(github_emulator):
    with pytest.raises(NoToken) as caught:
        await device_flow(github_emulator, "Iv1.unknown")

    assert "client_id" in str(caught.value)


async def test_last_a_masked_prompt_with_a_link_to_the_new_token_page(github_settings):
    shown, asked = [], []

    def prompt(text):
        asked.append(text)
        return "  ghp_pasted  \n"

    found = await resolve_token(github_settings, interactive=True, environ={}, which=lambda name: None,
                                prompt=prompt, notify=shown.append)

    assert (found.secret.reveal(), found.source) == ("ghp_pasted", "prompt")
    assert new_token_url(github_settings.api_url) in shown[0]
    assert "not shown" in asked[0]


def test_the_new_token_page_has_the_scope_ticked():
    assert new_token_url("https://api.github.com") == (
        "https://github.com/settings/tokens/new?scopes=public_repo&description=prem-new-service")
    assert web_url("https://github.example.com/api/v3") == "https://github.example.com"


def test_a_secret_never_shows_itself():
    secret = Secret("ghp_supersecretvalue")

    assert "supersecret" not in repr(secret) + str(secret) + f"{secret}" + repr([secret]) + repr({"t": secret})
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert secret.kind == "classic" and Secret("github_pat_x").kind == "fine-grained"


def test_logs_are_scrubbed_whatever_handler_prints_them(caplog):
    redact_in_logs(Secret("ghp_logmeifyoucan"))
    caplog.set_level(logging.DEBUG)

    logging.getLogger("httpx").debug("Authorization: Bearer %s", "ghp_logmeifyoucan")
    logging.getLogger("anything").warning("token=ghp_logmeifyoucan")

    assert "ghp_logmeifyoucan" not in caplog.text
    assert caplog.text.count("********") == 2


def test_front_ends_with_their_own_field_ask_quietly_first(github_settings):
    from wizard.github.token import resolve_token_quietly

    assert resolve_token_quietly(github_settings, environ={"GITHUB_TOKEN": "ghp_env"}).reveal() == "ghp_env"
    with pytest.raises(NoToken):
        resolve_token_quietly(github_settings, environ={}, which=lambda name: None)
