"""`new --from-hf` beside the Hub's own CLI, against the tests' loopback Hub (the emulator, so no network):

    python bench/from_hub.py [--runs 10]

- ours: `prem-new-service new --from-hf databricks/dolly-v2-12b --dry-run` (one model-info call, the card, the
  whole folder planned and printed);
- peer: `hf models info databricks/dolly-v2-12b` then `hf download databricks/dolly-v2-12b README.md`, the same two
  calls through huggingface_hub's own command line, in two processes as a person would type them;
- base: the same `new --dry-run` with every answer typed as a flag, no Hub.

Each figure is the median wall time of fresh processes; a fresh HF_HOME each run, so no cached card.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hub.conftest import (
    MODELS,  # the tests' models, as the emulator serves them (after the path is set)
)
from tests.servers.hub_emulator import HubEmulator

INDEX = Path("/work/shared/registry-snapshot/manifests.json")
REPO = "databricks/dolly-v2-12b"
IMAGE = ["--gpu-image", "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.3", "--gpu-size", "40689261892",
         "--id", "dolly-v2-12b-hf", "--dry-run", "--index", str(INDEX)]
TYPED = ["--name", "Dolly v2 12B", "--description", "Databricks' dolly-v2-12b, an instruction-following model.",
         "--interface", "chat", "--memory", "27141"]


def timed(commands: list[list[str]], runs: int, env: dict) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            run_env = {**env, "HF_HOME": home, "XDG_CACHE_HOME": home}
            start = time.perf_counter()
            for argv in commands:
                subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=run_env,
                               cwd=home)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    hub = HubEmulator(MODELS)
    env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HUB_DISABLE_TELEMETRY": "1", "NO_COLOR": "1"}
    env.pop("HF_TOKEN", None)
    try:
        ours = timed([["prem-new-service", "new", "--from-hf", REPO, *IMAGE]], runs, env)
        ours_calls = len(hub.requests) / runs
        before = len(hub.requests)
        peer = timed([["hf", "models", "info", REPO], ["hf", "download", REPO, "README.md"]], runs, env)
        peer_calls = (len(hub.requests) - before) / runs
        base = timed([["prem-new-service", "new", *TYPED, *IMAGE]], runs, env)
    finally:
        hub.stop()
    print(f"{runs} runs each, median wall time of fresh processes, loopback Hub emulator")
    print(f"  new --from-hf (info + card + folder)   {ours * 1000:7.0f} ms  ({ours_calls:.0f} Hub requests a run)")
    print(f"  hf models info + hf download README.md {peer * 1000:7.0f} ms  ({peer_calls:.0f} Hub requests a run)")
    print(f"  new with every answer typed (no Hub)   {base * 1000:7.0f} ms")
    print(f"  ours / the Hub's own CLI: {ours / peer:.2f}; the Hub's cost in ours: {(ours - base) * 1000:.0f} ms "
          f"(ours / typed {ours / base:.2f})")


if __name__ == "__main__":
    main()
