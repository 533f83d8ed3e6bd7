"""Service folders built to break the tool: each is named by `validate`, refused by `publish` before any request,
and met by `edit` and `bump` with a named error, never a traceback, and nothing a terminal would obey."""

from __future__ import annotations

import json

import pytest

from tests.publish.conftest import make_service
from wizard.cli import main

ESC = "\x1b"


def _manifest(folder, change):
    path = folder / "manifest.json"
    path.write_text(change(path.read_text()))


def _with(key, raw):
    """The manifest text with ``key``'s value replaced by ``raw`` JSON text, as a person would type it."""
    def change(text):
        data = json.loads(text)
        data[key] = "@@"
        return json.dumps(data, indent=4).replace('"@@"', raw)
    return change


def _size(raw):
    def change(text):
        size = str(json.loads(text)["dockerImages"]["gpu"]["size"])
        return text.replace(size, raw, 1)
    return change


SVG = "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' width='256' height='256'>{}</svg>"

CASES = {  # name -> (how to make it, file, what validate says)
    "deep manifest": (lambda f: (f / "manifest.json").write_text("[" * 100_000 + "]" * 100_000),
                      "manifest.json", "nests too deeply"),
    "5000-digit size": (lambda f: _manifest(f, _size("9" * 5000)), "manifest.json", "a number too large to read"),
    "400-digit size": (lambda f: _manifest(f, _size("9" * 400)), "manifest.json", "larger than any disk"),
    "1e400 port": (lambda f: _manifest(f, _with("defaultPort", "1e400")), "manifest.json",
                     "a number too large to read"),
    "NaN port": (lambda f: _manifest(f, _with("defaultPort", "NaN")), "manifest.json", "NaN is not a JSON number"),
    "duplicate id": (lambda f: _manifest(f, lambda t: t.replace("{", '{\n    "id": "other",', 1)), "manifest.json",
                     'the key "id" is written twice'),
    "escape interface": (lambda f: _manifest(f, _with("interfaces", json.dumps([ESC + "]0;pwned\a" + ESC + "[2J"]))),
                         "manifest.json", "is not a Prem interface"),
    "binary readme": (lambda f: (f / "README.md").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(range(256))),
                      "README.md", "README.md is not UTF-8 text"),
    "latin-1 readme": (lambda f: (f / "README.md").write_bytes("# Café\n\nA café model.\n".encode("latin-1")),
                       "README.md", "README.md is not UTF-8 text"),
    "nul readme": (lambda f: (f / "README.md").write_text("# Model\n\nfine\x00text\n"), "README.md",
                   "README.md holds a control character ('\\x00')"),
    "script logo": (lambda f: (f / "logo.svg").write_text(SVG.format("<script>alert(1)</script>")), "logo.svg",
                    "holds a <script> element"),
    "onload logo": (lambda f: (f / "logo.svg").write_text(SVG.format("<rect onload='alert(1)'/>")), "logo.svg",
                    "has an event handler (onload= on <rect>)"),
    "javascript link logo": (lambda f: (f / "logo.svg").write_text(
        SVG.format("<a xlink:href=' java&#9;script:alert(1)'><text>x</text></a>")), "logo.svg",
        "links to a script or page (href= on <a>)"),
    "iframe logo": (lambda f: (f / "logo.svg").write_text(
        SVG.format("<foreignObject><iframe xmlns='http://www.w3.org/1999/xhtml' src='javascript:alert(1)'/>"
                   "</foreignObject>")), "logo.svg", "holds a <foreignObject> element"),
}


def hostile(tmp_path, name):
    folder = make_service(tmp_path / name.replace(" ", "-"), "tiny-llama-test")
    CASES[name][0](folder)
    return folder


def _clean(out: str, err: str) -> None:
    assert "Traceback" not in out + err and ESC not in out + err and "\a" not in out + err
    assert "set_int_max_str_digits" not in err and "invalid literal" not in err


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_names_it(tmp_path, name, capsys):
    folder = hostile(tmp_path, name)
    assert main(["validate", str(folder)]) == 1
    out, err = capsys.readouterr()
    _clean(out, err)
    assert any(CASES[name][2] in line and CASES[name][1] in line and ": error:" in line for line in out.splitlines())


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_json_escapes_and_names_it(tmp_path, name, capsys):
    folder = hostile(tmp_path, name)
    assert main(["validate", "--format", "json", str(folder)]) == 1
    out, err = capsys.readouterr()
    _clean(out, err)
    findings = json.loads(out)["findings"]
    assert any(CASES[name][2] in f["message"] and f["severity"] == "error" for f in findings)


@pytest.mark.parametrize("name", sorted(CASES))
def test_publish_refuses_it_before_sending_anything(github_emulator, tmp_path, name, monkeypatch, capsys):
    """Only reads: the upstream copy of the folder is fetched to tell inherited errors from new ones."""
    folder = hostile(tmp_path, name)
    monkeypatch.setenv("GH_TOKEN", github_emulator.token)
    code = main(["publish", str(folder), "--api-url", github_emulator.url, "--upstream", "premAI-io/prem-registry"])
    out, err = capsys.readouterr()
    assert code in (1, 2)
    _clean(out, err)
    assert CASES[name][2] in err
    assert {call.method for call in github_emulator.api_calls()} <= {"GET"}  # no fork, blob, commit or PR


@pytest.mark.parametrize("name", sorted(CASES))
def test_edit_ends_in_a_named_error_or_a_change_and_no_traceback(tmp_path, name, capsys):
    folder = hostile(tmp_path, name)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code = main(["edit", str(folder), "--memory", "8 GiB", "--offline"])
    out, err = capsys.readouterr()
    _clean(out, err)
    if code != 0:
        assert code in (1, 2) and "error:" in err
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing written
