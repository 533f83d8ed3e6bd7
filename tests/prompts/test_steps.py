"""Single steps through the whole run: image sizes, the memory estimate, docs, no index, publishing."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

from tests.prompts import script
from tests.prompts.conftest import DEFAULT, FakeQuestionary
from wizard.errors import BadToken
from wizard.prompts import no_terminal_message, run_plain
from wizard.registry.logo import check_logo
from wizard.service.answers import check_answer
from wizard.service.estimate import estimate_memory_mib
from wizard.units import human_bytes

FOLDER = "chat-dolly-v2-12b-plain"
CPU_IMAGE = "ghcr.io/premai-io/chat-dolly-v2-12b-cpu:9.9.9"


def run(settings, index, ask, printed, **kwargs):
    kwargs.setdefault("look_up_size", script.FakeSizes())
    code = run_plain(settings, ask=ask, index=index, out=printed.append, **kwargs)
    assert ask.done(), f"questions left unasked: {list(ask.steps)}"
    return code


def written_manifest(settings, folder=FOLDER) -> dict:
    return json.loads((Path(settings.out) / folder / "manifest.json").read_text())


def without(steps, question):
    return [step for step in steps if step[0] != question]


def test_a_size_looked_up_is_shown_in_human_units_with_digest_and_platforms(settings, index, printed):
    sizes = script.FakeSizes()
    assert run(settings, index, FakeQuestionary(*script.EVERY_STEP), printed, look_up_size=sizes) == 0
    assert sizes.asked == [script.GPU_IMAGE]
    assert script.lookup_report(printed, script.GPU_IMAGE) == [
        f"  size: {human_bytes(script.GPU_SIZE)} unpacked (exact), {human_bytes(script.GPU_DOWNLOAD)} download "
        f"({script.GPU_SIZE} bytes written) for linux/amd64",
        f"  digest: {script.DIGEST}",
        "  platforms: linux/amd64, linux/arm64",
    ]
    assert written_manifest(settings)["dockerImages"]["gpu"] == {"size": script.GPU_SIZE, "image": script.GPU_IMAGE}


def test_size_kind_download_writes_the_download_size(settings, index, printed):
    download = dataclasses.replace(settings, size_kind="download")
    assert run(download, index, FakeQuestionary(*script.EVERY_STEP), printed) == 0
    assert f"({script.GPU_DOWNLOAD} bytes written) for linux/amd64" in script.lookup_report(printed, script.GPU_IMAGE)[0]
    assert written_manifest(settings)["dockerImages"]["gpu"]["size"] == script.GPU_DOWNLOAD


def test_an_estimate_its_reasons_the_engines_figure_and_warnings_are_said(settings, index, printed):
    reason = "it may unpack past 4 GiB, where the gzip trailer wraps round"
    found = script.multi_platform(script.GPU_IMAGE, reason=reason, engine_size=41_000_000_000,
                                  warnings=("the image is built for linux/arm64 only",))
    sizes = script.FakeSizes({script.GPU_IMAGE: found})
    assert run(settings, index, FakeQuestionary(*script.EVERY_STEP), printed, look_up_size=sizes) == 0
    start = printed.index(f"  looking up {script.GPU_IMAGE} …") + 1
    assert printed[start].startswith(f"  size: ~{human_bytes(script.GPU_SIZE)} unpacked (estimate), ")
    assert printed[start + 3 : start + 6] == [f"  estimate: 1 layer: {reason}",
                                              "  docker images says 38.2 GiB (41000000000 bytes)",
                                              "  warning: the image is built for linux/arm64 only"]
    assert written_manifest(settings)["dockerImages"]["gpu"]["size"] == script.GPU_SIZE  # the estimate


def test_a_failed_lookup_says_why_and_asks_for_the_size(settings, index, printed):
    images = [("GPU image", script.GPU_IMAGE), ("CPU image", CPU_IMAGE), ("CPU image size", "lots"),
              ("CPU image size", "1.5 GiB")]
    ask = FakeQuestionary(*script.IDENTITY, *script.INTERFACES, *images, *script.RESOURCES, *script.AFTER_RESOURCES)
    assert run(settings, index, ask, printed) == 0
    assert f"  could not look it up: the tag of {CPU_IMAGE} does not exist; tags found: 1.0.1, 1.0.2\n" \
           "  → use one of the tags found, or push the tag first" in printed
    assert ask.refused == [("CPU image size", check_answer("cpu_size", "lots"))]
    assert written_manifest(settings)["dockerImages"]["cpu"] == {"size": 1610612736, "image": CPU_IMAGE}


def test_offline_sizes_are_typed_by_hand_without_a_lookup(settings, index, printed):
    sizes = script.FakeSizes()
    offline = dataclasses.replace(settings, offline=True)
    images = [("GPU image", script.GPU_IMAGE), ("GPU image size", "37.9 GiB"), ("CPU image", "")]
    ask = FakeQuestionary(*script.IDENTITY, *script.INTERFACES, *images, *script.RESOURCES, *script.RUNNING,
                          *script.DOCS, *script.REVIEW, ("Folder to write", DEFAULT),
                          ("Test the service now?", False))
    assert run(offline, index, ask, printed, look_up_size=sizes) == 0
    assert sizes.asked == []
    assert "  offline: the size is not looked up; type it yourself" in printed
    assert written_manifest(settings)["dockerImages"]["gpu"]["size"] == math.ceil(37.9 * 2**30)
    assert printed[-1].startswith("Next: edit the README's TODO lines, then open the pull request with "
                                  "`prem-new-service publish ")


def test_the_memory_estimate_is_offered_as_the_default(settings, index, printed):
    resources = [("Memory: how much", "estimate"), ("Parameters, in billions", "seven"),
                 ("Parameters, in billions", "0"), ("Parameters, in billions", "7"), ("Precision", DEFAULT),
                 ("Memory", DEFAULT), *script.RESOURCES[2:]]
    ask = FakeQuestionary(*script.IDENTITY, *script.INTERFACES, *script.IMAGES, *resources, *script.AFTER_RESOURCES)
    assert run(settings, index, ask, printed) == 0
    expected = estimate_memory_mib(7, "fp16/bf16")
    assert [message for _, message in ask.refused] == [
        "'seven' is not a number; give the parameter count in billions: 7 for a 7B model",
        "the parameter count must be more than 0 (in billions: 7 for a 7B model)",
    ]
    assert f"  estimate: {expected} MiB (15.6 GiB) for 7B parameters at fp16/bf16, weights plus a fifth for the rest" \
        in printed
    assert written_manifest(settings)["modelInfo"]["memoryRequirements"] == expected


def test_an_own_readme_and_logo_are_written_and_a_bad_logo_is_refused(settings, index, printed, tmp_path):
    readme = tmp_path / "MY-README.md"
    readme.write_text("# Dolly\n\nMy own words.\n")
    # a logo that is not square is only a warning now (real upstream logos are 236x256); one that does not
    # parse is still refused
    wide = tmp_path / "broken.svg"
    wide.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 256 256"><circle r="9"></svg>')
    square = tmp_path / "square.svg"
    square.write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle r="9"/></svg>')
    docs = [("README.md", "own"), ("Path to your README.md", str(tmp_path / "missing.md")),
            ("Path to your README.md", str(readme)), ("logo.svg", "own"), ("Path to your logo.svg", str(wide)),
            ("Path to your logo.svg", str(square))]
    ask = FakeQuestionary(*script.IDENTITY, *script.INTERFACES, *script.IMAGES, *script.RESOURCES, *script.RUNNING,
                          *docs, *script.REVIEW, *script.WRITE)
    assert run(settings, index, ask, printed) == 0
    assert ask.refused == [
        ("Path to your README.md", f"{tmp_path / 'missing.md'} does not exist; check the path"),
        ("Path to your logo.svg", check_logo(wide.read_bytes())[0][1]),
    ]
    folder = Path(settings.out) / FOLDER
    assert (folder / "README.md").read_text() == readme.read_text()
    assert (folder / "logo.svg").read_bytes() == square.read_bytes()


def test_without_the_index_a_warning_is_printed_and_a_random_port_suggested(settings, printed, tmp_path):
    unreachable = dataclasses.replace(settings, index_url=str(tmp_path / "no-index.json"))
    assert run(unreachable, None, FakeQuestionary(*script.EVERY_STEP), printed) == 0
    assert printed[0].startswith(f"warning: cannot read the index {tmp_path / 'no-index.json'}")
    assert "the id and the external port are not checked against upstream" in printed[0]
    port = written_manifest(settings)["defaultExternalPort"]
    assert f"  suggested external port {port}: picked at random without the upstream index; it may clash" in printed


def test_the_index_is_loaded_from_the_settings(settings, printed):
    ask = FakeQuestionary(("Name", "x"), ("Name", "Llama"), ("Id", "llama-2-7b-chat"), ("Id", script.SERVICE_ID),
                          *script.IDENTITY[2:], *script.EVERY_STEP[4:])
    assert run(settings, None, ask, printed) == 0
    assert printed[0].startswith("upstream index: ")
    assert "is taken by 'Llama v2 7B Chat'" in ask.refused[-1][1]


def test_a_failed_pull_request_keeps_the_folder_and_names_the_command(settings, index, printed):
    async def publish(folders, progress):
        raise BadToken("GitHub refused the token (401)", hint="create a new token")

    ask = FakeQuestionary(*script.EVERY_STEP[:-1], ("Open a pull request now?", True))
    assert run(settings, index, ask, printed, publish=publish) == 1
    folder = Path(settings.out) / FOLDER
    assert (folder / "manifest.json").is_file()
    assert printed[-2] == "The pull request was not opened: GitHub refused the token (401)\n  → create a new token"
    assert printed[-1] == f"The folder is written; to try again, run `prem-new-service publish {folder}`"


def test_the_no_terminal_message_names_the_spec_file_and_the_flags():
    message = no_terminal_message()
    assert "prem-new-service new --from SPEC.toml" in message
    assert "new --example" in message and "assets/" not in message
    for flag in ("--name", "--description", "--interface", "--memory", "--gpu-image or --cpu-image"):
        assert flag in message
    assert "--id" not in message and "--external-port" not in message, "those have defaults"
    assert max(len(line) for line in message.splitlines()) <= 120


def test_the_plain_prompts_never_load_textual():
    import subprocess
    import sys

    code = "import sys, wizard.prompts; print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
