"""Benchmark: image size lookups against a real registry behind a latency proxy. Never run by pytest.

    python bench/image_sizes.py [--images 50] [--latency-ms 50] [--per-registry 32]

Starts the CNCF distribution registry on loopback, pushes N single-platform images (N repositories), puts the
tests' fault proxy in front with a fixed delay per request (a registry that far away), then looks the images up
concurrently and one by one through the same client. Where ``skopeo`` is installed, it also times
``skopeo inspect --raw --tls-verify=false docker://HOST/REPO:TAG`` on the same images (one process each, which
is how a script would use it) and prints the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers.distribution_registry import start_registry
from tests.servers.fault_proxy import FaultProxy
from wizard.images import ContainerRegistries, Credentials, image_size, image_sizes
from wizard.images.registries import DEFAULT_PER_REGISTRY


async def concurrently(references: list[str], per_registry: int) -> tuple[float, int]:
    started = time.perf_counter()
    async with ContainerRegistries(credentials=Credentials.anonymous(), per_registry=per_registry) as registries:
        results = await image_sizes(references, registries=registries)
    failures = sum(isinstance(r, Exception) for r in results.values())
    return time.perf_counter() - started, failures


async def one_by_one(references: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    failures = 0
    async with ContainerRegistries(credentials=Credentials.anonymous()) as registries:
        for reference in references:
            client = registries.client_for(reference.split("/")[0])
            try:
                await image_size(client, reference, registries=registries)
            except Exception:  # noqa: BLE001 - counted, not hidden
                failures += 1
    return time.perf_counter() - started, failures


def with_skopeo(references: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    failures = 0
    for reference in references:
        done = subprocess.run(
            ["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        failures += done.returncode != 0
    return time.perf_counter() - started, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--per-registry", type=int, default=DEFAULT_PER_REGISTRY)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-registry-") as workdir:
        registry = start_registry(Path(workdir))
        proxy = FaultProxy(registry.host, latency=args.latency_ms / 1000).start()
        try:
            pushed = [registry.push_image(f"bench/image-{n}", "1.0", layers=3) for n in range(args.images)]
            references = [f"{proxy.host}/{image.repository}:{image.tag}" for image in pushed]
            print(f"{args.images} images, {args.latency_ms:g} ms per request, at most {args.per_registry} at once")

            proxy.clear()
            together, failed_together = asyncio.run(concurrently(references, args.per_registry))
            requests_together = proxy.count()
            proxy.clear()
            alone, failed_alone = asyncio.run(one_by_one(references))
            requests_alone = proxy.count()
            print(f"  concurrent:  {together:7.2f} s  {requests_together} requests  {failed_together} failed")
            print(f"  one by one:  {alone:7.2f} s  {requests_alone} requests  {failed_alone} failed")
            print(f"  speed-up of concurrent over one by one: {alone / together:.1f}x")
            if shutil.which("skopeo"):
                proxy.clear()
                skopeo, failed_skopeo = with_skopeo(references)
                print(f"  skopeo:      {skopeo:7.2f} s  {proxy.count()} requests  {failed_skopeo} failed")
                print(f"  skopeo / one by one: {skopeo / alone:.1f}x;  skopeo / concurrent: {skopeo / together:.1f}x")
            else:
                print("  skopeo is not installed: no comparison")
        finally:
            proxy.stop()
            registry.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
