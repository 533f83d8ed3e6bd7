"""Benchmark: `try`'s index server beside Python's own static file server, and `check`'s tokens per second
beside the rate the stream is sent at.

    python bench/try_and_check.py [--gets 300] [--runs 3]

1. The index of the real dev checkout (47 folders merged over the snapshot's index) is served by `try`'s server
   and, as the peer, by `python -m http.server` serving the same bytes from a file; each gets ``--gets`` GETs
   over one connection at a time, as the daemon makes them. Prints requests per second and the ratio.
2. The tests' chat service streams 40 chunks at 10, 50 and 200 tokens per second; `check` measures each
   ``--runs`` times. Prints the figure beside the true rate (their ratio) and check's whole time beside the
   streams' own length. Never run by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from tests.servers.service_apis import ServiceAPI, port_where_nothing_listens
from wizard.cli.trying import build
from wizard.registry.index import parse_index
from wizard.testing.check import check_service
from wizard.testing.index_server import IndexServer

SNAPSHOT = Path(__file__).resolve().parents[2] / "shared" / "registry-snapshot"


def gets_per_second(url: str, count: int) -> float:
    with httpx.Client(timeout=10) as client:
        client.get(url)  # warm
        started = time.perf_counter()
        for _ in range(count):
            assert client.get(url).status_code == 200
        return count / (time.perf_counter() - started)


def index_serving(count: int) -> None:
    folders = sorted(p for p in (SNAPSHOT / "dev").iterdir() if (p / "manifest.json").is_file())
    upstream = parse_index((SNAPSHOT / "manifests.json").read_bytes(), "snapshot")
    merged, served = build(folders, upstream, "http://127.0.0.1:1", replace_upstream=True)
    ours = IndexServer("127.0.0.1", 0, served).start()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "manifests.json").write_bytes(served.index)
        port = port_where_nothing_listens()
        peer = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], cwd=folder,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/manifests.json", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.05)
            mine = gets_per_second(f"http://127.0.0.1:{ours.port}/manifests.json", count)
            theirs = gets_per_second(f"http://127.0.0.1:{port}/manifests.json", count)
        finally:
            peer.terminate()
            ours.stop()
    print(f"index of {len(merged.entries)} services, {len(served.index) / 1024:.0f} KiB, {count} GETs each")
    print(f"  try's server       {mine:8.0f} GETs/s")
    print(f"  python -m http.server {theirs:5.0f} GETs/s  (peer)")
    print(f"  ratio try/peer     {mine / theirs:8.2f}")


async def measuring(runs: int) -> None:
    print(f"check, {runs} streams of 40 chunks at each rate")
    async with httpx.AsyncClient(timeout=30, trust_env=False) as client:
        for rate in (10.0, 50.0, 200.0):
            api = ServiceAPI("chat", rate=rate, tokens=40)
            try:
                started = time.perf_counter()
                report = await check_service(client, api.url, "chat", runs=runs)
                whole = time.perf_counter() - started
            finally:
                api.stop()
            streams = runs * 39 / rate
            measured = report.tokens_per_second
            print(f"  sent {rate:5.0f}/s  measured {measured:7.2f}/s  ratio {measured / rate:5.3f}   "
                  f"check took {whole:5.2f} s for {streams:5.2f} s of streaming (ratio {whole / streams:4.2f})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gets", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    index_serving(args.gets)
    asyncio.run(measuring(args.runs))


if __name__ == "__main__":
    main()
