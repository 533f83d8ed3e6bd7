"""prem-new-service check URL --interface NAME: call a running service the way the Prem App will.

The health check (``GET /v1/``), then the interface's calls with small inputs made on the fly (a prompt, two
sentences, a 1-second WAV, a 32x32 PNG), each answer's shape checked. Chat and coder services stream a
completion ``--runs`` times; tokens per second is the median of those streams. Each call is printed as it ends
(``pass``/``FAIL``, the timing, the reason); ``--json`` prints one document instead. Exit 0 when every call
passed, 1 when one failed, 2 for bad arguments.

``--run IMAGE`` (or ``--run FOLDER``, its manifest's image) starts the image through the local Docker engine with
the manifest's port, environment, volume and command, waits for it to answer, checks it, samples its memory
and suggests ``memoryRequirements``; the container is removed however the run ends. ``--write FOLDER`` records
the measured tokens per second in that folder's manifest, as ``edit`` writes it.
"""

from __future__ import annotations

import argparse
import sys

ENGINES = ("qdrant", "weaviate", "redis", "pgvector")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.service.rules import INTERFACES

    parser.add_argument("url", nargs="?", metavar="URL", help="the running service, e.g. http://127.0.0.1:8000")
    parser.add_argument("--interface", choices=list(INTERFACES), help="which Prem App screen uses it (default: "
                        "the first interface of --folder's or --write's manifest)")
    parser.add_argument("--engine", choices=ENGINES, help="a vector store's engine (default: guessed from its name)")
    parser.add_argument("--runs", type=int, default=3, help="streamed completions to time (default 3)")
    parser.add_argument("--deadline", type=float, default=120.0, metavar="SECONDS",
                        help="the longest one call may take, a whole stream included (default 120)")
    parser.add_argument("--json", action="store_true", help="print one JSON document: every call and the figures")
    parser.add_argument("--write", metavar="FOLDER", help="record the measured tokensPerSecond in FOLDER's manifest")
    run = parser.add_argument_group("run the image first (a local Docker engine)")
    run.add_argument("--run", metavar="IMAGE|FOLDER", help="start this image (or a folder's image), check it, "
                     "remove it")
    run.add_argument("--folder", metavar="FOLDER", help="the manifest whose port, environment, volume and command "
                     "the container gets (default: --run's folder, or --write's)")
    run.add_argument("--gpu", action="store_true", help="run the GPU image with every GPU (the CPU image otherwise)")
    run.add_argument("--health-deadline", type=float, default=600.0, metavar="SECONDS",
                     help="how long the service may take to answer its health check (default 600)")


def _manifest(folder: str | None):
    if not folder:
        return None
    from pathlib import Path

    from wizard.publish.folders import folder_manifest

    return folder_manifest(Path(folder))


def _plan(args: argparse.Namespace):
    """(interface, manifest, image to run): every argument problem, said before anything is called."""
    from pathlib import Path

    from wizard.errors import InvalidInput
    from wizard.service.fields import TEXT_GENERATING

    problems: list[str] = []
    run_folder = args.run if args.run and (Path(args.run) / "manifest.json").is_file() else None
    manifest = _manifest(args.folder or run_folder or args.write)
    image = None
    if args.run:
        if run_folder:
            from wizard.testing.run import manifest_image

            image = manifest_image(manifest, gpu=args.gpu)
            if image is None:
                problems.append(f"--run {args.run}: its manifest names no Docker image")
        else:
            image = args.run
    elif not args.url:
        problems.append("give the service's URL (a running service), or --run IMAGE to start one")
    if args.url and args.run:
        problems.append("give a URL or --run, not both: --run finds the URL of the container it starts")
    interfaces = manifest.get("interfaces") if isinstance(manifest, dict) else None
    interface = args.interface or (interfaces[0] if isinstance(interfaces, list) and interfaces else None)
    if interface is None:
        problems.append("--interface: missing; say which kind of service it is (chat, embeddings, …)")
    if args.write and interface not in TEXT_GENERATING:
        problems.append(f"--write records tokens per second, which only chat and coder services have, not {interface}")
    if args.runs < 1:
        problems.append(f"--runs {args.runs}: give at least 1")
    if args.deadline <= 0 or args.health_deadline <= 0:
        problems.append("--deadline and --health-deadline are seconds, more than 0")
    if problems:
        raise InvalidInput(problems, hint="nothing was called; prem-new-service check --help shows every option")
    return interface, manifest, image


