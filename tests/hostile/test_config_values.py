"""A config file, environment variable or flag of the wrong kind is named with where it came from and how to
write it (exit 2), never misread and never a traceback; a token written into the API URL is never shown."""

from __future__ import annotations

import pytest

from tests.publish.conftest import make_service
from wizard.cli import main
from wizard.settings import build_settings, config_file, plain_http_warning

TOKEN = "ghp_configTOKEN0123456789abcdefABCDEF"

BAD_FILES = {  # content -> what the message says
    b"upstream = 5": "upstream is a number; it is text",
    b"out = 5": "out is a number; it is text",
    b"insecure_registries = [1]": "insecure_registries holds a number; each entry is a host:port string",
    b'insecure_registries = "host:5000"': 'insecure_registries is the string "host:5000"',
    b'insecure_registries = ["not a host"]': "which is not a host or host:port",
    b"api_url = []": "api_url is a list; it is text",
    b'offline = "no"': 'offline is the string "no"; it is a switch',
    b"offline = 1": "offline is a number; it is a switch",
    b"base = {a = 1}": "base is a table; it is text",
    b"size_kind = 4": "size_kind is a number; it is text",
    b'size_kind = "zipped"': "is neither 'unpacked' nor 'download'",
    b'upstream = "a/b/c"': "is not OWNER/REPO",
    b'upstream = "a/b\\u001b[2J"': "upstream holds a control character",
    b'api_url = "ftp://example.com"': "is not an http(s) URL with a host",
    b'api_url = "https://x:' + TOKEN.encode() + b'@github.example.com/api/v3"': "holds a user name or password",
    b'api_url = "https://' + TOKEN.encode() + b'@github.example.com/api/v3"': "holds a user name or password",
    b"a = " + b"[" * 5000: "nests too deeply",
    b"out = " + b"9" * 5000: "a number too long to read",
    b"\xff\xfe u": "is not UTF-8 text",
    b"upstream = ": "Invalid value",
    b"upstrem = 'x/y'": "unknown setting(s) upstrem",
}


@pytest.mark.parametrize("content", list(BAD_FILES), ids=lambda c: c[:30].decode("latin-1"))
@pytest.mark.parametrize("command", [["config"], ["new", "--offline"], ["publish", "x"], ["size", "a/b:1"],
                                     ["bump", "{folder}"], ["edit", "{folder}"], ["batch", "x.toml"], ["serve", "--check"]])
def test_a_wrong_config_value_is_named_with_its_file(content, command, tmp_path, capsys):
    folder = make_service(tmp_path, "config-test")
    command = [part.format(folder=folder) for part in command]
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_bytes(content)
    try:
        code = main(command)
    except SystemExit as exit_:  # argparse refusing a flag the command lacks
        code = exit_.code
    out, err = capsys.readouterr()
    assert code == 2, err
    assert "Traceback" not in out + err and TOKEN not in out + err and "\x1b" not in out + err
    if "unrecognized arguments" not in err:
        assert BAD_FILES[content] in err and str(config_file()) in err or "api_url (from" in err


def test_a_config_file_that_is_a_folder_is_named(capsys):
    config_file().mkdir(parents=True)
    assert main(["config"]) == 2
    assert "is a folder, not a config file" in capsys.readouterr().err


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("yes", True), ("ON", True), ("no", False), ("0", False),
                                            ("off", False), ("", False)])
def test_offline_words_in_the_environment_mean_what_they_say(raw, value):
    assert build_settings({}, environ={"PREM_NEW_SERVICE_OFFLINE": raw}).offline is value


@pytest.mark.parametrize("raw", ["nope", "2", "enabled"])
def test_an_offline_word_that_means_nothing_is_refused(raw, capsys):
    from wizard.errors import BadSetting

    with pytest.raises(BadSetting, match="PREM_NEW_SERVICE_OFFLINE: offline is"):
        build_settings({}, environ={"PREM_NEW_SERVICE_OFFLINE": raw})


def test_insecure_registries_from_the_environment_are_hosts_not_letters():
    settings = build_settings({}, environ={"PREM_NEW_SERVICE_INSECURE_REGISTRIES": "host:5000, lab:5001"})
    assert settings.insecure_registries == ("host:5000", "lab:5001")


def test_set_writes_the_kind_the_setting_has(capsys):
    assert main(["config", "--set", "offline=no", "--set", "insecure_registries=host:5000"]) == 0
    text = config_file().read_text()
    assert "offline = false" in text and 'insecure_registries = ["host:5000"]' in text


def test_a_token_in_the_api_url_flag_is_never_printed(capsys):
    code = main(["publish", "x", "--api-url", f"https://{TOKEN}@github.example.com/api/v3"])
    out, err = capsys.readouterr()
    assert code == 2 and "holds a user name or password" in err and TOKEN not in out + err


@pytest.mark.parametrize(("url", "warned"), [("http://github.example.com/api/v3", True),
                                             ("https://github.example.com/api/v3", False),
                                             ("http://127.0.0.1:8080", False), ("http://localhost:1/api", False)])
def test_plain_http_beyond_this_machine_is_warned_about(url, warned):
    assert (plain_http_warning(url) is not None) is warned
