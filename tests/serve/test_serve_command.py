"""prem-new-service serve without a browser: who may connect, what each tab runs, what the server is given."""

from __future__ import annotations

import argparse
import os
import sys
from typing import ClassVar

import pytest

from wizard.cli import build_parser, main, serve


class FakeServer:
    """Stands in for textual-serve's Server: records what it was given instead of listening."""

    made: ClassVar[list[FakeServer]] = []

    def __init__(self, command, host, port, title, public_url):
        self.command, self.host, self.port, self.title = command, host, port, title
        self.public_url = public_url or f"http://{host}:{port}"
        self.served = False
        self.token_seen = os.environ.get("GH_TOKEN")
        FakeServer.made.append(self)

    def serve(self):
        self.served = True


@pytest.fixture
def fake_server(monkeypatch):
    FakeServer.made = []
    monkeypatch.setattr(serve, "local_server", lambda: FakeServer)
    return FakeServer.made


def test_loopback_by_default_and_the_url_is_printed(fake_server, capsys, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", "ghp_organisers_own")
    assert main(["serve", "--port", "8123", "--offline", "--index", "idx.json", "--out", "/srv/out"]) == 0
    assert capsys.readouterr().out.startswith("Open http://127.0.0.1:8123 in a browser")
    (server,) = fake_server
    assert server.served and server.host == "127.0.0.1" and server.port == 8123
    assert server.command == (f"{sys.executable} -m wizard serve --session --offline "
                              "--index idx.json --out /srv/out")
    assert server.token_seen is None  # each participant publishes with their own token


@pytest.mark.parametrize("host", ["192.168.1.20", "example.org", "::", "0.0.0.0"])
def test_other_hosts_are_refused_without_allow_remote(fake_server, capsys, host):
    assert main(["serve", "--host", host, "--public-url", "http://lab:8000"]) == 1
    err = capsys.readouterr().err
    assert "anyone on the network could use the wizard" in err and "--allow-remote" in err
    assert fake_server == []


def test_allow_remote_warns(fake_server, capsys):
    assert main(["serve", "--host", "192.168.1.20", "--allow-remote"]) == 0
    captured = capsys.readouterr()
    assert "warning: serving on 192.168.1.20: anyone who can reach this machine" in captured.err
    assert "Open http://192.168.1.20:8000" in captured.out


def test_every_address_needs_the_url_browsers_use(fake_server, capsys):
    assert main(["serve", "--host", "0.0.0.0", "--allow-remote"]) == 1
    assert "--public-url http://THIS-MACHINE:8000" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--allow-remote", "--public-url", "https://lab.example"]) == 0
    assert "Open https://lab.example in a browser" in capsys.readouterr().out


@pytest.mark.parametrize(("host", "loopback"), [("localhost", True), ("127.0.0.2", True), ("::1", True),
                                                ("[::1]", True), ("10.0.0.1", False), ("lab", False)])
def test_is_loopback(host, loopback):
    assert serve.is_loopback(host) is loopback


def test_a_broken_config_file_fails_before_serving(fake_server, capsys):
    from wizard.settings import config_file

    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text("upstrem = 'x/y'\n")
    assert main(["serve"]) == 2
    assert "unknown setting(s) upstrem" in capsys.readouterr().err and fake_server == []


def test_the_session_flag_is_not_advertised(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--help"])
    assert "--session" not in capsys.readouterr().out


def test_session_command_passes_only_given_settings():
    args = argparse.Namespace(offline=None, index_url=None, out=None)
    assert serve.session_command(args) == [sys.executable, "-m", "wizard", "serve", "--session"]
