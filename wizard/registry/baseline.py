"""The baseline: what is already wrong upstream, so that only what a change introduces can stop it.

A finding is judged against the findings of the same service folder as it stands upstream (at the base
branch, or as it was before an edit or a bump). An error that was already there becomes a warning saying
so: it breaks nothing new, and the contributor who edits one field of a real service must not be asked
to fix the whole folder first. Findings are matched by folder name, file and message, never by line,
since an edit moves lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import PurePosixPath

from wizard.registry.checks import Finding

ALREADY = "already upstream"


def finding_key(finding: Finding, root: str) -> tuple[str, str, str]:
    """(folder, file, message) of a finding; ``root`` is the folder holding the service folders (a checkout,
    or the parent of the folders checked), so the first part of the path below it is the service folder."""
    path = PurePosixPath(finding.path.replace("\\", "/"))
    try:
        path = path.relative_to(PurePosixPath(root.replace("\\", "/")))
    except ValueError:
        pass
    parts = path.parts
    return (parts[0] if parts else ""), "/".join(parts[1:]), finding.message


def judge(findings: Iterable[Finding], baseline: Iterable[Finding], *, root: str, baseline_root: str,
          renamed: Mapping[str, str] | None = None) -> list[Finding]:
    """``findings`` with every error the baseline already had turned into an "already upstream" warning.

    ``renamed`` maps a folder's current name to its name in the baseline (an edit that renamed it).
    """
    before = {finding_key(f, baseline_root) for f in baseline if f.severity == "error"}
    renamed = dict(renamed or {})
    judged = []
    for finding in findings:
        folder, name, message = finding_key(finding, root)
        if finding.severity == "error" and (renamed.get(folder, folder), name, message) in before:
            finding = replace(finding, severity="warning", message=f"{message} ({ALREADY})")
        judged.append(finding)
    return judged
