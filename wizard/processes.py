"""Whether a process named in a file we left behind (a batch journal, a draft's temporary file) still runs."""

from __future__ import annotations

import os


def process_running(pid: object) -> bool:
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid < 2**31:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True
