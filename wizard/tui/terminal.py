"""Where the app draws: the terminal the person looks at, even when stderr is redirected.

Textual draws on stderr, so `prem-new-service 2>log` showed a blank terminal and wrote the screen into the
log. When stderr is not a terminal but stdout is (``has_terminal`` requires stdout to be one), the app draws
on stdout instead. A driver chosen through TEXTUAL_DRIVER (textual-serve's, for `serve`) is left alone.
"""

from __future__ import annotations

import os
import sys


def driver_for_this_terminal():
    """A driver class drawing on stdout, or None where Textual's own choice is right."""
    if os.name != "posix" or os.environ.get("TEXTUAL_DRIVER") or sys.__stderr__ is None:
        return None
    if sys.__stderr__.isatty() or sys.__stdout__ is None or not sys.__stdout__.isatty():
        return None
    from textual.drivers.linux_driver import LinuxDriver

    class StdoutDriver(LinuxDriver):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._file = sys.__stdout__

    return StdoutDriver
