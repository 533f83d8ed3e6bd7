"""Benchmark: image size lookups, whole processes, against a real registry behind a latency proxy, beside
skopeo in the same run. Never run by pytest.

    python bench/image_sizes.py [--latency-ms 50] [--images 20] [--runs 5]

Starts the CNCF distribution registry on loopback, pushes images of four real gzip'd tar layers, puts the
tests' fault proxy in front with a fixed delay per request (a registry that far away), and times, best of
``--runs``:

1. one lookup: ``prem-new-service size REF`` (download and unpacked sizes) against
   ``skopeo inspect --raw --tls-verify=false docker://REF`` (the manifest only, which gives neither);
2. ``--images`` images in one ``size`` call against skopeo run once per image, as a script would;
3. the unpacked size of a 4-layer image (``size REF``) against the download size alone
   (``size --download-only REF``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.servers.distribution_registry import start_registry
from tests.servers.fault_proxy import FaultProxy
from tests.servers.layers import gzip_layer, sample_tar

TOOL = [sys.executable, "-c", "from wizard.cli import main; raise SystemExit(main())"]


def best_of(runs: int, *commands: list[str]) -> float:
    """The best wall time of ``runs`` runs of the commands one after the other (the sum for one run)."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        for command in commands:
            done = subprocess.run(command, capture_output=True, timeout=120, check=False)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(command[:4])}... failed:\n{done.stderr.decode()[-2000:]}")
        best = min(best, time.perf_counter() - started)
    return best


def skopeo(reference: str) -> list[str]:
    return ["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}"]


def row(label: str, ours: float, peer: float, peer_label: str) -> None:
    print(f"  {label:<44} {ours:6.3f} s   {peer_label:<28} {peer:6.3f} s   ratio {ours / peer:5.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not shutil.which("skopeo"):
        print("skopeo is not installed (Debian package skopeo): no peer to compare with")
        return 1

    with tempfile.TemporaryDirectory(prefix="bench-registry-") as workdir:
        registry = start_registry(Path(workdir))
        proxy = FaultProxy(registry.host, latency=args.latency_ms / 1000).start()
        try:
            references = []
            for n in range(args.images):
                layers = [gzip_layer(sample_tar(400_000 * (k + 1), seed=100 * n + k)) for k in range(4)]
                image = registry.push_layers(f"bench/image-{n}", "1.0", layers, kind="docker")
                references.append(f"{proxy.host}/{image.repository}:{image.tag}")
            one = references[0]
            print(f"{args.latency_ms:g} ms per request, images of 4 gzip layers, best of {args.runs} whole processes")
            row("one lookup: size REF", best_of(args.runs, [*TOOL, "size", one]), best_of(args.runs, skopeo(one)),
                "skopeo inspect --raw")
            together = best_of(args.runs, [*TOOL, "size", *references])
            one_by_one = best_of(max(1, args.runs // 2), *(skopeo(r) for r in references))
            row(f"{args.images} images: one size call", together, one_by_one, f"skopeo x {args.images}, one by one")
            print(f"  {'':<44} speed-up over skopeo one by one: {one_by_one / together:.1f}x")
            unpacked = best_of(args.runs, [*TOOL, "size", one])
            download = best_of(args.runs, [*TOOL, "size", "--download-only", one])
            row("4 layers unpacked: size REF", unpacked, download, "size --download-only REF")
        finally:
            proxy.stop()
            registry.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
