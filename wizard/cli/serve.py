"""prem-new-service serve: the wizard in a browser (textual-serve), for rooms where not everyone has a good terminal.

The server listens on loopback unless ``--allow-remote`` is given. Each browser tab starts its own wizard
process: textual-serve runs ``python -m wizard serve --session ...`` with Textual's web driver (stdin and stdout
are pipes, not a terminal), which builds the settings from the same flags, environment and config file.

Differences from the terminal wizard, because many people share one server:

* every session keeps its draft in its own file (``DATA_DIR/served-drafts/``), and no session is offered
  another's draft;
* the server's own GitHub token is never used: ``GH_TOKEN``/``GITHUB_TOKEN`` are dropped and each participant
  pastes a token on the Publish step (or writes the folder and opens the pull request themselves).
"""

from __future__ import annotations

import argparse

TOKEN_VARIABLES = ("GH_TOKEN", "GITHUB_TOKEN")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--public-url", metavar="URL", help="the URL browsers use, when behind a proxy or a tunnel")
    parser.add_argument(
        "--allow-remote", action="store_true",
        help="listen on a non-loopback address: anyone who can reach it can run the wizard on this machine",
    )
    parser.add_argument("--offline", action="store_true", default=None, help="no network: sizes typed, cached index")
    parser.add_argument("--index", dest="index_url", metavar="URL|FILE", help="the upstream manifests.json")
    parser.add_argument("--out", metavar="DIR", help="default folder to write service folders into (on this machine)")
    parser.add_argument("--session", action="store_true", help=argparse.SUPPRESS)  # one browser tab's wizard


def is_loopback(host: str) -> bool:
    from wizard.addresses import is_loopback as loopback

    return loopback(host)


def session_command(args: argparse.Namespace) -> list[str]:
    """The command textual-serve runs for each browser tab: this interpreter, the same settings flags."""
    import sys

    command = [sys.executable, "-m", "wizard", "serve", "--session"]
    if args.offline:
        command.append("--offline")
    if args.index_url:
        command += ["--index", args.index_url]
    if args.out:
        command += ["--out", args.out]
    return command


def settings_flags(args: argparse.Namespace) -> dict[str, object]:
    return {"offline": args.offline, "index_url": args.index_url, "out": args.out}


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def _netloc(scheme: str, host: str, port: int | None) -> str:
    host = host.lower().rstrip(".")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port or (443 if scheme in ('https', 'wss') else 80)}"


def served_places(host: str, port: int, public_url: str | None) -> tuple[set[str], set[str]]:
    """The Host headers (host:port) and the Origins (scheme://host:port) a browser of this server sends:
    the address served, its loopback names when it is loopback or every address, and ``--public-url``."""
    from urllib.parse import urlsplit

    names = {host} | (set(LOOPBACK_NAMES) if is_loopback(host) or host in ("0.0.0.0", "::", "[::]") else set())
    hosts = {_netloc("http", name, port) for name in names}
    origins = {f"http://{place}" for place in hosts}
    if public_url:
        parts = urlsplit(public_url)
        place = _netloc(parts.scheme, parts.hostname or "", parts.port)
        hosts.add(place)
        origins.add(f"{parts.scheme}://{place}")
    return hosts, origins


def foreign_request(host_header: str | None, origin_header: str | None, hosts: set[str], origins: set[str],
                    *, secure: bool = False) -> str | None:
    """Why a request is refused, or None. A Host that is not this server's is DNS rebinding (a page on another
    site resolving its own name to this machine); an Origin that is not this server's is a page of another site
    opening the WebSocket (cross-site WebSocket hijacking). Browsers send Origin with every WebSocket handshake;
    a client without one is no browser page."""
    from urllib.parse import urlsplit

    scheme = "https" if secure else "http"
    try:
        asked = urlsplit(f"{scheme}://{host_header or ''}")
        place = _netloc(scheme, asked.hostname or "", asked.port)
    except ValueError:
        return "the request's Host is not an address"
    if not host_header or place not in hosts:
        return "the request's Host is not this server's address"
    if origin_header is None:
        return None
    try:
        parts = urlsplit(origin_header)
        origin = f"{parts.scheme}://{_netloc(parts.scheme, parts.hostname or '', parts.port)}"
    except ValueError:
        return "the request's Origin is not an address"
    return None if origin in origins else "the request comes from a page of another site"


