"""Benchmark: `prem-new-service batch` of many services against a real registry behind a latency proxy.

    python bench/batch.py [--services 100] [--latency-ms 100] [--distinct 200] [--hosts 1] [--singles 10]

Starts the CNCF distribution registry on loopback and pushes ``--distinct`` small single-platform images; puts
``--hosts`` of the tests' fault proxies in front (each a separate "container registry" to the tool), each
adding ``--latency-ms`` to every request. Writes a spec of ``--services`` services with a GPU and a CPU image
each (2 x services references, spread over the distinct images and the hosts) and runs the whole command
(check, lookups, writing every folder) through ``wizard.cli.main``. Prints the total time next to the slowest
single lookup (one reference alone, from a cold start: ping + image manifest), the lower bound that the
per-registry limit of concurrent requests sets, and the requests each proxy saw. Never run by pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers.distribution_registry import start_registry
from tests.servers.fault_proxy import FaultProxy
from wizard.images import lookup_sizes
from wizard.images.registries import DEFAULT_PER_REGISTRY
from wizard.settings import Settings

DESCRIPTION = "A small model used to benchmark batch mode; it answers questions in plain English."


def write_spec(path: Path, references: list[str], services: int) -> None:
    lines = ['interfaces = ["chat"]', 'memory = "2 GiB"']
    for n in range(services):
        lines += ["", "[[services]]", f'name = "Bench Model {n:03d}"', f'description = "{DESCRIPTION}"',
                  f'gpu_image = "{references[(2 * n) % len(references)]}"',
                  f'cpu_image = "{references[(2 * n + 1) % len(references)]}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def slowest_single_lookup(references: list[str]) -> float:
    """Each reference alone, from a cold start, as `new` would look it up; the slowest time."""
    slowest = 0.0
    for reference in references:
        started = time.perf_counter()
        result = asyncio.run(lookup_sizes([reference], settings=Settings()))[reference]
        if isinstance(result, Exception):
            raise SystemExit(f"lookup of {reference} failed: {result}")
        slowest = max(slowest, time.perf_counter() - started)
    return slowest


def run_batch(spec: Path, out: Path, index: Path) -> tuple[float, float, dict]:
    """The whole command's time, the time of its lookup stage, and its --json summary."""
    import wizard.cli.batch as command
    from wizard.cli import main

    look_up_sizes, lookup_time = command.look_up_sizes, []

    def timed(*args, **options):
        started = time.perf_counter()
        try:
            return look_up_sizes(*args, **options)
        finally:
            lookup_time.append(time.perf_counter() - started)

    command.look_up_sizes = timed
    stdout, stderr = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["batch", str(spec), "--out", str(out), "--index", str(index), "--json"])
    finally:
        command.look_up_sizes = look_up_sizes
    elapsed = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"batch failed ({code}):\n{stderr.getvalue()}")
    return elapsed, lookup_time[0], json.loads(stdout.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--distinct", type=int, default=200, help="distinct images behind the references")
    parser.add_argument("--hosts", type=int, default=1, help="proxies, i.e. container registries, to spread them over")
    parser.add_argument("--singles", type=int, default=10, help="references timed alone for the slowest single lookup")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as workdir:
        work = Path(workdir)
        for name in ("CONFIG", "CACHE", "DATA"):  # never the user's own config or cache
            os.environ[f"PREM_NEW_SERVICE_{name}_DIR"] = str(work / name.lower())
        registry = start_registry(work / "registry")
        proxies = [FaultProxy(registry.host, latency=args.latency_ms / 1000).start() for _ in range(args.hosts)]
        try:
            pushed = [registry.push_image(f"bench/image-{n}", "1.0", layers=[1000 + n, 500])
                      for n in range(args.distinct)]
            references = [f"{proxies[n % args.hosts].host}/{image.repository}:{image.tag}"
                          for n, image in enumerate(pushed)]
            index = work / "manifests.json"
            index.write_text("[]")
            spec = work / "bench.toml"
            write_spec(spec, references, args.services)
            used = min(2 * args.services, len(references))
            print(f"{args.services} services, {2 * args.services} image references ({used} distinct) on "
                  f"{args.hosts} registr{'y' if args.hosts == 1 else 'ies'}, {args.latency_ms:g} ms per request, "
                  f"at most {DEFAULT_PER_REGISTRY} requests at once per registry")

            single = slowest_single_lookup(references[: args.singles])
            for proxy in proxies:
                proxy.clear()
            total, lookups, summary = run_batch(spec, work / "out", index)
            written = sum(s["written"] for s in summary["services"])
            manifests = sum(p.count("/manifests/") for p in proxies)
            requests = sum(p.count() for p in proxies)
            rounds = math.ceil(used / args.hosts / DEFAULT_PER_REGISTRY) + 1  # + the ping
            print(f"  slowest single lookup ({args.singles} timed alone): {single * 1000:7.0f} ms")
            print(f"  the batch's lookups:   {lookups * 1000:7.0f} ms  ({lookups / single:.1f}x the slowest single lookup)")
            print(f"  whole batch command:   {total * 1000:7.0f} ms  (checks, lookups, rendering, writing {written} folders)")
            print(f"  bound by the per-registry limit: {rounds} round trips = {rounds * args.latency_ms:.0f} ms")
            print(f"  requests: {requests} ({manifests} image manifests, {requests - manifests} pings)")
        finally:
            for proxy in proxies:
                proxy.stop()
            registry.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
