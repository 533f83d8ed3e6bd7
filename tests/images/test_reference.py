"""Image references: Docker's normalisation, the distribution grammar, and messages that point at the bad part."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from wizard.errors import BadReference
from wizard.images import ImageReference, parse_reference

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ubuntu", "docker.io/library/ubuntu:latest"),
        ("ubuntu:22.04", "docker.io/library/ubuntu:22.04"),
        ("library/ubuntu", "docker.io/library/ubuntu:latest"),
        ("docker.io/ubuntu", "docker.io/library/ubuntu:latest"),
        ("index.docker.io/library/ubuntu:1", "docker.io/library/ubuntu:1"),
        ("index.docker.io/premai/x", "docker.io/premai/x:latest"),
        ("premai/chat", "docker.io/premai/chat:latest"),
        ("ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2", "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2"),
        ("localhost/foo", "localhost/foo:latest"),
        ("localhost:5000/foo/bar:v1", "localhost:5000/foo/bar:v1"),
        ("127.0.0.1:5000/a", "127.0.0.1:5000/a:latest"),
        ("[::1]:5000/a/b:c", "[::1]:5000/a/b:c"),
        ("registry.example.com/a/b/c/d", "registry.example.com/a/b/c/d:latest"),
        (f"foo/bar@{DIGEST}", f"docker.io/foo/bar@{DIGEST}"),
        (f"ghcr.io/a/b:1.0@{DIGEST}", f"ghcr.io/a/b:1.0@{DIGEST}"),
        ("ghcr.io/a__b/c--d.e_f:T_1.x-y", "ghcr.io/a__b/c--d.e_f:T_1.x-y"),
        ("Registry.Example.COM/a", "Registry.Example.COM/a:latest"),  # host names are not lowercased
        ("Foo/bar", "Foo/bar:latest"),  # Docker's quirk: an uppercase first part is a host
        ("localhost:5000", "docker.io/library/localhost:5000"),  # no slash: a Hub image tagged 5000
        ("ubuntu:" + "t" * 128, "docker.io/library/ubuntu:" + "t" * 128),
    ],
)
def test_references_normalise_like_docker(text: str, expected: str) -> None:
    assert str(parse_reference(text)) == expected


def test_parts_and_api_host() -> None:
    hub = parse_reference("nginx")
    assert (hub.domain, hub.path, hub.tag, hub.digest) == ("docker.io", "library/nginx", "latest", None)
    assert hub.api_host == "registry-1.docker.io"
    assert hub.familiar == "nginx:latest"
    pinned = parse_reference(f"ghcr.io/premai-io/x:1.0@{DIGEST}")
    assert (pinned.api_host, pinned.manifest_reference, pinned.tag) == ("ghcr.io", DIGEST, "1.0")
    assert parse_reference(f"ghcr.io/a/b@{DIGEST}").tag is None


@pytest.mark.parametrize(
    ("text", "says", "hint_says"),
    [
        ("", "is empty", "ghcr.io/premai-io"),
        ("ghcr.io/Premai-io/x", "repository 'Premai-io/x' in 'ghcr.io/Premai-io/x' has uppercase", "premai-io/x"),
        ("ubuntu:", "tag after ':' in 'ubuntu:' is empty", "like 1.0.2"),
        ("ubuntu:-x", "tag '-x' in 'ubuntu:-x' is not valid", "does not start with '.' or '-'"),
        ("ubuntu:" + "a" * 129, "129 characters; the limit is 128", "a tag is"),
        ("foo:bar:baz", "tag 'bar:baz'", "a tag is"),
        ("ubuntu@sha256:abc", "must be 64 lowercase hex digits, not 3", "sha256:<64 hex digits>"),
        ("ubuntu@sha256:" + "A" * 64, "must be in lowercase hex digits", "copy the digest whole"),
        ("ubuntu@md5:" + "a" * 32, "algorithm 'md5'", "copy the digest whole"),
        ("ubuntu@latest", "digest 'latest'", "use a tag instead"),
        ("ghcr.io//x", "empty part between slashes", "for example"),
        ("ghcr.io/x/", "empty part between slashes", "for example"),
        ("ghcr.io/-x", "part '-x' of the repository", "start and end with a letter or digit"),
        ("ghcr.io/a..b", "part 'a..b'", "single '.'"),
        ("ghcr.io/a b", "white space", "remove it"),
        ("-bad.host/x", "registry host '-bad.host'", "localhost:5000"),
        ("host_name.io/x", "registry host 'host_name.io'", "ghcr.io"),
        ("a" * 64, "is an image ID, not a reference", "the name the image is pushed under"),
        ("ghcr.io/" + "a" * 256, "256 characters; the limit is 255", "copied whole"),
    ],
)
def test_bad_references_say_which_part_is_wrong(text: str, says: str, hint_says: str) -> None:
    with pytest.raises(BadReference) as caught:
        parse_reference(text)
    assert says in caught.value.message
    assert hint_says in (caught.value.hint or "")
    assert caught.value.exit_code == 2


# --- properties ---------------------------------------------------------------------------------------------

alphanumeric = st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True)
separator = st.sampled_from([".", "_", "__", "-", "---"])
component = st.builds(
    lambda first, rest: first + "".join(s + a for s, a in rest),
    alphanumeric,
    st.lists(st.tuples(separator, alphanumeric), max_size=2),
)
domain_component = st.from_regex(r"[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,6}[a-zA-Z0-9]", fullmatch=True)
domain = st.one_of(
    st.sampled_from(["localhost", "localhost:5000", "ghcr.io", "127.0.0.1:5000", "[::1]:5000", "[fe80::1]"]),
    st.builds(lambda parts, port: ".".join(parts) + port, st.lists(domain_component, min_size=2, max_size=3),
              st.sampled_from(["", ":443", ":5000"])),
)  # fmt: skip
tag = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
digest = st.binary(min_size=32, max_size=32).map(lambda raw: "sha256:" + raw.hex())

# the grammar of the normalised form, written out again independently of the parser
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST = r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])"
NORMALISED = re.compile(
    rf"{_HOST}(?::[0-9]+)?/{_COMPONENT}(?:/{_COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})?(?:@sha(?:256|384|512):[a-f0-9]+)?"
)


@given(
    host=domain,
    path=st.lists(component, min_size=1, max_size=4).map("/".join),
    tag=st.none() | tag,
    pinned=st.none() | digest,
)
def test_explicit_host_references_keep_their_parts(host: str, path: str, tag: str | None, pinned: str | None) -> None:
    text = f"{host}/{path}" + (f":{tag}" if tag else "") + (f"@{pinned}" if pinned else "")
    ref = parse_reference(text)
    assert ref.domain == host
    assert ref.path == path
    assert ref.digest == pinned
    assert ref.tag == (tag or (None if pinned else "latest"))
    assert str(ref) == text if tag or pinned else str(ref) == text + ":latest"


@given(path=st.lists(component, min_size=1, max_size=3).map("/".join), tag=st.none() | tag)
def test_hub_references_get_docker_io_and_library(path: str, tag: str | None) -> None:
    assume("." not in path.split("/")[0] and path.split("/")[0] != "localhost")
    ref = parse_reference(path + (f":{tag}" if tag else ""))
    assert ref.domain == "docker.io"
    assert ref.path == (path if "/" in path else f"library/{path}")
    assert ref.api_host == "registry-1.docker.io"


@given(st.text(alphabet="abcAB019:/@._-[]", max_size=40) | st.text(max_size=20))
@example(f"ghcr.io/a:b@{DIGEST}")
def test_any_text_parses_or_is_refused_with_a_message(text: str) -> None:
    try:
        ref = parse_reference(text)
    except BadReference as error:
        assert error.message and error.hint
        return
    assert NORMALISED.fullmatch(str(ref)), str(ref)
    assert parse_reference(str(ref)) == ref  # normalising is idempotent


@given(path=st.lists(component, min_size=1, max_size=3).map("/".join), data=st.data())
def test_an_uppercase_repository_is_refused_with_the_lowercase_spelling(path: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(path) - 1))
    assume(path[index].isalpha())
    shouted = path[:index] + path[index].upper() + path[index + 1 :]
    with pytest.raises(BadReference) as caught:
        parse_reference(f"ghcr.io/{shouted}")
    assert "uppercase" in caught.value.message
    assert path in (caught.value.hint or "")


def test_reference_is_a_value() -> None:
    assert parse_reference("nginx") == ImageReference("docker.io", "library/nginx", "latest")
    assert hash(parse_reference("nginx")) == hash(parse_reference("docker.io/library/nginx:latest"))
