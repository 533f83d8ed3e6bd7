"""prem-new-service validate PATH...: check service folders or whole registry checkouts.

Output, one line per finding: ``path[:line]: error|warning: message``. ``--json`` prints
``{"ok": bool, "errors": N, "warnings": N, "findings": [{"path", "line", "severity", "message"}]}``.
``--format github`` prints GitHub Actions annotations. Exit 0 without errors, 1 with.
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


def github_annotation(finding) -> str:
    def escape(text: str, *, prop: bool = False) -> str:
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if prop else text

    line = f",line={finding.line}" if finding.line else ""
    return f"::{finding.severity} file={escape(finding.path, prop=True)}{line}::{escape(finding.message)}"


def run(args: argparse.Namespace) -> int:
    import json
    import sys
    from pathlib import Path

    from wizard.registry.checks import has_errors, validate_paths

    findings = validate_paths([Path(p) for p in args.paths])
    shown = [f for f in findings if f.severity == "error"] if args.quiet else findings
    fmt = "json" if args.json else (args.format or "text")
    errors = sum(f.severity == "error" for f in findings)
    if fmt == "json":
        print(json.dumps({"ok": not errors, "errors": errors, "warnings": len(findings) - errors,
                          "findings": [f.as_dict() for f in shown]}, indent=2, ensure_ascii=False))
    else:
        for finding in shown:
            print(github_annotation(finding) if fmt == "github" else str(finding))
        print(f"{errors} error(s), {len(findings) - errors} warning(s)", file=sys.stderr)
    return 1 if has_errors(findings) else 0
