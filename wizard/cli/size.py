"""``prem-new-service size REF...``: how much a pull of each image downloads, from its container registry.

Stdout holds a table, or with ``--json`` one document::

    {
      "images": [
        {
          "reference": "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2",  # as typed
          "normalized": "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2",  # docker.io/library/... for Hub images
          "size": 12345678,              # bytes a pull downloads for --platform: config + compressed layers
          "size_human": "11.8 MiB",
          "digest": "sha256:...",        # what the reference names (the index, for a multi-platform image)
          "media_type": "application/vnd.oci.image.index.v1+json",
          "platform": "linux/amd64",     # null for a single-platform image
          "manifest_digest": "sha256:...",  # the image manifest that was sized
          "platforms": [{"platform": "linux/arm64", "digest": "sha256:...", "size": 12000000}],  # [] if single
          "unpacked_size": null          # bytes on disk, when a local Docker engine has the image
        }
      ],
      "errors": [
        {
          "reference": "ghcr.io/premai-io/x:9",
          "error": "TagNotFound",        # the ImageError class: BadReference, RegistryUnreachable, ...
          "message": "...", "hint": "...",
          "tags": ["1.0.1", "1.0.2"],    # TagNotFound only
          "retry_after": 30.0            # ImageRateLimited only (seconds, or null)
        }
      ]
    }

Each failure is also written to stderr. Exit 0 when every image was found, 2 when a reference does not parse,
1 for any other failure.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("references", nargs="+", metavar="REF", help="image references, like ghcr.io/org/image:1.0")
    parser.add_argument("--platform", default="linux/amd64", help="os/arch[/variant] to size in multi-platform images")
    parser.add_argument("--json", action="store_true", help="print one JSON document (shape in the module docs)")
    parser.add_argument(
        "--insecure-registry",
        action="append",
        metavar="HOST",
        default=[],
        help="reach this registry over plain HTTP (repeatable; loopback registries always are)",
    )
    parser.add_argument("--username", help="user name for the container registries of this run")
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password or access token from standard input"
    )


def run(args: argparse.Namespace) -> int:
    import asyncio
    from dataclasses import replace

    from wizard.errors import ImageError
    from wizard.images import Credentials, lookup_sizes
    from wizard.settings import build_settings

    settings = build_settings()
    insecure = tuple(dict.fromkeys((*settings.insecure_registries, *args.insecure_registry)))
    settings = replace(settings, insecure_registries=insecure)
    credentials = Credentials(explicit=_explicit_credential(args))
    results = asyncio.run(
        lookup_sizes(
            args.references, platform=args.platform, settings=settings, credentials=credentials, every_platform=True
        )
    )
    failures = {text: result for text, result in results.items() if isinstance(result, ImageError)}
    for text, error in failures.items():
        print(f"prem-new-service: {text}: {error}", file=sys.stderr)
    if args.json:
        import json

        print(json.dumps(_as_json(results), indent=2))
    else:
        found = {text: result for text, result in results.items() if text not in failures}
        if found:
            print(_table(found))
    return max((error.exit_code for error in failures.values()), default=0)


def _explicit_credential(args: argparse.Namespace) -> Any:
    from wizard.errors import InvalidInput
    from wizard.images import Credential

    if not args.username and not args.password_stdin:
        return None
    if not args.username or not args.password_stdin:
        raise InvalidInput(
            ["--username and --password-stdin go together"],
            hint='echo "$TOKEN" | prem-new-service size --username NAME --password-stdin REF '
            "(the password is never a flag, so it stays out of shell history)",
        )
    password = sys.stdin.read().rstrip("\r\n")
    if not password:
        raise InvalidInput(["--password-stdin read nothing from standard input"], hint="pipe the password in")
    return Credential(args.username, password, source="--username and --password-stdin")


def _as_json(results: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    from dataclasses import asdict

    from wizard.errors import ImageError, ImageRateLimited, TagNotFound
    from wizard.images import human_bytes

    images, errors = [], []
    for text, result in results.items():
        if isinstance(result, ImageError):
            entry: dict[str, Any] = {
                "reference": text,
                "error": type(result).__name__,
                "message": result.message,
                "hint": result.hint,
            }
            if isinstance(result, TagNotFound):
                entry["tags"] = result.tags
            if isinstance(result, ImageRateLimited):
                entry["retry_after"] = result.retry_after
            errors.append(entry)
            continue
        fields = asdict(result)
        images.append(
            {
                "reference": text,
                "normalized": fields.pop("reference"),
                "size": fields.pop("size"),
                "size_human": human_bytes(result.size),
                **fields,
            }
        )
    return {"images": images, "errors": errors}


def _table(found: dict[str, Any]) -> str:
    from wizard.images import human_bytes

    rows = [("REFERENCE", "BYTES", "SIZE", "DIGEST", "PLATFORMS")]
    for text, result in found.items():
        platforms = ", ".join(
            f"{p.platform}{'*' if p.platform == result.platform else ''} {human_bytes(p.size) if p.size else '?'}"
            for p in result.platforms
        )
        unpacked = f"; {human_bytes(result.unpacked_size)} unpacked locally" if result.unpacked_size else ""
        rows.append(
            (text, str(result.size), human_bytes(result.size), result.digest[:19], (platforms or "-") + unpacked)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]).rstrip() for row in rows
    )
