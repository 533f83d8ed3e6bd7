"""Whether a host name or address is this machine: plain HTTP is fine there, and nowhere else."""

from __future__ import annotations

import ipaddress


def is_loopback(name: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1 (with or without brackets); a host with a port is not handled here."""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False
