"""`prem-new-service publish` end to end through wizard.cli.main, against the emulator."""

from __future__ import annotations

import json
import logging

from tests.publish.conftest import make_service
from wizard.cli import main


def cli(github_emulator, *args: str) -> int:
    return main(["publish", *args, "--api-url", github_emulator.url, "--upstream", "premAI-io/prem-registry"])


def test_publish_prints_each_step_and_the_url_last(github_emulator, service_folder, monkeypatch, capsys):
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)

    assert cli(github_emulator, str(service_folder)) == 0

    out, err = capsys.readouterr()
    assert out == f"{github_emulator.url}/premAI-io/prem-registry/pull/1\n"
    for stage in ("[check]", "[account] using the token from GH_TOKEN", "[fork]", "[branch]", "[pull request]"):
        assert stage in err


def test_publish_json_is_stable(github_emulator, service_folder, monkeypatch, capsys):
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)

    assert cli(github_emulator, str(service_folder), "--json", "--draft") == 0

    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"pr_url", "pr_number", "branch", "fork", "created", "changed", "commit_sha", "dry_run", "calls"}
    assert (result["pr_number"], result["created"], result["dry_run"]) == (1, True, False)
    assert github_emulator.pulls[0].draft


def test_settings_come_from_the_config_file(github_emulator, service_folder, monkeypatch, capsys, isolated_user_dirs):
    config = isolated_user_dirs / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'upstream = "premAI-io/prem-registry"\napi_url = "{github_emulator.url}"\n')
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)

    assert main(["publish", str(service_folder)]) == 0
    assert len(github_emulator.pulls) == 1


def test_dry_run_sends_nothing_and_needs_no_token(github_emulator, service_folder, capsys):
    assert cli(github_emulator, str(service_folder), "--dry-run") == 0

    out, err = capsys.readouterr()
    assert github_emulator.requests == []
    lines = out.splitlines()
    assert lines[0] == "GET /user"
    assert lines[-1].startswith("POST /repos/premAI-io/prem-registry/pulls  (title=\"Add Tiny Llama Test (chat)\"")
    assert any("git/trees" in line and "chat-tiny-llama-test/manifest.json" in line for line in lines)
    assert "nothing was sent" in err


def test_without_a_token_it_says_how_to_get_one(github_emulator, service_folder, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no gh CLI either

    assert cli(github_emulator, str(service_folder)) == 1

    err = capsys.readouterr().err
    assert "no GitHub token was found" in err and "settings/tokens/new?scopes=public_repo" in err
    assert github_emulator.requests == []


def test_the_token_never_leaks(github_emulator, tmp_path, monkeypatch, capsys, isolated_user_dirs):
    token = github_emulator.token
    monkeypatch.setenv("GH_TOKEN", token)
    log_file = tmp_path / "debug.log"
    handler = logging.FileHandler(log_file)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        folder = make_service(tmp_path, "leak-check")
        codes = [cli(github_emulator, str(folder), "--json"), cli(github_emulator, str(folder))]
        github_emulator.fail_next("GET", "/user", 401, {"message": "Bad credentials"})
        codes.append(cli(github_emulator, str(folder), "--json"))
        logging.getLogger("wizard.test").debug("the token is %s", token)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()

    assert codes == [0, 0, 1]
    out, err = capsys.readouterr()
    assert "Bad credentials" in err
    logged = log_file.read_text()
    assert logged.count("the token is ********") == 1 and "httpx HTTP Request: POST" in logged
    written = [p for base in (tmp_path, isolated_user_dirs) for p in base.rglob("*") if p.is_file()]
    assert log_file in written
    for text in [out, err] + [p.read_bytes().decode("utf-8", "replace") for p in written]:
        assert token not in text
