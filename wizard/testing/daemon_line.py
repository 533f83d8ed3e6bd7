"""What the contributor types to point the Prem Daemon at the local index: pure text from where it is served.

The daemon runs as a container, so the index must be reachable from inside one. A server on loopback is reached
with ``--network host`` (Linux) or at ``host.docker.internal`` (Docker Desktop forwards it to the host's
loopback). A server on every address (``--host 0.0.0.0``) is reached at ``host.docker.internal``, which Linux
resolves only with ``--add-host=host.docker.internal:host-gateway``. The icons are loaded by the Prem App's
browser, on this machine, so their URLs keep this machine's view of the server.
"""

from __future__ import annotations

import ipaddress
import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

from wizard.addresses import is_loopback

DAEMON_IMAGE = "ghcr.io/premai-io/premd"
DAEMON_PORT = 54321  # the daemon's README publishes its API there
SOCKET_MOUNT = "/var/run/docker.sock:/var/run/docker.sock"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def every_address(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


@dataclass(frozen=True)
class DaemonAdvice:
    index_url: str  # PREM_REGISTRY_URL for the daemon's container
    pictures_url: str  # the base the icon URLs use (this machine's view)
    runs: tuple[tuple[str, str], ...]  # (when, the docker run line)
    warning: str | None
    reload_lines: tuple[str, ...]
    reload_note: str = ""  # which address the daemon's API has, where that depends on how it was run

    def lines(self) -> list[str]:
        out = [f"PREM_REGISTRY_URL={self.index_url}", ""]
        for when, line in self.runs:
            out += [f"{when}:", f"  {line}"]
        out += ["", ("A daemon that is already running reads an index only when it starts and when it is added, "
                     f"so after a change run{self.reload_note}:"), *(f"  {line}" for line in self.reload_lines)]
        return out


def docker_run(index_url: str, *, network_host: bool = False, add_host: bool = False) -> str:
    parts = ["docker", "run", "-d", "--rm", "--name", "premd", "-v", SOCKET_MOUNT]
    parts += ["--network", "host"] if network_host else ["-p", f"{DAEMON_PORT}:8000"]
    if add_host:
        parts.append("--add-host=host.docker.internal:host-gateway")
    parts += ["-e", f"PREM_REGISTRY_URL={index_url}", DAEMON_IMAGE]
    return shlex.join(parts)


def reload_lines(index_url: str, daemon_api: str) -> tuple[str, str]:
    quoted = shlex.quote(index_url)
    return (f"curl -X DELETE -G {daemon_api}/v1/registries/ --data-urlencode url={quoted}",
            (f"curl -X POST {daemon_api}/v1/registries/ -H 'Content-Type: application/json' "
             f"-d '{{\"url\": \"{index_url}\"}}'"))


def daemon_advice(host: str, port: int, public_url: str | None = None) -> DaemonAdvice:
    """The daemon's PREM_REGISTRY_URL and docker run lines for a server bound to ``host:port``."""
    if public_url:
        base = public_url.rstrip("/")
        index_url = f"{base}/manifests.json"
        runs = (("Run the Prem Daemon on this index", docker_run(index_url)),)
        warning = None if urlsplit(base).hostname and is_loopback(urlsplit(base).hostname or "") else (
            f"the index is offered at {base}: anyone who reaches that address can read it")
        return DaemonAdvice(index_url, base, runs, warning, reload_lines(index_url, f"http://localhost:{DAEMON_PORT}"))
    if is_loopback(host):
        here = f"http://{_url_host(host if host != 'localhost' else '127.0.0.1')}:{port}"
        index_url = f"{here}/manifests.json"
        desktop = f"http://host.docker.internal:{port}/manifests.json"
        runs = (("Linux: run the Prem Daemon on this machine's network (its API is then http://localhost:8000)",
                 docker_run(index_url, network_host=True)),
                ("Docker Desktop (macOS, Windows), where host.docker.internal is this machine",
                 docker_run(desktop)),
                (("Linux without host networking: serve on every address with --host 0.0.0.0, then use "
                  "host.docker.internal"), docker_run(desktop, add_host=True)))
        return DaemonAdvice(index_url, here, runs, None, reload_lines(index_url, "http://localhost:8000"),
                            f" (with -p {DAEMON_PORT}:8000, the daemon is http://localhost:{DAEMON_PORT})")
    warning = (f"the index is served on {host}, not on loopback: every machine that reaches this one on port "
               f"{port} can read it (use it on a network you trust, and stop it when you are done)")
    if every_address(host):
        here = f"http://127.0.0.1:{port}"
        index_url = f"http://host.docker.internal:{port}/manifests.json"
        runs = (("Run the Prem Daemon; --add-host makes host.docker.internal this machine on Linux too",
                 docker_run(index_url, add_host=True)),)
    else:
        here = f"http://{_url_host(host)}:{port}"
        index_url = f"{here}/manifests.json"
        runs = (("Run the Prem Daemon on this index", docker_run(index_url)),)
    return DaemonAdvice(index_url, here, runs, warning, reload_lines(index_url, f"http://localhost:{DAEMON_PORT}"))
