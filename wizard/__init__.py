"""prem-new-service: add a service to the Prem registry."""

import sys

__version__ = "0.1.0"

# httpx imports its own command-line client whenever click and rich are installed (textual brings both), which
# costs ~100 ms of every start; the tool never runs it, and httpx falls back to a stub when it cannot import.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
