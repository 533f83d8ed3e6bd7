"""The upstream index and the checks of service folders and checkouts."""

from __future__ import annotations

import json
import os
import shutil
import time

import httpx
import pytest

from tests.core.conftest import EXAMPLES, INDEX
from wizard.errors import IndexUnavailable
from wizard.registry.checks import validate_paths
from wizard.registry.index import (
    FREE_PORT_RANGE,
    RegistryIndex,
    describe_age,
    folders_in_use,
    free_external_port,
    id_collision,
    ids_in_use,
    load_index,
    port_collision,
    ports_in_use,
)

INDEX_URL = "http://127.0.0.1:9/manifests.json"


@pytest.fixture
def index(index_entries) -> RegistryIndex:
    return RegistryIndex(tuple(index_entries), "snapshot")


def test_ids_folders_and_ports_in_use(index):
    assert len(ids_in_use(index)) == 47
    folders = folders_in_use(index)
    assert "vector-store-redis" in folders  # id redis-vector-db: the icon URL names the real folder
    assert "coder-tabby-codellama-7b" in folders or "coder-tabby-codellama-7B" in folders
    ports = ports_in_use(index)
    assert ports[10111] == 5 and ports[8447] == 2


def test_id_collision_names_the_service(index):
    assert id_collision(index, "bark") == (
        "the id 'bark' is taken by 'Bark' (text-to-audio-bark); pick another, e.g. 'bark-2' or one naming your variant"
    )
    assert "tabby-codellama-7B" not in (id_collision(index, "tabby-codellama-7b") or "x")  # found, case-insensitively
    assert id_collision(index, "tabby-codellama-7b") is not None
    assert id_collision(index, "brand-new-model") is None


def test_port_collision_names_every_user(index):
    message = port_collision(index, 10111)
    assert message.count(",") == 4 and "text-to-audio-bark" in message
    assert port_collision(index, 9999) is None


def test_free_external_port_is_free_and_stable(index):
    used = set(ports_in_use(index))
    ports = {free_external_port(index, seed=f"service-{n}") for n in range(200)}
    assert not ports & used and all(p in FREE_PORT_RANGE for p in ports)
    assert len(ports) > 100  # spread out, so two contributors rarely pick the same one
    assert free_external_port(index, seed="x") == free_external_port(index, seed="x")
    taken = free_external_port(index, seed="x")
    assert free_external_port(index, seed="x", taken=[taken]) != taken


async def test_index_from_a_file():
    loaded = await load_index(str(INDEX))
    assert len(loaded.entries) == 47 and not loaded.from_cache
    assert "47 services" in loaded.age_note()


async def test_index_from_a_url_is_cached_for_offline_use():
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        return httpx.Response(200, text=INDEX.read_text())

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        fresh = await load_index(INDEX_URL, client=client)
    assert len(fresh.entries) == 47 and len(calls) == 1

    offline = await load_index(INDEX_URL, offline=True)
    assert offline.from_cache and offline.entries == fresh.entries
    assert "cached copy" in offline.age_note() and "just now" in offline.age_note()
    assert "3 days ago" in offline.age_note(now=time.time() + 3 * 86400 + 5)


async def test_unreachable_upstream_falls_back_to_the_cache_then_says_what_to_do():
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as client:
        with pytest.raises(IndexUnavailable) as caught:
            await load_index(INDEX_URL, client=client)
    assert "--offline" in str(caught.value) and "--index FILE" in str(caught.value)

    def ok(request):
        return httpx.Response(200, text=INDEX.read_text())

    async with httpx.AsyncClient(transport=httpx.MockTransport(ok)) as client:
        await load_index(INDEX_URL, client=client)
    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as client:
        assert (await load_index(INDEX_URL, client=client)).from_cache


async def test_offline_without_a_cache_says_what_to_do():
    with pytest.raises(IndexUnavailable, match="no cached copy"):
        await load_index(INDEX_URL, offline=True)


def test_describe_age():
    assert describe_age(30) == "just now"
    assert describe_age(61) == "1 minute ago"
    assert describe_age(7200) == "2 hours ago"


# --- validate ---------------------------------------------------------------------------------------


