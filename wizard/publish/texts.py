"""The pull request's body: a summary of each service (what changed, for one the upstream holds), the
registry's checklist, and a cap below GitHub's 65,536 characters, the rest in a collapsed list."""

from __future__ import annotations

from collections.abc import Sequence

from wizard.publish.plan import BODY_LIMIT, ServiceFolder, counted
from wizard.units import human_bytes

CHECKLIST = """\
## Checklist
- [ ] The image was tested with the Prem interface it declares (Prem Daemon run with this registry, see \
https://github.com/premAI-io/prem-daemon#custom-registry)
- [ ] `logo.svg` is a 256x256 SVG
- [ ] `README.md` is complete: what the service does, how to use it, tips and tricks, license
"""


def _memory(mib: int | None) -> str:
    return "not stated" if mib is None else f"{mib / 1024:.1f} GiB ({mib} MiB)"


def service_summary(service: ServiceFolder) -> str:
    manifest = service.manifest
    lines = [f"### {manifest.name} (`{service.name}`)"]
    if not service.is_new:
        lines.append("- Changes:" if service.changes else "- Changes: none in manifest.json")
        lines += [f"  - {change}" for change in service.changes]
        sent = sorted(service.sent) if service.sent is not None else sorted(service.files)
        kept = sorted(set(service.files) - set(sent))
        lines.append(f"- Files sent: {', '.join(sent) or 'none'}" + (f" ({', '.join(kept)} as upstream)" if kept else ""))
    lines.append(f"- Interfaces: {', '.join(manifest.interfaces)}")
    images = manifest.docker_images or {}
    if images:
        lines.append("- Images:")
        lines += [f"  - {device.upper()}: `{image.image}` ({human_bytes(image.size)})" for device, image in images.items()]
    else:
        lines.append("- Images: none (a binary service)")
    lines.append(f"- Memory: {_memory(manifest.model_info.memory_requirements)}")
    inside = manifest.default_port if manifest.default_port is not None else "not set"
    lines.append(f"- Ports: {inside} in the container, {manifest.default_external_port} on the host")
    return "\n".join(lines)


def _what_it_does(services: Sequence[ServiceFolder]) -> str:
    if len(services) == 1:
        service = services[0]
        if service.is_new:
            return f"This pull request adds `{service.name}/` to the registry."
        what = ", ".join(map(str, service.changes)) or "its files"
        return f"This pull request updates `{service.name}/` ({service.manifest.name}): {what}."
    if len(services) <= 10:
        new = [f"`{s.name}/`" for s in services if s.is_new]
        old = [f"`{s.name}/`" for s in services if not s.is_new]
        parts = ([f"adds {', '.join(new)}"] if new else []) + ([f"updates {', '.join(old)}"] if old else [])
        return f"This pull request {' and '.join(parts)}."
    return f"This pull request {counted(services)[0].lower()}{counted(services)[1:]}."


def pull_request_body(services: Sequence[ServiceFolder], *, limit: int = BODY_LIMIT) -> str:
    """The body, at most ``limit`` characters: a summary per service while they fit, then the rest as a
    collapsed list of folders (and, should even that not fit, a count)."""
    head = f"{_what_it_does(services)}\n\n## Services\n\n"
    tail = (f"\n\n{CHECKLIST}\nprem-new-service checked each manifest, the logo's size and that each README is not "
            "empty before opening this pull request; the boxes above are for the author to tick.\n")
    room = limit - len(head) - len(tail) - 200  # the collapsed list's own lines
    summaries: list[str] = []
    for service in services:
        summary = service_summary(service)
        if len(summary) + 2 > room:
            break
        summaries.append(summary)
        room -= len(summary) + 2
    rest = services[len(summaries):]
    if rest:
        listed = []
        for number, service in enumerate(rest):
            line = f"- `{service.name}/` ({service.manifest.name})"
            if len(line) + 1 > room:
                listed.append(f"- and {len(rest) - number} more")
                break
            listed.append(line)
            room -= len(line) + 1
        summaries.append(f"<details><summary>{len(rest)} more services (summaries left out to keep this under "
                         f"GitHub's size limit)</summary>\n\n" + "\n".join(listed) + "\n\n</details>")
    return head + "\n\n".join(summaries) + tail
