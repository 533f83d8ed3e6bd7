"""Every command, with random and adversarial flags and files: exit 0, 1 or 2, never a traceback, nothing a terminal
would obey on stderr, and nothing written when the exit is not 0.

Flags are taken from the parser itself, so a flag added later is fuzzed too. Values mix arbitrary text with the
shapes that broke things before: control characters, thousands of digits, 1e400, '²', newlines after an id, a
Cyrillic letter in a tag, tokens in URLs. Files (spec, manifest, index, config, baseline) are arbitrary text,
deep JSON and near-valid documents. Network is never needed: `--offline` and `--dry-run` are kept, and every URL
or image a value names is on a closed loopback port.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import itertools
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import writable_copy
from wizard.cli import build_parser, main

SNAPSHOT = Path("/work/shared/registry-snapshot") if Path("/work/shared/registry-snapshot").is_dir() else \
    Path(__file__).resolve().parents[3] / "shared" / "registry-snapshot"
DEV = SNAPSHOT / "dev"
CLOSED = "127.0.0.1:9"  # the discard port: nothing listens, a connection is refused at once

SHAPES = ["", " ", "-1", "0", "1", "65536", "1e400", "-1e400", "nan", "inf", "Infinity", "²", "٣", "9" * 5000,
          "9" * 320, "\x1b]0;pwned\x07\x1b[2J", "abc\n", "tag-а", "../../etc/passwd", "/dev/zero", "\x00",
          f"http://{CLOSED}/x", f"https://user:ghp_fuzzTOKEN0123456789@{CLOSED}/api", "8 GiB", "14.5GB", "1000000",
          f"{CLOSED}/a/b:1", "ghcr.io/a/b:1", "chat", "embeddings", "true", "no", "host:5000", "{}", "[" * 1000,
          "KEY=VALUE", "offline=no", "insecure_registries=[1]", "upstream=a/b/c", "api_url=ftp://x", "Variable",
          "linux/amd64", "unpacked", "download", "\u202e", "x" * 5000]
VALUES = st.one_of(st.sampled_from(SHAPES), st.text(max_size=30),
                   st.integers(min_value=-10**25, max_value=10**25).map(str))
KEEP = {"--offline", "--dry-run"}  # never leave them out: the run stays on this machine
SKIPPED = {"--publish", "--session", "--password-stdin", "--help", "--changed-from"}
# settings that would send a command beyond loopback if they named a real place
LOOPBACK_ONLY = {"--index", "--api-url", "--insecure-registry"}

GOOD_NEW = ["--name", "Fuzz Model", "--description", "A model used to fuzz the command line; it answers in English.",
            "--interface", "chat", "--gpu-image", f"{CLOSED}/fuzz/model:1.0", "--gpu-size", "1000000",
            "--memory", "8 GiB", "--tokens-per-second", "18"]


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: sub for name, sub in action.choices.items() if name != "serve"}


PARSERS = _subparsers()


def _options(name: str) -> list[tuple[str, bool]]:
    """(flag, takes a value) of a command."""
    found = []
    for action in PARSERS[name]._actions:
        if action.option_strings and action.option_strings[-1] not in SKIPPED | KEEP:
            found.append((action.option_strings[-1], action.nargs != 0))
    return found


def _file_text() -> st.SearchStrategy[str]:
    manifest = json.loads((DEV / "chat-dolly-v2-12b" / "manifest.json").read_text())
    near = st.builds(lambda key, value: json.dumps({**manifest, key: value}, indent=4),
                     st.sampled_from(sorted(manifest)),
                     st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
                               st.lists(st.text(max_size=5), max_size=3)))
    return st.one_of(st.text(max_size=200), st.sampled_from(SHAPES), near,
                     st.builds(lambda n: "[" * n + "]" * n, st.integers(1, 50_000)),
                     st.just('[{"id": "x", "id": "y"}]'), st.just("services = 5"), st.just("services = [1, 2]"),
                     st.just("[[services]]\nname = 5\n"), st.just("name: [*a]\n"), st.just("a = " + "9" * 5000),
                     st.just("hf = 5\n"), st.just("[[services]]\nhf = ['a/b']\n"), st.just('hf = "../x"\n'))


def _tree(root: Path) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        if "cache" in path.relative_to(root).parts[:1]:
            continue  # a cached index may be written by any run; it is no output
        found[str(path.relative_to(root))] = hashlib.sha1(path.read_bytes()).hexdigest() \
            if path.is_file() and not path.is_symlink() else "dir"
    return found


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    return root


@st.composite
def runs(draw, workspace: Path):
    name = draw(st.sampled_from(sorted(PARSERS)))
    argv = [name]
    files = {}
    options = _options(name)
    for flag, takes in draw(st.lists(st.sampled_from(options), max_size=6)) if options else []:
        if not takes:
            argv.append(flag)
            continue
        value = draw(VALUES)
        if flag in LOOPBACK_ONLY and not value.startswith(f"http://{CLOSED}"):
            value = draw(st.sampled_from([f"http://{CLOSED}/x", "index.json", str(SNAPSHOT / "manifests.json")]))
        if flag in ("--index", "--baseline", "--from"):
            files[value] = draw(_file_text())
        argv += [flag, value]
    if name in ("new", "edit") and draw(st.booleans()):
        argv[1:1] = GOOD_NEW
    positional = {"edit": ["{folder}"], "bump": ["{folder}"], "publish": ["{folder}"], "validate": ["{folder}"],
                  "size": [f"{CLOSED}/" + draw(st.sampled_from(["a/b:1", "a/b@sha256:" + "0" * 64, "A/B:1"]))],
                  "batch": ["spec." + draw(st.sampled_from(["toml", "yaml", "json", "txt"]))]}.get(name, [])
    for item in positional:
        if item.startswith("spec."):
            files[item] = draw(_file_text())
    argv += positional
    if "--out" in PARSERS[name]._option_string_actions:
        argv += ["--out", "out"]  # whatever came before: writes stay in the workspace
    argv += [flag for flag in KEEP if flag in PARSERS[name]._option_string_actions]
    manifest = draw(st.one_of(st.none(), _file_text()))
    return argv, files, manifest


def _run(workspace: Path, argv: list[str], files: dict[str, str], manifest: str | None) -> None:
    run = workspace / "run"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir()
    folder = writable_copy(DEV / "chat-dolly-v2-12b", run)
    if manifest is not None:
        (folder / "manifest.json").write_text(manifest, encoding="utf-8", errors="surrogatepass")
    for name, text in files.items():
        target = run / name if not name.startswith("/") else None
        if target is not None and target.parent == run and "\x00" not in name and len(name) < 200 and name.strip():
            try:
                target.write_text(text, encoding="utf-8", errors="surrogatepass")
            except OSError:
                pass
    argv = [part.replace("{folder}", str(folder)) for part in argv]
    before = _tree(workspace)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(run), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse: a flag it refuses (2), or --help (0)
            code = exit_.code
    event(f"{argv[0]} exit {code}")
    text = out.getvalue() + err.getvalue()
    assert code in (0, 1, 2), (argv, text[-2000:])
    assert "Traceback" not in text, (argv, text[-2000:])
    assert "\x1b" not in err.getvalue() and "\x07" not in err.getvalue(), (argv, err.getvalue()[-500:])
    in_a_url = any(flag == "--api-url" and "ghp_fuzzTOKEN" in value for flag, value in itertools.pairwise(argv))
    elsewhere = any("ghp_fuzzTOKEN" in part for part in argv) and not in_a_url
    if in_a_url and not elsewhere:  # a token in the API URL is a secret; as a branch name it is just text
        assert "ghp_fuzzTOKEN0123456789" not in text, argv
    assert "set_int_max_str_digits" not in text and "invalid literal" not in text, (argv, text[-500:])
    if code != 0:
        after = _tree(workspace)
        assert after == before, (argv, sorted(set(after.items()) ^ set(before.items()))[:5], text[-800:])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_every_command_with_hostile_flags_and_files(workspace, data):
    argv, files, manifest = data.draw(runs(workspace))
    _run(workspace, argv, files, manifest)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_each_command_is_fuzzed(name):
    """The suite above reaches every command but serve (which would serve): none is left out by accident."""
    assert name in PARSERS and (_options(name) or name == "schema")
