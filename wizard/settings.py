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

import json
import os
import re
import tomllib
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from wizard.addresses import is_loopback
from wizard.errors import BadSetting
from wizard.service.rules import CONTROL
from wizard.terminal_text import one_line

APP_NAME = "prem-new-service"
DEFAULT_UPSTREAM = "premAI-io/prem-registry"
DEFAULT_BASE = "dev"
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/premAI-io/prem-registry/dev/manifests.json"

ENV_PREFIX = "PREM_NEW_SERVICE_"
# a host, host:port, [IPv6]:port, or an IP network (10.0.0.0/8), as Docker's insecure-registries takes them
HOST_PORT = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5}|/[0-9]{1,3})?"
                       r"|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?|[0-9A-Fa-f:.]+/[0-9]{1,3}")


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


BOOLEAN_SETTINGS = ("offline",)
LIST_SETTINGS = ("insecure_registries",)
# the words an environment variable or `config --set` may use for a switch; anything else is refused, so that
# "no" never turns a switch on
BOOLEAN_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
                 "off": False, "": False}


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the string {json.dumps(value, ensure_ascii=False)[:60]}"
    names = {int: "a number", float: "a number", list: "a list", dict: "a table"}
    return names.get(type(value), f"a {type(value).__name__}")


def checked_setting(name: str, value: Any, where: str) -> Any:
    """``value`` if it is of the setting's kind; BadSetting naming where it came from and how to write it."""
    if name in BOOLEAN_SETTINGS:
        if not isinstance(value, bool):
            raise BadSetting(f"{where}: {name} is {_kind_of(value)}; it is a switch",
                             hint=f"write {name} = true or {name} = false, without quotes")
        return value
    if name in LIST_SETTINGS:
        if not isinstance(value, list):
            example = json.dumps([value] if isinstance(value, str) else ["registry.lab:5000"], ensure_ascii=False)
            raise BadSetting(f"{where}: {name} is {_kind_of(value)}; it is a list of host:port strings",
                             hint=f"write {name} = {one_line(example)[:80]}")
        if wrong := next((item for item in value if not isinstance(item, str)), None):
            raise BadSetting(f"{where}: {name} holds {_kind_of(wrong)}; each entry is a host:port string",
                             hint=f'write {name} = ["registry.lab:5000"]')
        bad = [item for item in value if not HOST_PORT.fullmatch(item)]
        if bad:
            raise BadSetting(f"{where}: {name} holds {json.dumps(bad[0], ensure_ascii=False)[:60]}, which is not a "
                             "host or host:port", hint='write a registry\'s address, such as "registry.lab:5000"')
        return list(value)
    if not isinstance(value, str):
        raise BadSetting(f"{where}: {name} is {_kind_of(value)}; it is text",
                         hint=f'write it in quotes: {name} = "{getattr(Settings, name, "")}"')
    if CONTROL.search(value):
        raise BadSetting(f"{where}: {name} holds a control character", hint="remove it")
    return value


def read_config_file(path: Path) -> dict[str, Any]:
    hint = f"fix the config file, or move it away (`prem-new-service config` shows what is in effect): {path}"
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return {}
    except IsADirectoryError:
        raise BadSetting(f"{path} is a folder, not a config file", hint=hint) from None
    except OSError as error:
        raise BadSetting(f"{path} cannot be read: {error.strerror or type(error).__name__}", hint=hint) from None
    except UnicodeDecodeError as error:
        raise BadSetting(f"{path}: byte {error.start + 1} is not UTF-8 text; a config file is TOML text",
                         hint=hint) from None
    except tomllib.TOMLDecodeError as error:
        raise BadSetting(f"{path}: {error}", hint=hint) from None
    except (RecursionError, ValueError):  # nesting past the interpreter, or an integer of thousands of digits
        raise BadSetting(f"{path}: not a config file (it nests too deeply, or holds a number too long to read)",
                         hint=hint) from None
    unknown = sorted(set(data) - set(SETTING_NAMES))
    if unknown:
        raise BadSetting(
            f"{path}: unknown setting(s) {', '.join(one_line(name)[:40] for name in unknown)}",
            hint=f"known settings: {', '.join(SETTING_NAMES)}",
        )
    return {name: checked_setting(name, value, str(path)) for name, value in data.items()}


