"""Strict inputs: an index the user names is used or the run stops (exit 2, the reason said); the cache is per
URL and says its age; `new` and `batch` refuse folders that exist before looking any size up."""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest

from tests.batch.conftest import write_spec
from tests.found_sizes import found_size
from tests.upstream.conftest import DESCRIPTION, INDEX
from wizard.cli import main
from wizard.errors import IndexUnavailable, InvalidIndex, ManifestSyntaxError
from wizard.registry import index as index_module
from wizard.registry.index import cache_path, load_index, parse_index
from wizard.registry.upstream import load_upstream_index, settings_index
from wizard.settings import build_settings

NEW = ["new", "--name", "Strict Index Test", "--interface", "chat", "--description", DESCRIPTION,
       "--gpu-image", "ghcr.io/example/strict:1.0", "--gpu-size", "1000000", "--memory", "8 GiB",
       "--tokens-per-second", "18"]

BAD_FILES = {  # name -> (content, what the message says)
    "missing": (None, "cannot read the index"),
    "an-object": (b'{"id": "x"}', "is not a registry index: it holds a JSON dict, not a list of manifests"),
    "numbers": (b"[1, 2]", "is not a registry index: entry 0 is a JSON int, not a manifest"),
    "no-id": (b'[{"id": "ok"}, {"name": "x"}]', "is not a registry index: entry 1 is a manifest without an id"),
    "malformed": (b'[{"id": ', ":1:9: Expecting value"),
    "not-utf8": (b'[{"id": "caf\xe9"}]', ":1:13: the file is not UTF-8 text"),
    "deep": (b"[" * 100_000, "the JSON nests too deeply to be read"),
    "long-number": (b"[" + b"9" * 5000 + b"]", ":1:2: a number too large to read"),
    "huge": (b"", "bytes; a registry index is far smaller"),  # made sparse, past the limit, below
}


