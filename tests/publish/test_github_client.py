"""wizard.github.client against the emulator: headers, GitHub's refusals in plain words, rate limits, network."""

from __future__ import annotations

import socket

import httpx
import pytest

from wizard.errors import (
    BadToken,
    GitHubRateLimited,
    GitHubUnreachable,
    GitHubValidation,
    MissingPermission,
)
from wizard.github.client import API_VERSION, GitHub, summarize_body
from wizard.github.errors import ATTEMPTS, plain_words, rate_limit_of
from wizard.github.token import Secret


@pytest.fixture
async def github(github_emulator):
    async with httpx.AsyncClient() as client:
        yield GitHub(client, api_url=github_emulator.url, token=Secret(github_emulator.token),
                     sleep=github_emulator.clock.sleep)


def github_for(emulator, client, token: str | None) -> GitHub:
    return GitHub(client, api_url=emulator.url, token=None if token is None else Secret(token),
                  sleep=emulator.clock.sleep)


async def test_every_call_sends_the_media_type_and_the_api_version(github, github_emulator):
    await github.authenticated_user()
    await github.get_ref("premAI-io/prem-registry", "heads/dev")

    for request in github_emulator.requests:
        assert request.headers["accept"] == "application/vnd.github+json"
        assert request.headers["x-github-api-version"] == API_VERSION
        assert request.headers["authorization"] == f"Bearer {github_emulator.token}"


async def test_the_scopes_of_a_classic_token_are_read(github, github_emulator):
    user = await github.authenticated_user()

    assert (user.login, user.scopes) == ("first-timer", frozenset({"public_repo"}))


async def test_absent_things_are_none_not_errors(github):
    assert await github.get_ref("premAI-io/prem-registry", "heads/no-such-branch") is None
    assert await github.get_repository("first-timer/no-such-repo") is None


async def test_a_bad_token_says_it_is_wrong_or_expired(github_emulator):
    async with httpx.AsyncClient() as client:
        with pytest.raises(BadToken) as caught:
            await github_for(github_emulator, client, "ghp_revoked").authenticated_user()

    message = str(caught.value)
    assert "Bad credentials" in message and "expired" in message
    assert "settings/tokens/new?scopes=public_repo" in message and "gh auth login" in message
    assert caught.value.status == 401


async def test_a_classic_token_without_the_scope_gets_404_and_is_told_the_scope(github_emulator):
    token = github_emulator.add_user("no-scope-user", scopes=("read:user",))
    async with httpx.AsyncClient() as client:
        with pytest.raises(MissingPermission) as caught:
            await github_for(github_emulator, client, token).create_fork("premAI-io/prem-registry")

    message = str(caught.value)
    assert "HTTP 404" in message and "GitHub answers 404" in message
    assert "your token has read:user; it needs the 'public_repo' scope" in message


async def test_a_fine_grained_token_is_told_it_cannot_open_the_pull_request(github_emulator):
    token = github_emulator.add_user("fine-user", scopes=None)
    async with httpx.AsyncClient() as client:
        with pytest.raises(MissingPermission) as caught:
            await github_for(github_emulator, client, token).create_pull_request(
                "premAI-io/prem-registry", title="t", head="fine-user:x", base="dev", body="b", draft=False)

    message = str(caught.value)
    assert "Resource not accessible by personal access token" in message
    assert "a fine-grained token cannot open a pull request on a repository you do not own" in message
    assert "classic token with the 'public_repo' scope" in message


async def test_validation_failures_come_back_in_plain_words(github, github_emulator):
    fork = github_emulator.add_fork("premAI-io/prem-registry", "first-timer").full_name
    dev = await github.get_ref(fork, "heads/dev")
    with pytest.raises(GitHubValidation) as caught:
        await github.update_ref(fork, "heads/nope", dev, force=False)

    assert "Reference does not exist" in str(caught.value)
    assert await github.create_ref(fork, "refs/heads/dev", dev) is False  # "already exists"


@pytest.mark.parametrize("raw, words", [
    ("A pull request already exists for first-timer:add-chat-x.", "a pull request from first-timer:add-chat-x is already open"),
    ("No commits between dev and first-timer:add-chat-x", "holds no change compared to dev"),
    ("Reference already exists", "a branch of that name already exists"),
    ("Update is not a fast forward", "someone else pushed to it"),
    ("base_tree is not a valid tree oid", "cannot find the upstream's latest commit in your fork"),
    ("Parent SHA does not exist or is not a commit object", "cannot find the upstream's latest commit"),
    ("Something new", "Something new"),
])
def test_plain_words_for_githubs_messages(raw, words):
    assert words in plain_words(raw)


async def test_a_primary_limit_that_resets_soon_is_waited_out(github, github_emulator):
    github_emulator.exhaust_rate_limit("first-timer", reset_in=30)

    user = await github.authenticated_user()

    assert user.login == "first-timer"
    assert github_emulator.clock.slept == [31]
    assert [c.status for c in github.calls] == [403, 200]