def setting_from_text(name: str, raw: str, where: str) -> Any:
    """A setting as an environment variable or `config --set` writes it: a word for a switch, commas for a list."""
    if name in BOOLEAN_SETTINGS:
        word = raw.strip().lower()
        if word not in BOOLEAN_WORDS:
            raise BadSetting(f"{where}: {name} is {one_line(raw)[:40]!r}; it is a switch",
                             hint="use 1, true, yes or on to turn it on; 0, false, no or off to turn it off")
        return BOOLEAN_WORDS[word]
    if name in LIST_SETTINGS:
        return checked_setting(name, [part.strip() for part in raw.split(",") if part.strip()], where)
    return checked_setting(name, raw, where)


def settings_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in SETTING_NAMES:
        variable = ENV_PREFIX + name.upper()
        raw = environ.get(variable)
        if raw is not None:
            found[name] = setting_from_text(name, raw, f"the environment variable {variable}")
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
        "flag": {k: checked_setting(k, list(v) if isinstance(v, tuple) else v, f"--{k.replace('_', '-')}")
                 for k, v in (flags or {}).items() if v is not None and k in SETTING_NAMES},
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
        raise BadSetting(
            f"size_kind {one_line(kind)[:40]!r} ({_where(sources['size_kind'], 'size_kind', path)}) is neither "
            "'unpacked' nor 'download'",
            hint="'unpacked' (the default) writes what the image takes on disk, which the Prem Daemon compares "
            "with free disk; 'download' writes what a pull downloads",
        )
    upstream = values.get("upstream", DEFAULT_UPSTREAM)
    if not UPSTREAM.fullmatch(upstream):
        raise BadSetting(f"upstream {one_line(upstream)[:80]!r} ({_where(sources['upstream'], 'upstream', path)}) is not "
                         "OWNER/REPO",
                         hint="for example premAI-io/prem-registry")
    if "api_url" in values:
        values["api_url"] = checked_api_url(values["api_url"], _where(sources["api_url"], "api_url", path))
    return Settings(**values, config_path=str(path), sources=sources)


def _where(source: str, name: str, path: Path) -> str:
    return {"flag": f"from --{name.replace('_', '-')}", "environment": f"from {ENV_PREFIX}{name.upper()}",
            "config file": f"from {path}"}.get(source, "the default")


# GitHub's own rules: an owner is letters, digits and hyphens; a repository name adds dots and underscores
UPSTREAM = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


def checked_api_url(url: str, source: str) -> str:
    """An http(s) URL with a host and no user or password in it: a token written there would be printed in
    every message that names the URL (GH_TOKEN is where a token goes)."""
    return checked_http_url(url, f"api_url ({source})",
                            example="for example https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise",
                            token_goes="give the token in GH_TOKEN instead (`gh auth login` also works)")


def checked_http_url(url: str, what: str, *, example: str, token_goes: str) -> str:
    """``url`` stripped if it is http(s) with a host and no user or password (which is never shown: it may be a
    token); BadSetting naming ``what`` otherwise."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadSetting(f"{what} is not an http(s) URL with a host", hint=example)
    if "@" in parts.netloc:
        raise BadSetting(f"{what} holds a user name or password before its host; it is not shown here, as it may "
                         "be a token", hint=f"remove it from the URL and {token_goes}")
    return url.strip()


def plain_http_warning(api_url: str) -> str | None:
    """A warning for a GitHub API reached over plain HTTP beyond this machine: the token would cross the
    network readable by anyone on the way."""
    from urllib.parse import urlsplit

    parts = urlsplit(api_url)
    if parts.scheme != "http" or is_loopback(parts.hostname or ""):
        return None
    return (f"warning: api_url {api_url} is plain http:// to another machine: your GitHub token is sent unencrypted; "
            "use https://")
