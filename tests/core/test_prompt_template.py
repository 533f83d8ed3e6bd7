"""promptTemplate, added to the field table alone: a flag, a spec key and a schema property, only for chat."""

from __future__ import annotations

import json

from tests.core.conftest import INDEX
from tests.core.test_cli import GOOD_FLAGS
from wizard.cli import build_parser, main
from wizard.service.schema import manifest_json_schema

LLAMA = "<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\n{prompt} [/INST]"


def manifest_of(out) -> dict:
    (folder,) = out.iterdir()
    return json.loads((folder / "manifest.json").read_text())


def test_a_flag_writes_the_template_where_the_daemon_reads_it(tmp_path):
    out = tmp_path / "out"
    assert main(["new", *GOOD_FLAGS, "--prompt-template", LLAMA, "--index", str(INDEX), "--out", str(out)]) == 0
    manifest = manifest_of(out)
    assert manifest["promptTemplate"] == LLAMA
    keys = list(manifest)
    assert keys.index("promptTemplate") > keys.index("defaultExternalPort"), "after the seed's keys"


def test_a_spec_key_gives_the_same_folder_as_the_flag(tmp_path):
    spec = tmp_path / "dolly.json"
    flags = dict(zip(GOOD_FLAGS[::2], GOOD_FLAGS[1::2], strict=True))
    spec.write_text(json.dumps({
        "name": flags["--name"], "description": flags["--description"], "interfaces": [flags["--interface"]],
        "gpu_image": flags["--gpu-image"], "gpu_size": int(flags["--gpu-size"]), "memory": flags["--memory"],
        "tokens_per_second": 18, "prompt_template": LLAMA,
    }))
    by_flag, by_spec = tmp_path / "flag", tmp_path / "spec"
    assert main(["new", *GOOD_FLAGS, "--prompt-template", LLAMA, "--index", str(INDEX), "--out", str(by_flag)]) == 0
    assert main(["new", "--from", str(spec), "--index", str(INDEX), "--out", str(by_spec)]) == 0
    (a,), (b,) = list(by_flag.iterdir()), list(by_spec.iterdir())
    assert a.name == b.name
    assert {f.name: f.read_bytes() for f in a.iterdir()} == {f.name: f.read_bytes() for f in b.iterdir()}


def test_a_template_for_an_embeddings_model_is_left_out_with_a_note(tmp_path, capsys):
    flags = [f if f != "chat" else "embeddings" for f in GOOD_FLAGS]
    out = tmp_path / "out"
    assert main(["new", *flags, "--prompt-template", LLAMA, "--index", str(INDEX), "--out", str(out)]) == 0
    assert "promptTemplate" not in manifest_of(out)
    assert "Prompt template is left out: it is asked only for chat services" in capsys.readouterr().err


def test_a_control_character_in_the_template_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["new", *GOOD_FLAGS, "--prompt-template", "{prompt}\x1b[2J", "--index", str(INDEX),
                 "--out", str(out)]) == 2
    assert "--prompt-template: the prompt template holds a control character ('\\x1b')" in capsys.readouterr().err
    assert not out.exists()


def test_the_schema_and_the_help_name_it():
    prop = manifest_json_schema()["properties"]["promptTemplate"]
    assert prop["type"] == "string" and "{prompt}" in prop["description"]
    new = build_parser()._subparsers._group_actions[0].choices["new"]
    assert "--prompt-template" in new.format_help()
