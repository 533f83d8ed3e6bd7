"""What opening a pull request costs through the API, beside what a `git clone` of the registry transfers.

Builds a registry tree the size of the real one (50 service folders, about 9 MB), seeds the GitHub
emulator with it and opens a pull request for one new folder with ``publish_folders``, counting calls and
bytes on the wire. Then builds a real git repository of the same tree and clones it (``git clone
--no-local``) to measure the pack a contributor would download the usual way.

    python bench/publish.py [--folders 50] [--megabytes 9]

Needs git, and GitHub's OpenAPI description (see tests/servers/github_openapi.py for the npm command).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers.github_app import GitHubEmulator, make_world
from tests.servers.github_http import serve
from tests.servers.github_openapi import OpenAPI, load_spec


def registry_tree(folders: int, megabytes: float, seed: int = 7) -> dict[str, bytes]:
    """Service folders shaped like the real ones: small manifests, READMEs of prose, logos that carry
    embedded bitmaps (which is where most of the registry's bytes are, and why it compresses badly)."""
    rng = random.Random(seed)
    words = ["model", "service", "prem", "chat", "inference", "memory", "image", "docker", "gpu", "tokens", "license", "usage", "the", "a", "of", "and"]
    per_folder = megabytes * 1024 * 1024 / folders
    files: dict[str, bytes] = {}
    index = []
    for number in range(folders):
        interface = rng.choice(["chat", "embeddings", "diffuser", "audio-to-text", "text-to-audio", "coder"])
        service_id = f"model-{number:02d}"
        manifest = {"id": service_id, "name": f"Model {number}", "description": " ".join(rng.choices(words, k=40)),
                    "interfaces": [interface], "defaultPort": 8000, "defaultExternalPort": 8100 + number,
                    "dockerImages": {"gpu": {"size": rng.randint(10**9, 4 * 10**10),
                                             "image": f"ghcr.io/premai-io/{interface}-{service_id}-gpu:1.0.0"}}}
        readme = "\n".join(" ".join(rng.choices(words, k=14)) for _ in range(int(per_folder * 0.15 / 80)))
        bitmap = base64.b64encode(rng.randbytes(int(per_folder * 0.8 * 3 / 4))).decode()
        logo = (f'<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">'
                f'<image width="256" height="256" href="data:image/png;base64,{bitmap}"/></svg>\n')
        folder = f"{interface}-{service_id}"
        files[f"{folder}/manifest.json"] = json.dumps(manifest, indent=4).encode() + b"\n"
        files[f"{folder}/README.md"] = readme.encode() + b"\n"
        files[f"{folder}/logo.svg"] = logo.encode()
        index.append(manifest)
    files["manifests.json"] = json.dumps(index, indent=4).encode()
    files["README.md"] = b"# Prem registry\n"
    return files


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def clone_pack_size(files: dict[str, bytes], workdir: Path) -> int:
    source = workdir / "registry"
    for path, data in files.items():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_bytes(data)
    git("init", "-q", "-b", "dev", str(source))
    git("add", "-A", cwd=source)
    git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "registry", cwd=source)
    target = workdir / "clone"
    git("clone", "-q", "--no-local", str(source), str(target))  # --no-local: objects go through a real pack
    counted = dict(line.split(": ") for line in git("count-objects", "-v", cwd=target).splitlines())
    return int(counted["size-pack"]) * 1024


async def open_pull_request(files: dict[str, bytes], workdir: Path) -> dict[str, object]:
    from wizard.github.token import Secret
    from wizard.publish.pipeline import publish_folders
    from wizard.service.folder import write_service_folder
    from wizard.service.manifest import validate_manifest
    from wizard.service.render import render_service
    from wizard.settings import Settings

    emulator = GitHubEmulator(OpenAPI(load_spec()))
    served = serve(emulator)
    try:
        make_world(emulator, files, upstream="premAI-io/prem-registry", login="first-timer")
        manifest = validate_manifest({
            "id": "bench-model", "name": "Bench Model", "beta": True,
            "description": "A model that exists to measure what opening a pull request costs.",
            "interfaces": ["chat"], "modelInfo": {"memoryRequirements": 8192},
            "dockerImages": {"gpu": {"size": 12 * 10**9, "image": "ghcr.io/example/bench-model-gpu:1.0.0"}},
            "defaultPort": 8000, "defaultExternalPort": 9876,
        })
        folder = write_service_folder(workdir / "chat-bench-model", render_service(manifest))
        settings = Settings(upstream="premAI-io/prem-registry", api_url=emulator.url)
        runs = {}
        for label in ("first pull request", "rerun after a change"):
            result = await publish_folders([folder], settings=settings, token=Secret(emulator.token),
                                           sleep=emulator.clock.sleep)
            runs[label] = result
            (folder / "README.md").write_text((folder / "README.md").read_text() + "\nMore notes.\n")
        assert not emulator.protocol_errors, emulator.protocol_errors
        folder_bytes = sum(p.stat().st_size for p in folder.iterdir())
        return {"runs": runs, "folder_bytes": folder_bytes}
    finally:
        served.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folders", type=int, default=50)
    parser.add_argument("--megabytes", type=float, default=9.0)
    args = parser.parse_args()
    files = registry_tree(args.folders, args.megabytes)
    tree_bytes = sum(len(data) for data in files.values())
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as temporary:
        workdir = Path(temporary)
        api = asyncio.run(open_pull_request(files, workdir))
        clone = clone_pack_size(files, workdir)

    def kib(size: float) -> str:
        return f"{size / 1024:,.1f} KiB"

    print(f"registry tree: {args.folders} folders, {len(files)} files, {tree_bytes / 2**20:.1f} MiB; "
          f"the new folder holds {kib(api['folder_bytes'])}")
    print(f"{'':24} {'calls':>5} {'sent':>12} {'received':>12} {'total':>12}")
    for label, result in api["runs"].items():
        sent = sum(c.sent_bytes for c in result.calls)
        received = sum(c.received_bytes for c in result.calls)
        print(f"{label:24} {len(result.calls):>5} {kib(sent):>12} {kib(received):>12} {kib(sent + received):>12}")
    print(f"{'git clone --no-local':24} {'':>5} {'':>12} {kib(clone):>12} {kib(clone):>12}  (the pack of a one-commit "
          "repository: a lower bound, a real clone also carries the history)")

if __name__ == "__main__":
    main()
