"""prem-new-service validate PATH...: check service folders or whole registry checkouts.

Output, one line per finding: ``path[:line]: error|warning: message``. ``--json`` prints
``{"ok": bool, "errors": N, "warnings": N, "findings": [{"path", "line", "severity", "message"}]}``, plus
``"changed": [folder, ...]`` with ``--changed-from`` or ``--baseline``. ``--format github`` prints GitHub
Actions annotations. Exit 0 without errors, 1 with, 2 when the changes cannot be worked out.

``--changed-from REF`` (PATH a git checkout) judges only the folders changed between REF and the working tree;
``--baseline PATH`` compares with another checkout or copy. Either way an error the folder already had there is
an "already upstream" warning, so only what the change brings can fail it.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a service folder, a manifest.json, or a registry checkout")
    parser.add_argument("--json", action="store_true", help="print findings as JSON")
    parser.add_argument(
        "--format", choices=("text", "json", "github"), default=None, help="text (default), json, or github annotations"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    parser.add_argument("--changed-from", metavar="REF", default=None,
                        help="judge only the service folders changed since this git ref (PATH: a git checkout), "
                        "e.g. origin/dev; what was wrong there already is a warning")
    parser.add_argument("--baseline", metavar="PATH", default=None,
                        help="compare with this checkout or copy: its errors are warnings here (without "
                        "--changed-from, the folders whose files differ from it are judged)")


def github_annotation(finding) -> str:
    def escape(text: str, *, prop: bool = False) -> str:
        from wizard.terminal_text import printable

        text = printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    line = f",line={finding.line}" if finding.line else ""
    return f"::{finding.severity} file={escape(finding.path, prop=True)}{line}::{escape(finding.message)}"


def _changed_findings(args: argparse.Namespace):
    from pathlib import Path

    from wizard.errors import InvalidInput
    from wizard.registry.changes import validate_changes

    if len(args.paths) != 1:
        raise InvalidInput([f"--changed-from and --baseline take one PATH, the checkout; {len(args.paths)} were given"])
    baseline = Path(args.baseline) if args.baseline else None
    return validate_changes(Path(args.paths[0]), ref=args.changed_from, baseline=baseline)


def run(args: argparse.Namespace) -> int:
    import json
    import sys
    from pathlib import Path

    from wizard.registry.checks import has_errors, validate_paths

    changes = None
    if args.changed_from or args.baseline:
        findings, changes = _changed_findings(args)
    else:
        findings = validate_paths([Path(p) for p in args.paths])
    shown = [f for f in findings if f.severity == "error"] if args.quiet else findings
    fmt = "json" if args.json else (args.format or "text")
    errors = sum(f.severity == "error" for f in findings)
    if fmt == "json":
        summary = {"ok": not errors, "errors": errors, "warnings": len(findings) - errors,
                   "findings": [f.as_dict() for f in shown]}
        print(json.dumps(summary | ({"changed": changes.folders} if changes else {}), indent=2, ensure_ascii=False))
    else:
        for finding in shown:
            print(github_annotation(finding) if fmt == "github" else str(finding))
    if changes is not None:
        since = f"since {args.changed_from}" if args.changed_from else f"from {args.baseline}"
        judged = ", ".join(repr(name) if name != name.strip() else name for name in changes.folders)
        print(f"changed {since}: {judged or 'no service folder'}", file=sys.stderr)
        if changes.untracked:
            print(f"not judged, as git does not track them yet (git add them): {', '.join(changes.untracked)}",
                  file=sys.stderr)
    if fmt != "json":
        print(f"{errors} error(s), {len(findings) - errors} warning(s)", file=sys.stderr)
    return 1 if has_errors(findings) else 0
