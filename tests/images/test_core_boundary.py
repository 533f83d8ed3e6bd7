"""The images core loads no UI library."""

from __future__ import annotations

import subprocess
import sys


def test_images_imports_no_ui() -> None:
    probe = (
        "import sys, wizard.images, wizard.images.lookup, wizard.cli.size; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'questionary') or m == 'wizard.tui'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
