"""``prem-new-service size REF...``: what each image takes unpacked on disk and what a pull of it downloads,
from its container registry, nothing pulled.

Stdout holds a table: ``BYTES`` is what ``new``, ``batch`` and ``bump`` write into ``dockerImages.*.size`` (the
unpacked size; the download size with ``--size-kind download``), ``~`` marks an unpacked size that is only an
estimate, and the lines under the table say why, and what a local Docker engine that has the image says.
``--download-only`` reads no layer: UNPACKED shows ``-`` and the JSON's unpacked fields are null. Or, with
``--json``, one document::

    {
      "images": [
        {
          "reference": "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2",  # as typed
          "normalized": "ghcr.io/premai-io/chat-dolly-v2-12b-gpu:1.0.2",  # docker.io/library/... for Hub images
          "size_kind": "unpacked",       # --size-kind, or the size_kind setting
          "manifest_size": 30456789012,  # what new/batch/bump write: the size of that kind
          "download_size": 12345678,     # bytes a pull downloads for --platform: config + compressed layers
          "download_human": "11.8 MiB",
          "unpacked_size": 30456789012,  # bytes on disk once pulled: the layers' tar streams
          "unpacked_human": "28.4 GiB",
          "unpacked_exact": true,        # false: an estimate, for the reasons below (--exact counts them)
          "unpacked_reasons": [],        # ["2 layers: it is made of several gzip members, and ..."]
          "layers": [
            {"digest": "sha256:...", "media_type": "application/vnd.oci.image.layer.v1.tar+gzip",
             "download_size": 6000000, "unpacked_size": 15000000, "exact": true,
             "how": "gzip trailer",      # or "zstd header", "counted", "not compressed", "estimate"
             "reason": ""}               # why it is an estimate
          ],
          "engine_size": null,           # what a local Docker engine that has the image says, else null
          "warnings": [],                # e.g. the image is built for another platform than --platform
          "digest": "sha256:...",        # what the reference names (the index, for a multi-platform image)
          "media_type": "application/vnd.oci.image.index.v1+json",
          "platform": "linux/amd64",     # null for a single-platform image
          "manifest_digest": "sha256:...",  # the image manifest that was sized
          "platforms": [{"platform": "linux/arm64", "digest": "sha256:...", "download_size": 12000000}]  # [] if single
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

Each failure and each warning is also written to stderr, and on a terminal what a slow lookup waits for, or
with ``--exact`` how much of the layers has been read. Exit 0 when every image was found, 2 when a reference
does not parse, 1 for any other failure.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.cli.common import add_options

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
    add_options(parser, "size_kind", "exact", size_kind="which size the BYTES column holds: unpacked (the default, "
                "what new, batch and bump write) or download")
    parser.add_argument(
        "--download-only",
        action="store_true",
        help="only the download size: the layers are not read, so it costs no request beyond the manifests "
        "(implies --size-kind download)",
    )


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from wizard.cli.common import LookupStatus, run_async, say_exact_hint
    from wizard.errors import ImageError
    from wizard.images import Credentials, lookup_sizes
    from wizard.settings import build_settings

    if args.download_only and (args.exact or args.size_kind == "unpacked"):
        from wizard.errors import InvalidInput

        raise InvalidInput(
            [f"--download-only does not go with {'--exact' if args.exact else '--size-kind unpacked'}"],
            hint="--download-only skips the layers that the unpacked size is read from",
        )
    settings = build_settings({"size_kind": "download" if args.download_only else args.size_kind})
    insecure = tuple(dict.fromkeys((*settings.insecure_registries, *args.insecure_registry)))
    settings = replace(settings, insecure_registries=insecure)
    credentials = Credentials(explicit=_explicit_credential(args))
    status = LookupStatus()
    results = run_async(status.run(lookup_sizes(
        args.references, platform=args.platform, settings=settings, credentials=credentials, every_platform=True,
        unpacked=not args.download_only, exact=args.exact, on_bytes=status.on_bytes, watch=status.watch)))
    failures = {text: result for text, result in results.items() if isinstance(result, ImageError)}
    for text, error in failures.items():
        print(f"prem-new-service: {text}: {error}", file=sys.stderr)
    found = {text: result for text, result in results.items() if text not in failures}
    for text, result in found.items():
        for warning in result.warnings:
            print(f"prem-new-service: {text}: warning: {warning}", file=sys.stderr)
    if args.json:
        import json

        print(json.dumps(_as_json(results, settings.size_kind), indent=2))
    elif found:
        print(_table(found, settings.size_kind))
        notes = _notes(found)
        if notes:
            print("\n" + "\n".join(notes))
        say_exact_hint(found.values(), args.exact)
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


def _as_json(results: dict[str, Any], kind: str) -> dict[str, list[dict[str, Any]]]:
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
        unpacked = result.unpacked
        images.append(
            {
                "reference": text,
                "normalized": result.reference,
                "size_kind": kind,
                "manifest_size": result.size_for(kind),
                "download_size": result.download_size,
                "download_human": human_bytes(result.download_size),
                "unpacked_size": unpacked.size if unpacked else None,
                "unpacked_human": human_bytes(unpacked.size) if unpacked else None,
                "unpacked_exact": unpacked.exact if unpacked else None,
                "unpacked_reasons": unpacked.reasons if unpacked else [],
                "layers": [
                    {
                        "digest": layer.digest,
                        "media_type": layer.media_type,
                        "download_size": layer.download_size,
                        "unpacked_size": layer.size,
                        "exact": layer.exact,
                        "how": layer.how,
                        "reason": layer.reason,
                    }
                    for layer in (unpacked.layers if unpacked else ())
                ],
                "engine_size": result.engine_size,
                "warnings": list(result.warnings),
                "digest": result.digest,
                "media_type": result.media_type,
                "platform": result.platform,
                "manifest_digest": result.manifest_digest,
                "platforms": [
                    {"platform": p.platform, "digest": p.digest, "download_size": p.download_size}
                    for p in result.platforms
                ],
            }
        )
    return {"images": images, "errors": errors}


def _table(found: dict[str, Any], kind: str) -> str:
    from wizard.images import human_bytes

    rows = [("REFERENCE", "BYTES", "UNPACKED", "DOWNLOAD", "DIGEST", "PLATFORMS")]
    for text, result in found.items():
        platforms = ", ".join(
            f"{p.platform}{'*' if p.platform == result.platform else ''} "
            f"{human_bytes(p.download_size) if p.download_size else '?'}"
            for p in result.platforms
        )
        unpacked = result.unpacked
        estimate = "~" if unpacked is not None and not unpacked.exact else ""
        rows.append(
            (
                text,
                f"{estimate if kind == 'unpacked' else ''}{result.size_for(kind)}",
                f"{estimate}{human_bytes(unpacked.size)}" if unpacked else "-",
                human_bytes(result.download_size),
                result.digest[:19],
                platforms or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]).rstrip() for row in rows
    )


def _notes(found: dict[str, Any]) -> list[str]:
    """Under the table: why each ``~`` figure is an estimate, and the engine's figure as a cross-check."""
    from wizard.size_text import engine_text, estimate_reasons

    lines = []
    for text, result in found.items():
        if reasons := estimate_reasons(result):
            lines.append(f"~ {text}: the unpacked size is an estimate:")
            lines += [f"    {reason}" for reason in reasons]
        if engine := engine_text(result):
            lines.append(f"  {text}: {engine}")
    return lines