def test_findings_on_the_real_examples_are_these():
    findings = [(f.path.replace(str(EXAMPLES) + "/", ""), f.severity, f.message) for f in validate_paths([EXAMPLES])]
    summary = sorted((path, severity, message.split(";")[0]) for path, severity, message in findings)
    # 253x256 is within the 2 % a logo may be off square; the others are warnings, as nothing breaks
    assert summary == [
        ("audio-to-text-whisper-tiny-cpp/manifest.json", "error", "description: the description is empty"),
        ("chat-dolly-v2-12b/logo.svg", "warning", "logo.svg is not square: width 236 x height 256, viewBox '0 0 236 256' (a 236x256 drawing, 8% off square)"),
        ("embeddings-all-minilm-l6-v2/logo.svg", "warning", "logo.svg is not square: width 233 x height 257, viewBox '0 0 233 257' (a 233x257 drawing, 9% off square)"),
        ("vector-store-qdrant-binary", "error", "the folder is named 'vector-store-qdrant-binary' but its manifest says 'vector-store-qdrant-vector-db-binary' (first interface + '-' + id)"),
        ("vector-store-qdrant-binary/logo.svg", "warning", "logo.svg is not square: width 222 x height 257, viewBox '0 0 222 257' (a 222x257 drawing, 14% off square)"),
    ]


@pytest.fixture
def service(tmp_path):
    folder = tmp_path / "checkout" / "text-to-audio-bark"
    shutil.copytree(EXAMPLES / "text-to-audio-bark", folder)
    return folder


def messages(findings):
    return [(f.severity, f.message) for f in findings]


def test_a_good_folder_has_no_findings(service):
    assert validate_paths([service]) == []
    assert validate_paths([service / "manifest.json"]) == []


def test_missing_and_empty_files(service):
    (service / "README.md").write_text("  \n")
    (service / "logo.svg").unlink()
    found = messages(validate_paths([service]))
    assert ("error", "README.md is empty; describe the service, how to use it and its license") in found
    assert ("error", "logo.svg is missing; add a 256x256 SVG logo") in found
    # the index generator opens manifest.json and README.md of every folder named for an interface
    (service / "manifest.json").unlink()
    found = messages(validate_paths([service.parent]))
    assert [severity for severity, _ in found] == ["error"] * 3  # and the README and logo, still
    assert found[0][1].startswith("manifest.json is missing: the registry's index generator opens manifest.json and "
                                  "README.md in every top-level folder whose name holds an interface name "
                                  "('text-to-audio' here), so without it manifests.json is not built at all")
    # a folder the generator does not take is only a warning; a checkout without any service folder, an error
    service = service.rename(service.parent / "notes")
    (service / "logo.svg").write_text("<svg/>")
    found = messages(validate_paths([service.parent]))
    assert found == [("warning", "looks like a service folder but holds no manifest.json (the index generator skips "
                                 "it: its name holds no interface name)")]
    (service / "README.md").unlink()
    (service / "logo.svg").unlink()
    found = messages(validate_paths([service.parent]))
    assert found == [("error", "holds no service folder (no manifest.json found one level down)")]


def test_broken_json_points_at_the_line(service):
    (service / "manifest.json").write_text('{\n  "id": "bark",\n  "name": \n}\n')
    (finding,) = validate_paths([service])
    assert (finding.line, finding.severity) == (4, "error") and "does not parse" in finding.message
    assert str(finding).startswith(f"{service}/manifest.json:4: error: ")


def test_structural_errors_and_strings_where_numbers_belong(service):
    data = json.loads((service / "manifest.json").read_text())
    data["defaultPort"] = "8000"
    data["modelInfo"]["memoryRequirements"] = "7 GiB"
    (service / "manifest.json").write_text(json.dumps(data, indent=4))
    found = messages(validate_paths([service]))
    # the daemon reads the file as it is, so text where a number belongs is an error, and says what to write
    # ... and names what the Prem Daemon does with the value, which such a value breaks
    assert ("error", ("defaultPort: '8000' is text; a port is a whole number from 1 to 65535, like 8000; write 8000, "
                      "without quotes; the Prem Daemon answers with defaultPort as an int and publishes it as the "
                      "container's port, so GET /v1/services/ fails (HTTP 500) for every user of the registry")) in found
    assert ("error", ("modelInfo.memoryRequirements: memoryRequirements is text '7 GiB'; the manifest stores a whole "
                      "number of MiB, like 24576; write 7168, without quotes; the Prem Daemon compares "
                      "modelInfo.memoryRequirements (MiB) with the free memory as a number, so GET /v1/services/ "
                      "fails (HTTP 500) for every user of the registry")) in found
    data["interfaces"] = "text-to-audio"
    (service / "manifest.json").write_text(json.dumps(data))
    found = messages(validate_paths([service]))
    assert ("error", 'interfaces: the interfaces are text; give a list, e.g. ["chat"]; the Prem Daemon filters '
            'services with `interface in service["interfaces"]` and answers them as a list of text, so '
            'GET /v1/services/ fails (HTTP 500) for every user of the registry') in found


