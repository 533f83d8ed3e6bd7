"""GitHub answers that are not what GitHub sends, and answers that never end: one case each, through the real
`publish` command against the emulator behind a fault proxy. Each ends in a named error (exit 1) that names the
call and what to check, never a traceback, never the token, and within the request deadline."""

from __future__ import annotations

import json

import pytest

from tests.publish.conftest import make_service
from tests.servers.fault_proxy import FaultProxy
from wizard.cli import main

JSON = {"Content-Type": "application/json; charset=utf-8"}

MALFORMED = {  # name -> (path fragment, method, status, headers, body, what the message says)
    "user is an HTML page": ("/user", "GET", 200, {"Content-Type": "text/html"},
                             b"<html><body>Sign in to the hotel Wi-Fi</body></html>", "with an HTML page"),
    "user without login": ("/user", "GET", 200, JSON, b'{"id": 1}', "login: field required"),
    "user is a list": ("/user", "GET", 200, JSON, b"[]", "(list; "),
    "user is empty": ("/user", "GET", 200, JSON, b"", "that is not JSON"),
    "user is plain text": ("/user", "GET", 200, {"Content-Type": "text/plain"}, b"OK", "text/plain that is not JSON"),
    "user nests deeply": ("/user", "GET", 200, JSON, b"[" * 100_000, "not JSON"),
    "login is a number": ("/user", "GET", 200, JSON, b'{"login": 5}', "login: input should be a valid string"),
    "pulls is an object": ("/pulls", "GET", 200, JSON, b'{"message": "ok"}', "(an object; "),
    "pull without url": ("/pulls", "GET", 200, JSON, b'[{"number": 1, "head": {"sha": "a"}}]', "html_url"),
    "fork is a list": ("/forks", "POST", 202, JSON, b"[]", "to fork premAI-io/prem-registry"),
    "fork without name": ("/forks", "POST", 202, JSON, b'{"fork": true}', "full_name: field required"),
    "ref without sha": ("/git/ref/", "GET", 200, JSON, b'{"object": {}}', "object.sha: field required"),
    "tree is a string": ("/git/trees/", "GET", 200, JSON, b'{"sha": "a", "tree": "none"}', "tree: input should be"),
    "new tree sha is a number": ("/git/trees", "POST", 201, JSON, b'{"sha": 5}', "sha: input should be a valid string"),
    "commit is null": ("/git/commits", "POST", 201, JSON, b"null", "(NoneType; "),
    "new pull is a list": ("/pulls", "POST", 201, JSON, b"[]", "to open a pull request"),
}


@pytest.fixture
def proxied(github_emulator, monkeypatch):
    proxy = FaultProxy(github_emulator.url.removeprefix("http://")).start()
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    yield proxy
    proxy.stop()


def publish(proxy, folder) -> int:
    return main(["publish", str(folder), "--api-url", f"http://{proxy.host}", "--upstream", "premAI-io/prem-registry"])


def _no_leak(github_emulator, out: str, err: str) -> None:
    import base64

    token = github_emulator.token
    assert "Traceback" not in out + err
    assert token not in out + err and base64.b64encode(token.encode()).decode() not in out + err


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_answer_is_named(github_emulator, proxied, tmp_path, name, capsys):
    fragment, method, status, headers, body, says = MALFORMED[name]
    proxied.answer(fragment, status=status, headers=headers, body=body, method=method)
    assert publish(proxied, make_service(tmp_path, "fault-test")) == 1
    out, err = capsys.readouterr()
    _no_leak(github_emulator, out, err)
    assert "answered the call to" in err and says in err, err
    assert "check --api-url" in err
    assert out == ""  # no pull request URL: none was opened


FOREVER = {  # name -> (path fragment, method, how)
    "user trickles": ("/user", "GET", "trickle"),
    "user stalls": ("/user", "GET", "stall"),
    "tree stalls": ("/git/trees/", "GET", "stall"),
    "tree upload stalls": ("/git/trees", "POST", "stall"),
    "pull request trickles": ("/pulls", "POST", "trickle"),
    "ref update stalls": ("/git/refs", "POST", "stall"),
}


@pytest.mark.parametrize("name", sorted(FOREVER))
def test_an_answer_that_never_ends_meets_the_deadline_with_progress(github_emulator, proxied, tmp_path, name,
                                                                     monkeypatch, capsys):
    from wizard.github import client

    monkeypatch.setattr(client, "REQUEST_DEADLINE", 1.5)
    monkeypatch.setattr(client, "WAIT_NOTICE_AFTER", 0.5)
    fragment, method, how = FOREVER[name]
    if how == "stall":
        proxied.stall(fragment, method=method)
    else:
        proxied.trickle(fragment, interval=0.5, method=method)
    assert publish(proxied, make_service(tmp_path, "fault-test")) == 1
    out, err = capsys.readouterr()
    _no_leak(github_emulator, out, err)
    assert "did not finish answering in 2 s" in err and "run the same command again" in err
    assert "[wait] still waiting for GitHub to " in err  # the person saw that it waits
    calls = [c for c in proxied.requests if fragment in c[1] and c[0] == method]
    assert len(calls) == 1  # an answer that never ends is not asked for again


def test_the_same_answers_through_the_proxy_open_the_pull_request(github_emulator, proxied, tmp_path, capsys):
    """The proxy itself changes nothing: with no fault, the pull request opens."""
    assert publish(proxied, make_service(tmp_path, "fault-test")) == 0
    assert capsys.readouterr().out.strip().endswith("/pull/1")
    assert json.loads(json.dumps(proxied.requests))  # every request went through it