def local_server():
    """textual-serve's Server, its page stripped of the one thing it loads from elsewhere (a Google font), and
    every request from another site or for another host name refused.

    A room's network may have no internet; the page then loads only from this server.
    """
    import re

    import aiohttp_jinja2
    import jinja2
    from aiohttp import web
    from textual_serve.server import Server

    class LocalServer(Server):
        async def _make_app(self):
            app = await super()._make_app()
            page = (self.templates_path / "app_index.html").read_text(encoding="utf-8")
            page = re.sub(r'<link\s+rel="stylesheet"\s+href="https://fonts\.googleapis\.com[^>]*>', "", page)
            aiohttp_jinja2.setup(app, loader=jinja2.DictLoader({"app_index.html": page}))
            hosts, origins = served_places(self.host, self.port, self.public_url)

            @web.middleware
            async def same_site_only(request, handler):
                why = foreign_request(request.headers.get("Host"), request.headers.get("Origin"), hosts, origins,
                                      secure=request.secure)
                if why:
                    return web.Response(status=403, text=f"Refused: {why}. Open {self.public_url} instead.\n")
                return await handler(request)

            app.middlewares.append(same_site_only)
            return app

    return LocalServer


def run(args: argparse.Namespace) -> int:
    if args.session:
        return run_session(args)
    import os
    import shlex
    import sys

    from wizard.errors import WizardError
    from wizard.settings import build_settings

    build_settings(settings_flags(args))  # a broken config file or flag fails here, not in every browser tab
    if not is_loopback(args.host):
        if args.host in ("0.0.0.0", "::", "[::]") and not args.public_url:
            raise WizardError(
                f"--host {args.host} listens on every address, so browsers need to be told which one to use",
                hint=f"add --public-url http://THIS-MACHINE:{args.port} (its name or address on the room's network)",
            )
        if not args.allow_remote:
            raise WizardError(
                f"--host {args.host} is not a loopback address: anyone on the network could use the wizard",
                hint="add --allow-remote if that is what you want, or keep the default --host 127.0.0.1",
            )
        print(
            f"prem-new-service: warning: serving on {args.host}: anyone who can reach this machine can run the "
            "wizard here, read files it can read and write service folders as you. There is no login.",
            file=sys.stderr,
        )
    for name in TOKEN_VARIABLES:  # participants publish with their own token, never the organiser's
        os.environ.pop(name, None)
    server = local_server()(
        shlex.join(session_command(args)), host=args.host, port=args.port,
        title="prem-new-service", public_url=args.public_url,
    )
    url = server.public_url
    print(f"Open {url} in a browser (Ctrl+C stops the server).", flush=True)
    server.serve()
    return 0


def run_session(args: argparse.Namespace) -> int:
    """One browser tab's wizard: Textual's web driver talks to textual-serve over stdin and stdout."""
    import dataclasses
    import os
    import time

    from wizard.errors import NoToken
    from wizard.settings import build_settings, data_dir
    from wizard.tui.app import WizardApp
    from wizard.tui.services import default_services

    settings = build_settings(settings_flags(args))

    def participant_token():
        raise NoToken(
            "in workshop mode the server's GitHub login is not used",
            hint="paste your own token (github.com/settings/tokens, scope public_repo), "
            "or write the folder and open the pull request yourself",
        )

    services = dataclasses.replace(default_services(settings), resolve_token=participant_token)
    draft_file = data_dir() / "served-drafts" / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.json"
    app = WizardApp(settings, services=services, offer_resume=False, saved_at_source=draft_file, in_browser=True)
    app.run()
    return app.return_code or 0
