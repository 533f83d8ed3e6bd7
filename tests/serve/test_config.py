"""prem-new-service config: where the file is, what it holds, where each setting comes from; --init and --set."""

from __future__ import annotations

import json
import tomllib

from hypothesis import given
from hypothesis import strategies as st

from wizard.cli import main
from wizard.cli.config import TEMPLATE, toml_value
from wizard.settings import SETTING_NAMES, config_file, read_config_file


def config_json(capsys) -> dict:
    assert main(["config", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_without_a_file_every_setting_is_a_default(capsys):
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert f"config file: {config_file()} (does not exist" in out and "config --init" in out
    assert "upstream             [default]      premAI-io/prem-registry" in out
    shown = config_json(capsys)
    assert shown["path"] == str(config_file()) and shown["exists"] is False
    assert list(shown["settings"]) == list(SETTING_NAMES)
    assert shown["settings"]["offline"] == {"value": False, "source": "default", "env": "PREM_NEW_SERVICE_OFFLINE"}
    assert shown["settings"]["insecure_registries"]["value"] == []


def test_init_writes_a_commented_template_once(capsys):
    assert main(["config", "--init"]) == 0
    assert capsys.readouterr().out.strip() == str(config_file())
    assert config_file().read_text() == TEMPLATE
    assert read_config_file(config_file()) == {}  # everything commented out: the defaults still hold
    for name in SETTING_NAMES:
        assert f"\n# {name} = " in TEMPLATE, f"the template does not show {name}"
    config_file().write_text('upstream = "acme/sandbox"\n')
    assert main(["config", "--init"]) == 1
    assert "already exists; nothing was written" in capsys.readouterr().err
    assert config_file().read_text() == 'upstream = "acme/sandbox"\n'


def test_set_uncomments_the_template_line_and_keeps_the_comments(capsys, monkeypatch):
    assert main(["config", "--init"]) == 0
    argv = ["config", "--set", "upstream=acme/prem-registry-sandbox", "--set", "offline=yes",
            "--set", "insecure_registries=lab:5000, lab2:5000", "--set", 'out=~/my "services"']
    assert main(argv) == 0
    capsys.readouterr()
    text = config_file().read_text()
    assert '\nupstream = "acme/prem-registry-sandbox"\n' in text and "\n# upstream =" not in text
    assert '#   upstream = "acme/prem-registry-sandbox"' in text  # the header's example is left alone
    assert "\noffline = true\n" in text and '\ninsecure_registries = ["lab:5000", "lab2:5000"]\n' in text
    assert "# The default folder service folders are written into." in text
    assert tomllib.loads(text)["out"] == '~/my "services"'

    monkeypatch.setenv("PREM_NEW_SERVICE_BASE", "staging")
    shown = config_json(capsys)
    assert shown["exists"] is True
    assert shown["settings"]["upstream"] == {
        "value": "acme/prem-registry-sandbox", "source": "config file", "env": "PREM_NEW_SERVICE_UPSTREAM"}
    assert shown["settings"]["offline"]["value"] is True
    assert shown["settings"]["insecure_registries"]["value"] == ["lab:5000", "lab2:5000"]
    assert shown["settings"]["base"] == {"value": "staging", "source": "environment", "env": "PREM_NEW_SERVICE_BASE"}
    assert shown["settings"]["api_url"]["source"] == "default"

    assert main(["config", "--set", "upstream=acme/other"]) == 0  # a set value is replaced, not repeated
    assert config_file().read_text().count("\nupstream = ") == 1


def test_set_without_a_file_creates_it(capsys):
    assert main(["config", "--set", "base=main"]) == 0
    assert config_file().read_text() == 'base = "main"\n'
    assert f"Updated {config_file()}" in capsys.readouterr().err


def test_set_refuses_what_would_break_the_file(capsys):
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text('base = "dev"\n')
    assert main(["config", "--set", "upstrem=acme/sandbox"]) == 2
    assert "KEY one of upstream, base" in capsys.readouterr().err
    assert main(["config", "--set", "offline=maybe"]) == 2
    assert main(["config", "--set", "upstream=no-slash"]) == 2
    assert "is not OWNER/REPO" in capsys.readouterr().err
    assert config_file().read_text() == 'base = "dev"\n'


def test_a_broken_config_file_is_reported(capsys):
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_text("upstream = \n")
    assert main(["config"]) == 2
    assert str(config_file()) in capsys.readouterr().err


@given(st.one_of(st.text(st.characters(blacklist_categories=("Cs",))),
                 st.booleans(),
                 st.lists(st.text(st.characters(blacklist_categories=("Cs",))), max_size=3)))
def test_the_tiny_toml_writer_round_trips(value):
    assert tomllib.loads(f"key = {toml_value(value)}\n")["key"] == value
