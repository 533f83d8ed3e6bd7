"""GitHub's OAuth device flow, as served at the web root (``/login/device/code``, ``/login/oauth/access_token``).

Polls answer from ``DeviceFlow.script`` (authorization_pending, slow_down, access_denied, expired_token,
approve); a client that polls faster than it was told gets slow_down and five more seconds, as on GitHub.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode


@dataclass
class DeviceFlow:
    client_ids: set[str] = field(default_factory=set)
    script: list[str] = field(default_factory=list)  # per poll: authorization_pending, slow_down, access_denied...
    login: str = ""
    scopes: tuple[str, ...] = ("public_repo",)
    interval: int = 5
    expires_in: int = 900
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)


class DeviceFlowEndpoints:
    """Mixed into GitHubEmulator: needs ``device``, ``url``, ``clock`` and ``add_user``."""

    def _login(self, path: str, headers: Mapping[str, str], raw: bytes) -> tuple[int, dict[str, str], bytes]:
        form = dict(parse_qsl(raw.decode())) if raw else {}
        if headers.get("content-type", "").startswith("application/json"):
            form = json.loads(raw or b"{}")
        flow = self.device
        if form.get("client_id") not in flow.client_ids:
            answer = {"error": "incorrect_client_credentials",
                      "error_description": "The client_id and/or client_secret passed are incorrect."}
        elif path == "/login/device/code":
            code = secrets.token_hex(20)
            flow.codes[code] = {"issued": self.clock(), "last_poll": self.clock(), "interval": flow.interval}
            answer = {"device_code": code, "user_code": "WDJB-MJHT", "verification_uri": f"{self.url}/login/device",
                      "expires_in": flow.expires_in, "interval": flow.interval}
        elif path == "/login/oauth/access_token":
            answer = self._poll(form)
        else:
            return 404, {"content-type": "text/html"}, b"Not Found"
        if "application/json" in headers.get("accept", ""):
            return 200, {"content-type": "application/json; charset=utf-8"}, json.dumps(answer).encode()
        return 200, {"content-type": "application/x-www-form-urlencoded"}, urlencode(answer).encode()

    def _poll(self, form: Mapping[str, str]) -> dict[str, Any]:
        flow = self.device
        state = flow.codes.get(form.get("device_code", ""))
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code":
            return {"error": "unsupported_grant_type", "error_description": "The grant type must be device_code."}
        if state is None:
            return {"error": "incorrect_device_code", "error_description": "The device_code provided is not valid."}
        now = self.clock()
        if now - state["issued"] > flow.expires_in:
            return {"error": "expired_token", "error_description": "The device_code has expired."}
        too_soon = now - state["last_poll"] < state["interval"]
        state["last_poll"] = now
        if too_soon:  # GitHub adds five seconds each time a client polls faster than it was told
            state["interval"] += 5
            return {"error": "slow_down", "error_description": "Too many requests.", "interval": state["interval"]}
        step = flow.script.pop(0) if flow.script else "approve"
        if step == "slow_down":
            state["interval"] += 5
            return {"error": "slow_down", "error_description": "Too many requests.", "interval": state["interval"]}
        if step != "approve":
            return {"error": step, "error_description": step.replace("_", " ")}
        value = self.add_user(flow.login, scopes=flow.scopes, token="gho_" + secrets.token_hex(18))
        return {"access_token": value, "token_type": "bearer", "scope": ",".join(flow.scopes)}