def test_unknown_keys_are_warnings_with_their_line(service):
    data = json.loads((service / "manifest.json").read_text())
    data["bannerUrl"] = "x"
    (service / "manifest.json").write_text(json.dumps(data, indent=4))
    text = json.dumps(data, indent=4)
    line = text.splitlines().index('    "bannerUrl": "x"') + 1
    (finding,) = validate_paths([service])
    assert finding.severity == "warning" and "unknown key 'bannerUrl'" in finding.message and finding.line == line


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><text>&c;</text></svg>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><text>&x;</text></svg>"""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (BILLION_LAUGHS, "declares XML entities"),
        (EXTERNAL, "declares XML entities"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' width='256' height='256'><g></svg>", "not well-formed XML (line 1"),
        (b"<html><body/></html>", "root element is <html>, not <svg>"),
        (b"\x89PNG\r\n", "not well-formed XML"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' width='100%' height='100%'/>", "not square: width 100% x height 100%, no viewBox"),
    ],
)
def test_bad_logos(service, content, expected):
    (service / "logo.svg").write_bytes(content)
    (finding,) = validate_paths([service])
    # a logo that does not parse is an error; one whose size cannot be told square is a warning
    assert finding.severity == ("warning" if "not square" in expected else "error") and expected in finding.message


@pytest.mark.parametrize(
    "svg",
    [
        "<svg xmlns='http://www.w3.org/2000/svg' width='256' height='256'/>",
        "<svg xmlns='http://www.w3.org/2000/svg' width='256px' height='256px'/>",
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0,0,64,64'/>",
        "<?xml version='1.0'?><!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN' 'http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd'>"
        "<svg xmlns='http://www.w3.org/2000/svg' width='512' height='512' viewBox='0 0 512 512'/>",
    ],
)
def test_good_logos(service, svg):
    (service / "logo.svg").write_text(svg)
    assert validate_paths([service]) == []


def test_large_logo_is_a_warning(service):
    pad = "<!--" + "x" * 110_000 + "-->"
    (service / "logo.svg").write_text(f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'>{pad}</svg>")
    assert messages(validate_paths([service])) == [
        ("warning", "logo.svg is 107 KB; keep logos under 100 KB (embedded bitmaps make them large)")
    ]


def test_duplicates_across_a_checkout(service):
    twin = service.parent / "text-to-audio-bark-2"
    shutil.copytree(service, twin)
    data = json.loads((twin / "manifest.json").read_text())
    data["id"] = "Bark"
    (twin / "manifest.json").write_text(json.dumps(data, indent=4))
    found = validate_paths([service.parent])
    texts = [f.message for f in found]
    assert ("id 'bark' is also used by text-to-audio-bark-2; ids must be unique: the Prem Daemon keeps the first "
            "service with an id and skips every later one, so only one of them is ever listed") in texts
    assert "defaultExternalPort 10111 is also used by text-to-audio-bark; the two cannot run at once" in texts
    assert any("the id must be lowercase" in t for t in texts)


def test_a_messy_checkout_never_raises(tmp_path, service):
    checkout = service.parent
    (checkout / ".git").mkdir()
    (checkout / ".git" / "manifest.json").write_text("not json")  # hidden: skipped
    (checkout / "README.md").write_text("# registry")
    (checkout / "manifests.json").write_text("[]")
    (checkout / "scripts").mkdir()
    (checkout / "scripts" / "build.py").write_text("print()")
    (checkout / "empty").mkdir()
    weird = checkout / "chat-weird"
    weird.mkdir()
    (weird / "manifest.json").write_bytes(b"\xff\xfe not utf-8")
    (weird / "logo.svg").mkdir()  # a folder where a file belongs
    odd = checkout / "chat-odd"
    odd.mkdir()
    (odd / "manifest.json").write_text('["a list"]')
    nested = checkout / "chat-nested"
    nested.mkdir()
    (nested / "manifest.json").write_text('{"id": {"x": 1}, "interfaces": [1, null], "modelInfo": [], "dockerImages": {"tpu": 1}}')
    os.symlink(tmp_path / "nowhere", checkout / "chat-dangling")
    found = validate_paths([checkout, tmp_path / "missing-path"])
    paths = {f.path for f in found}
    assert str(tmp_path / "missing-path") in paths
    assert any("not UTF-8" in f.message for f in found)
    assert any("not a list" in f.message for f in found)
    assert not any(".git" in p or "scripts" in p for p in paths)
    assert any(f.message.startswith("logo.svg is a folder") for f in found)
