"""`prem-new-service size` end to end through wizard.cli.main."""

from __future__ import annotations

import io
import json

from wizard.cli import main


def test_table_of_sizes(container_registry, unique_repository, capsys) -> None:
    image = container_registry.push_image(unique_repository, "1.0", layers=[2_000_000, 500_000])
    index = container_registry.push_index(unique_repository, "multi")
    assert main(["size", image.reference, index.reference]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["REFERENCE", "BYTES", "SIZE", "DIGEST", "PLATFORMS"]
    assert lines[1].split()[:4] == [image.reference, str(image.size), "2.4", "MiB"]
    assert image.digest[:19] in lines[1]
    assert lines[2].split()[:3] == [index.reference, str(index.images["linux/amd64"].size), "4.1"]
    assert "linux/amd64* 4.1 KiB, linux/arm64 4.3 KiB" in lines[2]
    assert err == ""


def test_json_output(container_registry, unique_repository, capsys) -> None:
    index = container_registry.push_index(unique_repository, "multi")
    assert main(["size", "--json", "--platform", "linux/arm64", index.reference]) == 0
    document = json.loads(capsys.readouterr().out)
    arm64 = index.images["linux/arm64"]
    assert document["errors"] == []
    [entry] = document["images"]
    assert entry == {
        "reference": index.reference,
        "normalized": index.reference,
        "size": arm64.size,
        "size_human": "4.3 KiB",
        "digest": index.digest,
        "media_type": "application/vnd.oci.image.index.v1+json",
        "manifest_digest": arm64.digest,
        "platform": "linux/arm64",
        "platforms": [
            {
                "platform": "linux/amd64",
                "digest": index.images["linux/amd64"].digest,
                "size": index.images["linux/amd64"].size,
            },
            {"platform": "linux/arm64", "digest": arm64.digest, "size": arm64.size},
        ],
        "unpacked_size": None,
    }


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


def test_password_from_stdin(auth_container_registry, unique_repository, monkeypatch, capsys) -> None:
    registry = auth_container_registry
    image = registry.push_image(unique_repository, "1.0")
    monkeypatch.setattr("sys.stdin", io.StringIO(registry.password + "\n"))
    assert main(["size", "--username", registry.username, "--password-stdin", image.reference]) == 0
    out, err = capsys.readouterr()
    assert str(image.size) in out
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
