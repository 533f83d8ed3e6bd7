"""`prem-new-service size` end to end through wizard.cli.main."""

from __future__ import annotations

import io
import json

from tests.servers.layers import gzip_layer, sample_tar
from wizard.cli import main
from wizard.cli.common import LookupStatus
from wizard.images import human_bytes


def several_members(container_registry, repository: str, tag: str = "1.0"):
    """An image whose one layer is two gzip members: its trailer counts only the last, so the unpacked size
    from the layer's windows is an estimate."""
    layer = gzip_layer(sample_tar(300_000, seed=7), members=2)
    return container_registry.push_layers(repository, tag, [layer]), layer


def test_table_of_sizes(container_registry, unique_repository, capsys) -> None:
    image = container_registry.push_image(unique_repository, "1.0", layers=[2_000_000, 500_000])
    index = container_registry.push_index(unique_repository, "multi")
    amd64 = index.images["linux/amd64"]
    assert main(["size", image.reference, index.reference]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["REFERENCE", "BYTES", "UNPACKED", "DOWNLOAD", "DIGEST", "PLATFORMS"]
    # what new, batch and bump write comes first: the unpacked size, exact here (one gzip member a layer)
    assert lines[1].split()[:6] == [image.reference, str(image.unpacked_size),
                                    *human_bytes(image.unpacked_size).split(), *human_bytes(image.size).split()]
    assert image.digest[:19] in lines[1]
    assert lines[2].split()[:2] == [index.reference, str(amd64.unpacked_size)]
    arm64 = index.images["linux/arm64"]
    assert f"linux/amd64* {human_bytes(amd64.size)}, linux/arm64 {human_bytes(arm64.size)}" in lines[2]
    assert len(lines) == 3 and err == ""  # nothing is an estimate, nothing to warn of


def test_size_kind_download_puts_the_download_size_in_bytes(container_registry, unique_repository, capsys) -> None:
    image = container_registry.push_image(unique_repository, "1.0", layers=[20_000])
    assert main(["size", "--size-kind", "download", image.reference]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[:2] == [image.reference, str(image.size)]


def test_download_only_reads_no_layer(container_registry, fault_proxy, unique_repository, capsys) -> None:
    image = container_registry.push_image(unique_repository, "1.0", layers=[300_000, 20_000])
    reference = image.reference.replace(container_registry.host, fault_proxy.host)
    assert main(["size", "--download-only", reference]) == 0
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[:2] == [reference, str(image.size)] and row[2] == "-"
    config = json.loads(image.manifest)["config"]["digest"]
    # the config is read, to check the image's platform; no layer is
    assert [path.rsplit("/", 1)[1] for _, path in fault_proxy.requests if "/blobs/" in path] == [config]
    assert fault_proxy.count("/manifests/") == 1

    assert main(["size", "--download-only", "--json", reference]) == 0
    [entry] = json.loads(capsys.readouterr().out)["images"]
    assert (entry["size_kind"], entry["manifest_size"], entry["download_size"]) == ("download", image.size, image.size)
    assert (entry["unpacked_size"], entry["unpacked_exact"], entry["layers"]) == (None, None, [])


def test_download_only_refuses_what_needs_the_layers(capsys) -> None:
    assert main(["size", "--download-only", "--exact", "example.com/a:1"]) == 2
    assert "--download-only does not go with --exact" in capsys.readouterr().err
    assert main(["size", "--download-only", "--size-kind", "unpacked", "example.com/a:1"]) == 2
    assert "--size-kind unpacked" in capsys.readouterr().err


def test_json_output(container_registry, unique_repository, capsys) -> None:
    index = container_registry.push_index(unique_repository, "multi")
    assert main(["size", "--json", "--platform", "linux/arm64", index.reference]) == 0
    document = json.loads(capsys.readouterr().out)
    arm64, amd64 = index.images["linux/arm64"], index.images["linux/amd64"]
    assert document["errors"] == []
    [entry] = document["images"]
    layers = entry.pop("layers")
    assert entry == {
        "reference": index.reference,
        "normalized": index.reference,
        "size_kind": "unpacked",
        "manifest_size": arm64.unpacked_size,
        "download_size": arm64.size,
        "download_human": human_bytes(arm64.size),
        "unpacked_size": arm64.unpacked_size,
        "unpacked_human": human_bytes(arm64.unpacked_size),
        "unpacked_exact": True,
        "unpacked_reasons": [],
        "engine_size": None,
        "warnings": [],
        "digest": index.digest,
        "media_type": "application/vnd.oci.image.index.v1+json",
        "manifest_digest": arm64.digest,
        "platform": "linux/arm64",
        "platforms": [
            {"platform": "linux/amd64", "digest": amd64.digest, "download_size": amd64.size},
            {"platform": "linux/arm64", "digest": arm64.digest, "download_size": arm64.size},
        ],
    }
    assert [layer["download_size"] for layer in layers] == list(arm64.layer_sizes)
    assert sum(layer["unpacked_size"] for layer in layers) == arm64.unpacked_size
    assert {(layer["exact"], layer["reason"]) for layer in layers} == {(True, "")}
    assert set(layers[0]) == {"digest", "media_type", "download_size", "unpacked_size", "exact", "how", "reason"}


def test_an_estimate_is_marked_and_explained_and_exact_counts_it(container_registry, unique_repository,
                                                                  capsys) -> None:
    image, layer = several_members(container_registry, unique_repository)
    assert main(["size", image.reference]) == 0
    out, err = capsys.readouterr()
    row, *notes = [line for line in out.splitlines()[1:] if line]
    assert row.split()[1].startswith("~") and row.split()[2].startswith("~")
    assert notes == [f"~ {image.reference}: the unpacked size is an estimate:",
                     "    1 layer: it is made of several gzip members, and the trailer counts the last"]
    assert "--exact reads those layers whole and counts them" in err

    assert main(["size", "--exact", image.reference]) == 0
    out, err = capsys.readouterr()
    row, *notes = out.splitlines()[1:]
    assert row.split()[1:3] == [str(layer.unpacked), *human_bytes(layer.unpacked).split()[:1]] and notes == []
    # not a terminal: a line each tenth of the layers read whole, none redrawn
    read = [line for line in err.splitlines() if line.startswith("reading the layers of")]
    assert read[-1] == f"reading the layers of {image.reference} whole: 100% of {human_bytes(layer.size)}"
    assert "\r" not in err and "--exact" not in err


def test_exact_json_says_the_layer_was_counted(container_registry, unique_repository, capsys) -> None:
    image, layer = several_members(container_registry, unique_repository)
    assert main(["size", "--json", "--exact", image.reference]) == 0
    [entry] = json.loads(capsys.readouterr().out)["images"]
    assert (entry["unpacked_size"], entry["unpacked_exact"], entry["unpacked_reasons"]) == (layer.unpacked, True, [])
    assert [(one["how"], one["exact"]) for one in entry["layers"]] == [("counted", True)]


def test_an_image_built_for_another_platform_is_warned_of(container_registry, unique_repository, capsys) -> None:
    layer = gzip_layer(sample_tar(1000))
    image = container_registry.push_layers(unique_repository, "arm", [layer], config_platform="linux/arm64")
    assert main(["size", image.reference]) == 0
    out, err = capsys.readouterr()
    assert image.reference in out
    assert f"prem-new-service: {image.reference}: warning: {image.reference} is built for linux/arm64 only" in err


def test_the_engines_figure_is_shown_as_a_cross_check(container_registry, unique_repository, fake_docker_engine,
                                                      capsys) -> None:
    image = container_registry.push_image(unique_repository, "1.0")
    fake_docker_engine({image.reference: 2_000_000})
    assert main(["size", image.reference]) == 0
    assert f"  {image.reference}: docker images says 1.9 MiB (2000000 bytes)" in capsys.readouterr().out.splitlines()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Waiting:
    """Stands in for the run's ContainerRegistries: what it is waiting for."""

    def __init__(self, *waits: tuple[str, str, float]) -> None:
        self.waits = list(waits)

    def waiting_for(self) -> list[tuple[str, str, float]]:
        return self.waits


def test_on_a_terminal_a_slow_request_is_named_on_one_redrawn_line() -> None:
    stream = Terminal()
    status = LookupStatus(stream)
    status.watch(Waiting(("127.0.0.1:5000", "the manifest of x:1.0", 0.4)))
    assert status.line() == ""  # under a second: not worth a line
    status.registries.waits = [("127.0.0.1:5000", "the manifest of x:1.0", 3.2), ("127.0.0.1:5000", "a ping", 1.5)]
    assert status.line() == "waiting for 127.0.0.1:5000 (the manifest of x:1.0) 3 s"
    status.draw(status.line())
    status.say("size of x:1.0: failed")
    assert stream.getvalue() == ("\r\x1b[Kwaiting for 127.0.0.1:5000 (the manifest of x:1.0) 3 s"
                                 "\r\x1b[Ksize of x:1.0: failed\n")


def test_on_a_terminal_layers_read_whole_are_a_bar() -> None:
    stream = Terminal()
    status = LookupStatus(stream)
    status.watch(Waiting(("127.0.0.1:5000", "a layer of x", 9.0)))
    status.on_bytes("127.0.0.1:5000/x:1", 256, 1024)
    status.on_bytes("127.0.0.1:5000/y:1", 0, 1024)
    assert status.shown == f"reading layers whole ▕{'█' * 2}{' ' * 18}▏ 12% of 2.0 KiB"
    status.on_bytes("127.0.0.1:5000/x:1", 1024, 1024)
    status.on_bytes("127.0.0.1:5000/y:1", 1024, 1024)
    assert status.line().startswith("waiting for")  # read: back to what is awaited
    assert "\n" not in stream.getvalue()


def test_elsewhere_each_tenth_read_is_a_line_and_waiting_is_not_said() -> None:
    stream = io.StringIO()
    status = LookupStatus(stream)
    status.watch(Waiting(("127.0.0.1:5000", "the manifest of x:1.0", 30.0)))
    for read in range(0, 1025, 64):
        status.on_bytes("x:1", read, 1024)
    assert stream.getvalue().splitlines() == [f"reading the layers of x:1 whole: {percent}% of 1.0 KiB"
                                              for percent in range(10, 101, 10)]


def test_failures_go_to_stderr_and_exit_1(container_registry, unique_repository, capsys) -> None:
    image = container_registry.push_image(unique_repository, "1.0.1")
    missing = f"{container_registry.host}/{unique_repository}:1.0.3"
    assert main(["size", image.reference, missing]) == 1
    out, err = capsys.readouterr()
    assert image.reference in out and missing not in out
    assert f"prem-new-service: {missing}: the tag 1.0.3 does not exist" in err
    assert "tags found: 1.0.1" in err and "→ use one of the tags found" in err


def test_json_failures_carry_the_tags(container_registry, unique_repository, capsys) -> None:
    container_registry.push_image(unique_repository, "1.0.1")
    missing = f"{container_registry.host}/{unique_repository}:1.0.3"
    assert main(["size", "--json", missing]) == 1
    captured = capsys.readouterr()
    [error] = json.loads(captured.out)["errors"]
    assert (error["reference"], error["error"], error["tags"]) == (missing, "TagNotFound", ["1.0.1"])
    assert "1.0.3" in captured.err


def test_a_bad_reference_exits_2(capsys) -> None:
    assert main(["size", "ghcr.io/Premai-io/x:1"]) == 2
    assert "has uppercase letters" in capsys.readouterr().err


def test_a_bad_platform_exits_2(container_registry, capsys) -> None:
    assert main(["size", "--platform", "amd64", f"{container_registry.host}/a/b:1"]) == 2
    assert "--platform 'amd64' is not os/architecture" in capsys.readouterr().err


def test_a_bad_size_kind_is_refused_by_argparse(capsys) -> None:
    try:
        main(["size", "--size-kind", "compressed", "ghcr.io/a/b:1"])
    except SystemExit as exit:
        assert exit.code == 2
    assert "invalid choice: 'compressed'" in capsys.readouterr().err


def test_password_from_stdin(auth_container_registry, unique_repository, monkeypatch, capsys) -> None:
    registry = auth_container_registry
    image = registry.push_image(unique_repository, "1.0")
    monkeypatch.setattr("sys.stdin", io.StringIO(registry.password + "\n"))
    assert main(["size", "--username", registry.username, "--password-stdin", image.reference]) == 0
    out, err = capsys.readouterr()
    assert str(image.unpacked_size) in out
    assert registry.password not in out + err


def test_a_username_without_password_stdin(capsys) -> None:
    assert main(["size", "--username", "someone", "ghcr.io/a/b:1"]) == 2
    assert "--username and --password-stdin go together" in capsys.readouterr().err


def test_help_lists_the_command(capsys) -> None:
    try:
        main(["--help"])
    except SystemExit:
        pass
    assert "size" in capsys.readouterr().out
