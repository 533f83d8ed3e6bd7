"""Settings: flags beat environment, which beats the config file, which beats defaults.

Precedence is data (a ``ChainMap``), built once in the CLI and passed down frozen.
The config file is TOML in the user config dir, so a workshop organiser can point a room at a sandbox::

    upstream = "acme/prem-registry-sandbox"
    base = "dev"
    api_url = "https://github.example.com/api/v3"
    index_url = "https://raw.githubusercontent.com/acme/prem-registry-sandbox/dev/manifests.json"
    out = "~/prem-services"
    insecure_registries = ["registry.lab:5000"]
"""

from __future__ import annotations

import os
import tomllib
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from wizard.errors import WizardError

APP_NAME = "prem-new-service"
DEFAULT_UPSTREAM = "premAI-io/prem-registry"
DEFAULT_BASE = "dev"
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/premAI-io/prem-registry/dev/manifests.json"

ENV_PREFIX = "PREM_NEW_SERVICE_"


@dataclass(frozen=True)
class Settings:
    upstream: str = DEFAULT_UPSTREAM
    base: str = DEFAULT_BASE
    api_url: str = DEFAULT_API_URL
    index_url: str = DEFAULT_INDEX_URL
    out: str = "."
    offline: bool = False
    insecure_registries: tuple[str, ...] = ()
    size_kind: str = "unpacked"  # which image size manifests get: "unpacked" (what the daemon needs) or "download"
    oauth_client_id: str = ""
    config_path: str = ""
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def upstream_owner(self) -> str:
        return self.upstream.split("/", 1)[0]

    @property
    def upstream_repo(self) -> str:
        return self.upstream.split("/", 1)[1]


SETTING_NAMES = tuple(f.name for f in fields(Settings) if f.name not in ("config_path", "sources"))


def config_dir() -> Path:
    override = os.environ.get("PREM_NEW_SERVICE_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME))


def cache_dir() -> Path:
    override = os.environ.get("PREM_NEW_SERVICE_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME))


def data_dir() -> Path:
    override = os.environ.get("PREM_NEW_SERVICE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME))


def config_file() -> Path:
    return config_dir() / "config.toml"


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise WizardError(f"{path}: {exc}", hint="fix the config file or remove it") from None
    unknown = sorted(set(data) - set(SETTING_NAMES))
    if unknown:
        raise WizardError(
            f"{path}: unknown setting(s) {', '.join(unknown)}",
            hint=f"known settings: {', '.join(SETTING_NAMES)}",
        )
    return data


def settings_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in SETTING_NAMES:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None:
            continue
        if name == "offline":
            found[name] = raw.strip().lower() in ("1", "true", "yes", "on")
        elif name == "insecure_registries":
            found[name] = [part.strip() for part in raw.split(",") if part.strip()]
        else:
            found[name] = raw
    return found


def build_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Settings:
    """Flags (None means "not given") > environment > config file > defaults."""
    environ = os.environ if environ is None else environ
    path = config_file() if path is None else path
    layers = {
        "flag": {k: v for k, v in (flags or {}).items() if v is not None and k in SETTING_NAMES},
        "environment": settings_from_env(environ),
        "config file": read_config_file(path),
    }
    chain = ChainMap(*layers.values())
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in SETTING_NAMES:
        if name in chain:
            values[name] = chain[name]
            sources[name] = next(label for label, layer in layers.items() if name in layer)
        else:
            sources[name] = "default"
    if "insecure_registries" in values:
        values["insecure_registries"] = tuple(values["insecure_registries"])
    if "out" in values:
        values["out"] = str(Path(values["out"]).expanduser())
    kind = values.get("size_kind", "unpacked")
    if kind not in ("unpacked", "download"):
        raise WizardError(
            f"size_kind {kind!r} (from the {sources['size_kind']}) is neither 'unpacked' nor 'download'",
            hint="'unpacked' (the default) writes what the image takes on disk, which the Prem Daemon compares "
            "with free disk; 'download' writes what a pull downloads",
        )
    upstream = values.get("upstream", DEFAULT_UPSTREAM)
    if upstream.count("/") != 1 or not all(upstream.split("/")):
        raise WizardError(f"upstream {upstream!r} is not OWNER/REPO", hint="for example premAI-io/prem-registry")
    return Settings(**values, config_path=str(path), sources=sources)