def bad_file(tmp_path, name: str):
    content, _ = BAD_FILES[name]
    path = tmp_path / f"{name}.json"
    if name == "huge":
        with path.open("wb") as handle:
            handle.truncate(index_module.MAX_INDEX_BYTES + 1)
    elif content is not None:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_the_index_loader_names_what_is_wrong(tmp_path, name):
    path = bad_file(tmp_path, name)
    with pytest.raises((InvalidIndex, ManifestSyntaxError)) as caught:
        settings_index(build_settings({"index_url": str(path)}, environ={}), report=print)
    assert caught.value.exit_code == 2 and BAD_FILES[name][1] in str(caught.value)
    assert "the index given by --index cannot be used" in str(caught.value)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_new_stops_on_an_index_it_cannot_use(tmp_path, capsys, name):
    path = bad_file(tmp_path, name)
    assert main([*NEW, "--index", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "prem-new-service: error: the index given by --index cannot be used: " in err
    assert BAD_FILES[name][1] in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["missing", "an-object", "malformed", "huge"])
def test_batch_stops_on_an_index_it_cannot_use(tmp_path, capsys, name):
    path = bad_file(tmp_path, name)
    spec = write_spec(tmp_path / "one.toml", [{"name": "Strict Batch", "description": DESCRIPTION,
                                               "gpu_image": "ghcr.io/example/b:1", "gpu_size": 1000}],
                      interfaces=["chat"], memory="8 GiB")
    assert main(["batch", str(spec), "--index", str(path), "--offline", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "the index given by --index cannot be used: " in err and BAD_FILES[name][1] in err
    assert not (tmp_path / "out").exists()


def test_a_named_index_from_the_environment_is_strict_too(tmp_path):
    settings = build_settings({}, environ={"PREM_NEW_SERVICE_INDEX_URL": str(tmp_path / "gone.json")},
                              path=tmp_path / "none.toml")
    with pytest.raises(InvalidIndex, match="the index given by PREM_NEW_SERVICE_INDEX_URL cannot be used"):
        settings_index(settings, report=print)


def test_the_default_index_may_be_missing_with_a_warning(tmp_path):
    said = []
    settings = replace(build_settings({}, environ={}, path=tmp_path / "none.toml"),
                       index_url="http://127.0.0.1:9/manifests.json")  # down, and still "default" in the sources
    assert settings_index(settings, report=said.append) is None
    assert said == [("warning: cannot load the upstream index http://127.0.0.1:9/manifests.json: All connection "
                     "attempts failed; the id, the folder and the external port are not checked against upstream")]


def test_parse_index_takes_the_real_index():
    assert len(parse_index(INDEX.read_bytes(), str(INDEX))) == 47
    assert parse_index("[]", "empty") == []  # a registry with no service yet


# --- the wizard's start ---------------------------------------------------------------------------


@pytest.fixture
def started(monkeypatch):
    """What the wizard was started with (no terminal is needed: the front ends are stand-ins)."""
    import wizard.cli.common
    import wizard.prompts
    import wizard.tui.app

    runs: list[dict] = []

    class App:
        return_code = 0
        farewell: list[str] = []

        def __init__(self, settings, **kwargs):
            runs.append({"front end": "tui", **kwargs})

        def run(self):
            pass

    monkeypatch.setattr(wizard.cli.common, "has_terminal", lambda: True)
    monkeypatch.setattr(wizard.prompts, "run_plain", lambda settings, **kw: runs.append({"front end": "plain", **kw})
                        or 0)
    monkeypatch.setattr(wizard.tui.app, "WizardApp", App)
    return runs


@pytest.mark.parametrize("plain", [["--plain"], []], ids=["prompts", "tui"])
def test_the_wizard_does_not_start_on_an_index_it_cannot_use(tmp_path, capsys, started, plain):
    path = bad_file(tmp_path, "numbers")
    assert main([*plain, "--index", str(path)]) == 2
    assert started == []
    assert ("prem-new-service: error: the index given by --index cannot be used: "
            f"{path} is not a registry index: entry 0 is a JSON int, not a manifest") in capsys.readouterr().err


async def loaded(services):
    return await services.load_index()


@pytest.mark.parametrize("plain", [["--plain"], []], ids=["prompts", "tui"])
def test_the_wizard_starts_with_the_index_it_loaded(started, plain, capsys):
    import asyncio

    assert main([*plain, "--index", str(INDEX)]) == 0
    (run,) = started
    index = run["index"] if plain else asyncio.run(loaded(run["services"]))
    assert len(index.entries) == 47 and index.source == str(INDEX)
    assert f"upstream index: {INDEX} (47 services)" in capsys.readouterr().err


def test_the_wizard_loads_the_default_index_itself(started):
    assert main(["--plain"]) == 0
    assert started[0]["index"] is None  # the prompts load it, and may go on with a warning


# --- the cache, per URL ---------------------------------------------------------------------------

GOOD, OTHER = "http://127.0.0.1:9/good/manifests.json", "http://127.0.0.1:9/other/manifests.json"


def serving(routes: dict[str, httpx.Response]):
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) in routes:
            return routes[str(request.url)]
        raise httpx.ConnectError("connection refused", request=request)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_a_failing_url_never_falls_back_to_another_urls_copy():
    async with serving({GOOD: httpx.Response(200, content=INDEX.read_bytes())}) as client:
        assert len((await load_index(GOOD, client=client)).entries) == 47
        with pytest.raises(IndexUnavailable) as caught:
            await load_index(OTHER, client=client)
    assert str(caught.value).startswith(f"cannot load the upstream index {OTHER}: connection refused")
    with pytest.raises(IndexUnavailable, match=f"no cached copy of the upstream index {OTHER}"):
        await load_index(OTHER, offline=True)
    assert cache_path(GOOD) != cache_path(OTHER) and cache_path(GOOD).is_file() and not cache_path(OTHER).exists()
    assert cache_path(GOOD).name.startswith("index-") and json.loads(cache_path(GOOD).read_text())["source"] == GOOD


async def test_a_failing_url_falls_back_to_its_own_copy_and_says_its_age_and_why():
    async with serving({GOOD: httpx.Response(200, content=INDEX.read_bytes())}) as client:
        await load_index(GOOD, client=client)
    async with serving({GOOD: httpx.Response(200, text="<html>a captive portal</html>")}) as client:
        cached = await load_index(GOOD, client=client)
    assert cached.from_cache and len(cached.entries) == 47
    note = cached.age_note(now=cached.fetched_at + 3 * 3600 + 5)
    assert note == (f"upstream index: {GOOD} could not be loaded ({GOOD}:1:1: Expecting value), so a cached copy "
                    f"of {GOOD} from 3 hours ago is used (47 services); it may miss the newest services")
    offline = await load_index(GOOD, offline=True)
    assert offline.age_note(now=offline.fetched_at + 2 * 86400) == (
        f"upstream index: a cached copy of {GOOD} from 2 days ago is used (47 services); it may miss the newest "
        "services")


async def test_a_cache_file_of_another_source_is_not_taken():
    async with serving({GOOD: httpx.Response(200, content=INDEX.read_bytes())}) as client:
        await load_index(GOOD, client=client)
    data = json.loads(cache_path(GOOD).read_text())
    cache_path(OTHER).write_text(json.dumps(data))  # GOOD's copy under OTHER's name
    with pytest.raises(IndexUnavailable):
        await load_index(OTHER, offline=True)


async def test_a_url_sending_too_much_is_cut_off(monkeypatch):
    monkeypatch.setattr(index_module, "MAX_INDEX_BYTES", 1000)
    async with serving({GOOD: httpx.Response(200, content=b"[" + b" " * 5000 + b"]")}) as client:
        with pytest.raises(IndexUnavailable, match="sends more than 1000 bytes"):
            await load_index(GOOD, client=client)


# --- folders before lookups -----------------------------------------------------------------------


@pytest.fixture
def lookups(monkeypatch):
    """Every size lookup `new` and `batch` ask for; each image unpacks to 1234 bytes."""
    import wizard.images

    asked: list[str] = []

    async def lookup_sizes(references, **kwargs):
        asked.extend(references)
        return {reference: found_size(reference, unpacked=1234, download=1000) for reference in references}

    monkeypatch.setattr(wizard.images, "lookup_sizes", lookup_sizes)
    return asked


def test_batch_refuses_existing_folders_before_any_lookup(tmp_path, capsys, lookups):
    spec = write_spec(tmp_path / "two.toml", [
        {"name": "Batch Early One", "description": DESCRIPTION, "gpu_image": "ghcr.io/example/one:1"},
        {"name": "Batch Early Two", "description": DESCRIPTION, "gpu_image": "ghcr.io/example/two:1"},
    ], interfaces=["chat"], memory="8 GiB")
    out = tmp_path / "out"
    (out / "chat-batch-early-two").mkdir(parents=True)
    args = ["batch", str(spec), "--index", str(INDEX), "--out", str(out)]
    assert main(args) == 1
    assert lookups == []
    err = capsys.readouterr().err
    assert f"1 service folder(s) exist: {out / 'chat-batch-early-two'}" in err and "size" not in err.lower()
    assert sorted(p.name for p in out.iterdir()) == ["chat-batch-early-two"]
    assert main([*args, "--force"]) == 0 and lookups == ["ghcr.io/example/one:1", "ghcr.io/example/two:1"]
    assert json.loads((out / "chat-batch-early-two" / "manifest.json").read_text())["dockerImages"]["gpu"]["size"] == 1234


def test_new_refuses_an_existing_folder_before_any_lookup(tmp_path, capsys, lookups):
    flags = [flag for flag in NEW if flag not in ("--gpu-size", "1000000")]
    out = tmp_path / "out"
    (out / "chat-strict-index-test").mkdir(parents=True)
    assert main([*flags, "--index", str(INDEX), "--out", str(out)]) == 1
    assert lookups == []
    assert f"{out / 'chat-strict-index-test'} already exists" in capsys.readouterr().err
    assert main([*flags, "--index", str(INDEX), "--out", str(out), "--force"]) == 0
    assert lookups == ["ghcr.io/example/strict:1.0"]


def test_a_dry_run_looks_up_even_where_a_folder_exists(tmp_path, lookups):
    flags = [flag for flag in NEW if flag not in ("--gpu-size", "1000000")]
    (tmp_path / "chat-strict-index-test").mkdir()
    assert main([*flags, "--index", str(INDEX), "--out", str(tmp_path), "--dry-run"]) == 0
    assert lookups == ["ghcr.io/example/strict:1.0"]


def test_load_upstream_index_reports_the_age_note():
    said = []
    assert len(load_upstream_index(str(INDEX), offline=False, report=said.append, given_by="--index").entries) == 47
    assert said == [f"upstream index: {INDEX} (47 services)"]
