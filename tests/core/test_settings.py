"""Flags beat the environment, which beats the config file, which beats defaults."""

from __future__ import annotations

import pytest

from wizard.errors import WizardError
from wizard.settings import DEFAULT_UPSTREAM, build_settings, config_file


def test_defaults_without_a_config_file():
    settings = build_settings({})
    assert settings.upstream == DEFAULT_UPSTREAM and settings.base == "dev" and not settings.offline
    assert set(settings.sources.values()) == {"default"}


def test_precedence_is_flag_then_env_then_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('upstream = "acme/sandbox"\nbase = "main"\nout = "~/services"\ninsecure_registries = ["lab:5000"]\n')
    environ = {"PREM_NEW_SERVICE_BASE": "staging", "PREM_NEW_SERVICE_OFFLINE": "yes"}
    settings = build_settings({"base": "flagged", "out": None}, environ=environ, path=path)
    assert settings.upstream == "acme/sandbox" and settings.sources["upstream"] == "config file"
    assert settings.base == "flagged" and settings.sources["base"] == "flag"
    assert settings.offline is True and settings.sources["offline"] == "environment"
    assert settings.out.endswith("/services") and not settings.out.startswith("~")
    assert settings.insecure_registries == ("lab:5000",)
    assert (settings.upstream_owner, settings.upstream_repo) == ("acme", "sandbox")


def test_config_file_lives_in_the_user_config_dir(isolated_user_dirs):
    assert config_file() == isolated_user_dirs / "config" / "config.toml"


@pytest.mark.parametrize(
    ("text", "message"),
    [("upstrem = 'x/y'\n", "unknown setting(s) upstrem"), ("base = \n", "config.toml"), ("upstream = 'nope'\n", "is not OWNER/REPO")],
)
def test_bad_config_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(WizardError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_settings({}, environ={}, path=path)