async def test_a_primary_limit_that_resets_late_says_when(github, github_emulator):
    github_emulator.exhaust_rate_limit("first-timer", reset_in=3000)

    with pytest.raises(GitHubRateLimited) as caught:
        await github.authenticated_user()

    assert caught.value.reset_at == pytest.approx(github_emulator.clock() + 3001)
    assert "5000 API calls" in str(caught.value) and "run the same command again after" in str(caught.value)
    assert github_emulator.clock.slept == []


async def test_a_secondary_limit_honours_retry_after(github, github_emulator):
    github_emulator.secondary_limit_next(retry_after=7)

    await github.authenticated_user()

    assert github_emulator.clock.slept == [7]


async def test_a_secondary_limit_without_retry_after_waits_a_minute_then_gives_up(github, github_emulator):
    github_emulator.secondary_limit_next(times=ATTEMPTS)

    with pytest.raises(GitHubRateLimited) as caught:
        await github.authenticated_user()

    assert github_emulator.clock.slept == [60]  # then 120 s: longer than worth sitting through
    assert "secondary rate limit" in str(caught.value)


def test_rate_limit_rules():
    primary = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1050"}
    assert rate_limit_of(403, primary, "API rate limit exceeded", now=1000, attempt=0).wait == 51
    assert rate_limit_of(429, primary, "", now=1040, attempt=0).wait == 11
    assert rate_limit_of(403, primary, "", now=0, attempt=0).wait is None  # far: say when instead
    assert rate_limit_of(403, {"retry-after": "5"}, "", now=0, attempt=0).secondary
    assert rate_limit_of(403, {}, "Resource not accessible", now=0, attempt=0) is None
    assert rate_limit_of(404, primary, "", now=1000, attempt=0) is None


async def test_a_read_that_loses_its_connection_is_repeated(github, github_emulator):
    github_emulator.drop_next("GET", "/user")

    await github.authenticated_user()

    assert [c.status for c in github.calls] == [0, 200]


async def test_a_write_that_loses_its_connection_is_not_repeated(github, github_emulator):
    github_emulator.drop_next("POST", "/forks")

    with pytest.raises(GitHubUnreachable) as caught:
        await github.create_fork("premAI-io/prem-registry")

    assert [c.status for c in github.calls] == [0]
    assert "could not reach GitHub" in str(caught.value)


async def test_an_address_nobody_answers_is_tried_three_times(github_emulator):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    async with httpx.AsyncClient() as client:
        github = GitHub(client, api_url=f"http://127.0.0.1:{closed_port}", token=None, sleep=github_emulator.clock.sleep)
        with pytest.raises(GitHubUnreachable) as caught:
            await github.create_fork("premAI-io/prem-registry")  # never reached GitHub, so safe to repeat

    assert len(github.calls) == ATTEMPTS and github_emulator.clock.slept == [2.0, 4.0]
    assert "check your connection" in str(caught.value)


async def test_server_errors_on_reads_are_retried(github, github_emulator):
    github_emulator.fail_next("GET", "/user", 502, {"message": "Server Error"})

    await github.authenticated_user()

    assert [c.status for c in github.calls] == [502, 200]


def test_body_summaries_are_short():
    summary = summarize_body({"message": "Add X\n\nlong text", "tree": "a" * 40, "parents": ["b" * 40],
                              "draft": False})
    assert summary == 'message="Add X" (+11 chars), tree=aaaaaaa, parents=[bbbbbbb], draft=false'


async def test_a_second_pull_request_from_one_branch_is_not_opened(github, github_emulator, publish, service_folder):
    first = await publish(service_folder)

    again = await github.create_pull_request("premAI-io/prem-registry", title="again", head=f"first-timer:{first.branch}",
                                             base="dev", body="", draft=False)

    assert again is None  # GitHub's 422 "A pull request already exists for ..."
    assert github.calls[-1].status == 422 and len(github_emulator.pulls) == 1


async def test_a_branch_without_changes_cannot_become_a_pull_request(github, github_emulator):
    fork = github_emulator.add_fork("premAI-io/prem-registry", "first-timer").full_name
    await github.create_ref(fork, "refs/heads/empty", github_emulator.repo(fork).refs["heads/dev"])

    with pytest.raises(GitHubValidation) as caught:
        await github.create_pull_request("premAI-io/prem-registry", title="t", head="first-timer:empty", base="dev",
                                         body="", draft=False)

    assert "first-timer:empty holds no change compared to dev" in str(caught.value)


async def test_refusals_point_at_githubs_documentation(github_emulator):
    async with httpx.AsyncClient(base_url=github_emulator.url) as client:
        response = await client.get("/repos/premAI-io/prem-registry/git/ref/heads/nope", headers={
            "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION})

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found", "status": "404",
                               "documentation_url": "https://docs.github.com/rest/git/refs#get-a-reference"}
