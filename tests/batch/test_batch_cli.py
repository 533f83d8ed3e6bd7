"""`prem-new-service batch` through wizard.cli.main, offline (sizes in the specs): checks, writing, output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.batch.conftest import INDEX, service, write_spec
from tests.found_sizes import found_size
from wizard.cli import main

ASSETS = Path(__file__).resolve().parents[2] / "wizard" / "examples" / "batch"
DEFAULTS = {"interfaces": ["chat"], "memory": "8 GiB"}


def batch(out: Path, *args: str) -> int:
    return main(["batch", *args, "--out", str(out), "--index", str(INDEX), "--offline"])


@pytest.mark.parametrize("spec", sorted(p.name for p in ASSETS.iterdir()))
def test_every_example_batch_spec_writes_folders_that_validate(tmp_path, spec, capsys):
    out = tmp_path / "out"
    assert batch(out, str(ASSETS / spec)) == 0
    folders = sorted(out.iterdir())
    assert len(folders) >= 2
    assert sorted(capsys.readouterr().out.split()) == [str(f) for f in folders]
    assert main(["validate", *map(str, folders)]) == 0


def test_five_broken_services_are_all_listed_and_nothing_is_written(tmp_path, capsys):
    spec = write_spec(tmp_path / "five.toml", [
        service(0),
        service(1, id="Bad_Id"),
        service(2, memory="lots"),
        service(3, gpu_image="ghcr.io/Example/x:1"),
        service(4, id="dolly-v2-12b"),       # taken upstream
        service(5, id="batch-model-000"),    # used twice in the batch
        service(6),
    ], **DEFAULTS)
    out = tmp_path / "out"

    assert batch(out, str(spec)) == 2

    err = capsys.readouterr().err
    assert "5 problems:" in err and "nothing was written or sent" in err
    for number, flag in ((1, "--id"), (2, "--memory"), (3, "--gpu-image"), (4, "--id"), (5, "--id")):
        assert f"{spec}:services[{number}] (" in err and f"): {flag}: " in err
    assert not out.exists()


def test_a_syntax_error_names_file_line_and_column(tmp_path, capsys):
    spec = tmp_path / "broken.toml"
    spec.write_text('interfaces = ["chat"]\n\n[[services]]\nname = "unclosed\n')
    assert batch(tmp_path / "out", str(spec)) == 2
    assert f"{spec}:4:" in capsys.readouterr().err


def test_offline_every_size_must_be_given(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.yaml", [{**service(1), "gpu_size": None}], **DEFAULTS)
    assert batch(tmp_path / "out", str(spec)) == 2
    assert "services[0] (batch-model-001): --gpu-size: missing" in capsys.readouterr().err


def test_json_summary_has_the_documented_shape(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.json", [service(1, external_port=8901),
                                            service(2, cpu_image="ghcr.io/example/c:1", cpu_size="1 GB")], **DEFAULTS)
    out = tmp_path / "out"
    assert batch(out, str(spec), "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "dry_run": False,
        "services": [
            {"spec": str(spec), "position": 0, "id": "batch-model-001", "folder": str(out / "chat-batch-model-001"),
             "sizes": {"gpu": 1_000_000}, "written": True, "filled_in": {}, "pr_url": None},
            {"spec": str(spec), "position": 1, "id": "batch-model-002", "folder": str(out / "chat-batch-model-002"),
             "sizes": {"gpu": 1_000_000, "cpu": 1_000_000_000}, "written": True, "filled_in": {},
             "pr_url": None},
        ],
        "pull_requests": [],
    }
    manifest = json.loads((out / "chat-batch-model-002" / "manifest.json").read_text())
    assert manifest["defaultExternalPort"] not in (8901, 8333)


def test_dry_run_shows_the_files_and_writes_nothing(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.toml", [service(1), service(2)], **DEFAULTS)
    out = tmp_path / "out"
    assert batch(out, str(spec), "--dry-run") == 0
    printed = capsys.readouterr()
    assert f"==> {out / 'chat-batch-model-002' / 'manifest.json'}" in printed.out
    assert '"id": "batch-model-001"' in printed.out
    assert "nothing was written or sent" in printed.err
    assert not out.exists()

    assert batch(out, str(spec), "--dry-run", "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["dry_run"] is True and [s["written"] for s in summary["services"]] == [False, False]
    assert not out.exists()


def test_existing_folders_need_force_and_are_listed_together(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.toml", [service(1), service(2)], **DEFAULTS)
    out = tmp_path / "out"
    assert batch(out, str(spec)) == 0
    (out / "chat-batch-model-001" / "README.md").write_text("edited by hand\n")
    assert batch(out, str(spec)) == 1
    assert "2 service folder(s) exist" in capsys.readouterr().err
    assert (out / "chat-batch-model-001" / "README.md").read_text() == "edited by hand\n"
    assert batch(out, str(spec), "--force") == 0
    assert (out / "chat-batch-model-001" / "README.md").read_text() != "edited by hand\n"
    assert sorted(p.name for p in out.iterdir()) == ["chat-batch-model-001", "chat-batch-model-002"]


def test_a_failed_write_leaves_everything_as_it_was(tmp_path, monkeypatch, capsys):
    import wizard.service.batch_writes
    from wizard.errors import ScaffoldError

    spec = write_spec(tmp_path / "s.toml", [service(n) for n in range(1, 5)], **DEFAULTS)
    out = tmp_path / "out"
    assert batch(out, str(write_spec(tmp_path / "one.toml", [service(2)], **DEFAULTS))) == 0
    before = (out / "chat-batch-model-002" / "manifest.json").read_bytes()
    real = wizard.service.batch_writes.write_service_folder
    calls = []

    def fail_third(target, files, **options):
        calls.append(target)
        if len(calls) == 3:
            raise ScaffoldError(f"could not write {target}: No space left on device")
        return real(target, files, **options)

    monkeypatch.setattr(wizard.service.batch_writes, "write_service_folder", fail_third)
    assert batch(out, str(spec), "--force") == 1

    assert "No space left on device" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["chat-batch-model-002"]  # the one that was there, as it was
    assert (out / "chat-batch-model-002" / "manifest.json").read_bytes() == before


def test_pr_per_service_needs_publish(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.toml", [service(1)], **DEFAULTS)
    assert batch(tmp_path / "out", str(spec), "--pr-per-service") == 2
    assert "--pr-per-service goes with --publish" in capsys.readouterr().err


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere():
    from wizard.cli.batch import SizeProgress, progress_bar
    from wizard.errors import TagNotFound

    found = found_size("r/a:1", unpacked=4096, download=2048)
    terminal, log = FakeTerminal(), io.StringIO()
    for stream in (terminal, log):
        progress = SizeProgress(2, stream)
        progress("r/a:1", found)
        progress("r/b:1", TagNotFound("no"))
    assert terminal.getvalue() == f"\r\x1b[K{progress_bar(1, 2)}\r\x1b[K{progress_bar(2, 2)}\n"
    assert progress_bar(1, 2, width=4) == "sizes 1/2 ▕██  ▏"
    assert log.getvalue() == ("sizes 1/2: r/a:1: 4.0 KiB unpacked (exact), 2.0 KiB download (4096 bytes written)\n"
                              "sizes 2/2: r/b:1: failed\n")


def test_an_estimate_is_said_above_the_bar_with_its_reasons():
    from wizard.cli.batch import SizeProgress, progress_bar

    reason = "it is made of several gzip members, and the trailer counts the last"
    terminal = FakeTerminal()
    progress = SizeProgress(1, terminal, kind="download")
    progress("r/a:1", found_size("r/a:1", unpacked=4096, download=2048, reason=reason))
    assert terminal.getvalue() == ("sizes 1/1: r/a:1: ~4.0 KiB unpacked (estimate), 2.0 KiB download (2048 bytes "
                                   f"written)\n  estimate: 1 layer: {reason}\n\r\x1b[K{progress_bar(1, 1)}\n")


def test_layers_read_whole_share_the_bar():
    from wizard.cli.batch import SizeProgress

    terminal = FakeTerminal()
    progress = SizeProgress(3, terminal)
    progress.on_bytes("r/a:1", 512, 1024)
    assert progress.shown == f"sizes 0/3 ▕{' ' * 20}▏  reading layers whole ▕{'█' * 10}{' ' * 10}▏ 50% of 1.0 KiB"


@pytest.mark.parametrize("module", ["wizard.publish.batch", "wizard.publish.bump", "wizard.registry.upstream"])
def test_the_batch_core_loads_no_ui(module):
    from tests.test_imports import UI, loaded_after

    assert not {m for m in loaded_after(f"import {module}") if m.split(".")[0] in UI or m.startswith("wizard.tui")}


def test_running_fields_and_dropped_answers_work_as_in_new(tmp_path, capsys):
    spec = write_spec(tmp_path / "s.yaml", [
        service(1, interfaces=["vector-store"], volume_path="/data", env_variables=["A=1", "B=2"]),
        service(2, interfaces=["embeddings"]),
    ], tokens_per_second=18, memory="1 GiB")
    out = tmp_path / "out"
    assert batch(out, str(spec)) == 0
    err = capsys.readouterr().err
    for label in ("services[0] (batch-model-001)", "services[1] (batch-model-002)"):
        assert f"{label}: note: Tokens per second is left out: it is asked only for chat and coder services" in err
    store = json.loads((out / "vector-store-batch-model-001" / "manifest.json").read_text())
    assert (store["volumePath"], store["envVariables"]) == ("/data", ["A=1", "B=2"])
    embeddings = json.loads((out / "embeddings-batch-model-002" / "manifest.json").read_text())
    assert embeddings["modelInfo"] == {"memoryRequirements": 1024}
    assert main(["validate", str(out / "vector-store-batch-model-001"), str(out / "embeddings-batch-model-002")]) == 0