def _engine_of(args, interface, manifest, image):
    from wizard.errors import InvalidInput
    from wizard.testing.vector_stores import guessed_engine

    if interface != "vector-store":
        return None
    engine = args.engine or guessed_engine(args.url or "", str((manifest or {}).get("id", "")), image or "")
    if engine is None:
        raise InvalidInput([("--engine: missing; a vector store speaks its own engine's API, and neither the URL "
                             "nor the service names one")], hint="add --engine qdrant (or weaviate, redis, pgvector)")
    return engine


def result_line(result) -> str:
    from wizard.terminal_text import printable
    from wizard.testing.run import result_line as line

    return printable(line(result))


def run(args: argparse.Namespace) -> int:
    from wizard.cli.common import run_async

    interface, manifest, image = _plan(args)
    engine = _engine_of(args, interface, manifest, image)
    if image:
        from wizard.cli.check_run import run_image

        report, memory = run_async(run_image(args, interface, manifest, image, engine))
    else:
        report, memory = run_async(check_url(args, args.url, interface, manifest, engine)), None
    return finish(args, report, memory)


def progress(line: str) -> None:
    from wizard.cli.common import say

    say(line)


def printer(args):
    return (lambda result: None) if args.json else (lambda result: print(result_line(result), flush=True))


async def check_url(args, url: str, interface: str, manifest, engine):
    import httpx

    from wizard.testing.check import check_service

    skip = bool(isinstance(manifest, dict) and manifest.get("skipHealthCheck") is True)
    said = printer(args)
    if not args.json:
        print(f"check {url} as {interface}" + (f" ({engine})" if engine else ""), flush=True)
    timeout = httpx.Timeout(args.deadline, connect=min(5.0, args.deadline))
    async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
        return await check_service(client, url, interface, runs=args.runs, deadline=args.deadline,
                                   skip_health=skip, engine=engine, said=said)


def finish(args, report, memory) -> int:
    import json

    from wizard.cli.common import say
    from wizard.testing.speed import recorded_value

    rate = report.tokens_per_second
    document = report.document()
    if memory is not None:
        document["memory"] = memory
    if args.json:
        print(json.dumps(document, indent=4))
    else:
        failed = [r for r in report.results if not r.passed]
        if rate is not None:
            runs = ", ".join(f"{s.tokens_per_second:.1f}" for s in report.speeds)
            how = " (estimated: the answers came in one piece)" if report.estimated else ""
            print(f"tokens per second: {recorded_value(rate)} (median of {len(report.speeds)}: {runs}){how}")
        if memory is not None:
            print(f"memory: peak {memory['peakMiB']} MiB over {memory['samples']} samples; suggested "
                  f"memoryRequirements: {memory['suggestedMiB']} MiB")
        print(f"{len(report.results) - len(failed)} of {len(report.results)} calls passed" +
              (f"; failed: {', '.join(r.name for r in failed)}" if failed else ""))
    if args.write:
        write_rate(args, report, rate, say)
    return 0 if report.passed else 1


def write_rate(args, report, rate, say) -> None:
    import contextlib
    from argparse import Namespace
    from pathlib import Path

    from wizard.cli.edit import save_without_wizard
    from wizard.publish.folders import folder_manifest
    from wizard.settings import build_settings
    from wizard.testing.speed import recorded_value

    if not report.passed or rate is None:
        say(f"nothing was written to {args.write}: " + ("a call failed" if not report.passed else "nothing streamed"))
        return
    folder = Path(args.write).resolve()
    settings = build_settings({"offline": True})  # the index is not needed to change one number
    options = Namespace(platform="linux/amd64", exact=False, dry_run=False)
    with contextlib.redirect_stdout(sys.stderr if args.json else sys.stdout):
        save_without_wizard(folder, folder_manifest(folder), {"tokens_per_second": recorded_value(rate)},
                            settings, options, quiet=True)
