"""prem-new-service try FOLDER...: serve the index the Prem Daemon would load with these folders in the registry.

The index is upstream's (``--index``, or its cached copy) with each folder merged in as the registry's generator
builds it, and the folders' pictures served beside it. stdout gets the ``PREM_REGISTRY_URL`` value and the
``docker run`` lines for the daemon; stderr says each request and each reload. A change to a file in a folder
rebuilds the index (one that no longer reads keeps the last good index served, and says why). Ctrl+C stops it.

``--write-index FILE`` writes the index instead of serving it; its picture URLs then start with ``--base-url``.
"""

from __future__ import annotations

import argparse

DEFAULT_PORT = 54320  # beside the daemon's 54321; fixed, so a daemon's PREM_REGISTRY_URL outlives a restart
POLL_SECONDS = 0.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from wizard.cli.common import add_options

    parser.add_argument("folders", nargs="+", metavar="FOLDER", help="service folders to put in the index")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to serve on (default 127.0.0.1; 0.0.0.0 for a daemon without host networking)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to serve on (default {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--public-url", metavar="URL",
                        help="the URL the daemon and the browser reach this server at (a tunnel, another machine)")
    parser.add_argument("--replace-upstream", action="store_true",
                        help="a folder whose id upstream has takes upstream's place (to try an edit); by default "
                        "upstream's entry stays, as the daemon keeps the first service of an id")
    parser.add_argument("--write-index", metavar="FILE", help="write the index to FILE and stop (nothing is served)")
    parser.add_argument("--base-url", metavar="URL",
                        help="with --write-index: where the folders will be served; picture URLs start with it")
    options = parser.add_argument_group("options")
    add_options(options, "index", "offline")


def checked(local):
    """The folders' services, refused when one would break the daemon: its list would fail for every service."""
    from wizard.errors import InvalidInput
    from wizard.registry.daemon import daemon_breaks

    problems: list[str] = []
    seen: dict[str, str] = {}
    for service in local:
        problems += [f"{service.folder}: {b.message}" for b in daemon_breaks(service.entry)]
        if service.id in seen:
            problems.append(f"{service.folder}: id {service.id!r} is also {seen[service.id]}'s; the daemon would "
                            "list only one of them")
        seen[service.id] = service.folder
    if problems:
        raise InvalidInput(problems, hint="a manifest the daemon cannot read hides every service from the Prem App; "
                           "fix it (prem-new-service validate FOLDER says more), then run try again")
    return local


def build(folders, upstream, base_url: str, replace_upstream: bool):
    """The merged index and what is served, from the folders as they are now."""
    from wizard.testing.index_server import Served
    from wizard.testing.local_index import merged_index, picture_url, read_local_service

    local = checked([read_local_service(folder, base_url) for folder in folders])
    merged = merged_index(upstream, local, replace_upstream=replace_upstream)
    pictures = {picture_url("", s.folder, name): data for s in local for name, data in s.pictures.items()}
    return merged, Served(merged.document(), pictures)


def summary(merged, upstream_count: int) -> str:
    yours = len(merged.added) + len(merged.replaced)
    count = len(merged.entries)
    text = f"{count} service{'s' * (count != 1)} ({upstream_count} upstream, {yours} yours"
    if merged.replaced:
        text += f", {len(merged.replaced)} in upstream's place"
    return text + ")"


def _say_shadowed(merged) -> None:
    from wizard.cli.common import say

    for service_id in merged.shadowed:
        say(f"warning: upstream has a service with id {service_id!r}, so the daemon lists upstream's and not your "
            "folder; give your service another id, or run with --replace-upstream to try an edit of it")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wizard.cli.common import say
    from wizard.registry.upstream import settings_index
    from wizard.settings import build_settings

    settings = build_settings({"offline": args.offline, "index_url": args.index})
    folders = [Path(p).resolve() for p in args.folders]
    build(folders, [], "http://check", args.replace_upstream)  # a folder that cannot be tried stops here
    index = settings_index(settings, report=say)
    upstream = list(index.entries) if index is not None else []
    if args.write_index:
        return write_index(args, folders, upstream)
    return serve(args, folders, upstream)


def write_index(args, folders, upstream) -> int:
    from pathlib import Path

    from wizard import ledger
    from wizard.atomic import write_atomically
    from wizard.cli.common import say
    from wizard.testing.daemon_line import daemon_advice

    base = args.base_url or args.public_url or daemon_advice(args.host, args.port).pictures_url
    merged, served = build(folders, upstream, base, args.replace_upstream)
    _say_shadowed(merged)
    target = write_atomically(Path(args.write_index), served.index, prefix="index")
    ledger.made(f"the index {target}")
    say(f"wrote {target}: {summary(merged, len(upstream))}; pictures at {base.rstrip('/')}/FOLDER/logo.svg")
    return 0


def serve(args, folders, upstream) -> int:
    import time

    from wizard.cli.common import say
    from wizard.errors import WizardError
    from wizard.testing.daemon_line import daemon_advice
    from wizard.testing.index_server import IndexServer, Served
    from wizard.testing.local_index import changed_files, files_state

    def said(client: str, path: str, status: int) -> None:
        what = "the index" if path in ("/", "/manifests.json") else path
        say(f"[try] {client} read {what} ({status})")

    state = files_state(folders)
    try:
        server = IndexServer(args.host, args.port, Served(b"[]\n"), on_request=said)
    except OSError as error:
        raise WizardError(f"cannot serve on {args.host}:{args.port}: {error.strerror}",
                          hint="give another port with --port (0 picks a free one), or stop what uses it") from None
    advice = daemon_advice(args.host, server.port, args.public_url)
    try:
        merged, served = build(folders, upstream, advice.pictures_url, args.replace_upstream)
    except BaseException:
        server.stop()
        raise
    server.swap(served)
    server.start()
    if advice.warning:
        say(f"warning: {advice.warning}")
    _say_shadowed(merged)
    say(f"serving {summary(merged, len(upstream))} at {advice.pictures_url}/manifests.json; a change to a file in "
        "the folders reloads it; Ctrl+C stops")
    print("\n".join(advice.lines()), flush=True)
    import signal

    def stop_as_ctrl_c(number, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_as_ctrl_c)  # `kill` and a closing terminal stop it as cleanly as Ctrl+C
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = files_state(folders)
            if now == state:
                continue
            changed, state = changed_files(state, now), now
            try:
                merged, served = build(folders, upstream, advice.pictures_url, args.replace_upstream)
            except WizardError as error:
                say(f"[try] {', '.join(changed)} changed, but {error.message}; the last good index is still served")
                continue
            server.swap(served)
            say(f"[try] reloaded ({', '.join(changed)} changed): {summary(merged, len(upstream))}")
    except KeyboardInterrupt:
        server.stop()
        count = len(server.requests)
        say(f"[try] stopped after {count} request{'s' * (count != 1)}")
        return 0
