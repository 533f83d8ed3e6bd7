"""prem-new-service config: where the config file is, what it holds, and where each setting comes from.

``config`` prints the file's path, whether it exists, and each setting with its value and source (flag,
environment, config file or default); ``--json`` prints
``{"path": str, "exists": bool, "settings": {name: {"value": ..., "source": str, "env": str}}}``.
``config --init`` writes a commented template (never over an existing file); ``config --set KEY=VALUE``
sets one setting in place, keeping the file's comments.
"""

from __future__ import annotations

import argparse
import re

TEMPLATE = """\
# prem-new-service configuration. Flags and PREM_NEW_SERVICE_* environment variables beat these values.
# Uncomment what you need. Run `prem-new-service config` to see what is in effect and where it comes from.
#
# A workshop pointing everyone at a sandbox copy of the registry:
#   upstream = "acme/prem-registry-sandbox"
#   index_url = "https://raw.githubusercontent.com/acme/prem-registry-sandbox/dev/manifests.json"

# The registry repository pull requests go to (OWNER/REPO), and its base branch.
# upstream = "premAI-io/prem-registry"
# base = "dev"

# The GitHub API (change it for GitHub Enterprise: https://HOST/api/v3).
# api_url = "https://api.github.com"

# The registry's index of services: ids and ports in use are checked against it (a URL or a file).
# index_url = "https://raw.githubusercontent.com/premAI-io/prem-registry/dev/manifests.json"

# The default folder service folders are written into.
# out = "~/prem-services"

# Never touch the network: image sizes are typed in and the cached index is used.
# offline = false

# Container registries reached over plain HTTP (host:port).
# insecure_registries = ["registry.lab:5000"]

# Which image size manifests get: "unpacked" (what the image takes on disk once pulled, which the Prem Daemon
# compares with free disk) or "download" (what a pull downloads, compressed).
# size_kind = "unpacked"

# A GitHub OAuth app's client id, for signing in with the device flow when no token is found.
# oauth_client_id = ""
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--init", action="store_true", help="write a commented template config file (never overwrites)")
    action.add_argument("--set", metavar="KEY=VALUE", action="append", help="set one setting in the config file; repeatable")
    parser.add_argument("--json", action="store_true", help="print the settings as JSON")


# a TOML basic string escapes the quote, the backslash and control characters other than tab
TOML_ESCAPES = {0x22: '\\"', 0x5C: "\\\\", 0x7F: "\\u007F"} | {
    code: f"\\u{code:04X}" for code in range(0x20) if code != 0x09
}


def toml_value(value: object) -> str:
    """A tiny TOML writer for the value types settings have: strings, booleans and lists of strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return '"' + str(value).translate(TOML_ESCAPES) + '"'


def parse_assignment(text: str) -> tuple[str, object]:
    from wizard.errors import InvalidInput
    from wizard.settings import SETTING_NAMES, setting_from_text

    key, equals, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not equals or key not in SETTING_NAMES:
        raise InvalidInput([f"--set {text}: expected KEY=VALUE with KEY one of {', '.join(SETTING_NAMES)}"])
    return key, setting_from_text(key, raw, f"--set {key}")


def with_setting(text: str, key: str, value: object) -> str:
    """The file's text with ``key = value``: replaces the setting, else its commented template line, else appends."""
    line = f"{key} = {toml_value(value)}"
    for pattern in (rf"^[ \t]*{key}[ \t]*=.*$", rf"^# ?{key}[ \t]*=.*$"):
        found = re.search(pattern, text, flags=re.MULTILINE)
        if found:
            return text[: found.start()] + line + text[found.end():]
    return text + ("" if not text or text.endswith("\n") else "\n") + line + "\n"


def write_atomically(path, text: str) -> None:
    from wizard.atomic import write_atomically

    write_atomically(path, text, prefix="config")


def run(args: argparse.Namespace) -> int:
    import sys

    from wizard.errors import BadSetting, WizardError
    from wizard.settings import build_settings, config_file, read_config_file

    path = config_file()
    if args.init:
        if path.exists():
            raise WizardError(f"{path} already exists; nothing was written", hint="edit it, or remove it and run again")
        write_atomically(path, TEMPLATE)
        print(path)
        print("Wrote a template config file; every setting in it is commented out. Edit it to taste.", file=sys.stderr)
        return 0
    if args.set:
        read_config_file(path)  # a file that cannot be read or holds a wrong setting is named, not rewritten
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        for assignment in args.set:
            text = with_setting(text, *parse_assignment(assignment))
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as scratch:  # check the new file before it replaces the old one
            trial = Path(scratch) / "config.toml"
            trial.write_text(text, encoding="utf-8")
            try:
                build_settings({}, environ={}, path=trial)
            except BadSetting as error:
                error.message = error.message.replace(str(trial), f"{path} with --set")
                raise
        write_atomically(path, text)
        print(f"Updated {path}", file=sys.stderr)
    show(build_settings({}), path, as_json=args.json)
    return 0


def show(settings, path, *, as_json: bool) -> None:
    import json

    from wizard.settings import ENV_PREFIX, SETTING_NAMES

    values = {name: getattr(settings, name) for name in SETTING_NAMES}
    if as_json:
        print(json.dumps({
            "path": str(path),
            "exists": path.is_file(),
            "settings": {name: {"value": list(value) if isinstance(value, tuple) else value,
                                "source": settings.sources[name], "env": ENV_PREFIX + name.upper()}
                         for name, value in values.items()},
        }, indent=2, ensure_ascii=False))
        return
    state = "exists" if path.is_file() else "does not exist; `prem-new-service config --init` writes a template"
    print(f"config file: {path} ({state})")
    width = max(map(len, SETTING_NAMES))
    for name, value in values.items():
        shown = ", ".join(value) if isinstance(value, tuple) else value
        shown = str(shown).lower() if isinstance(shown, bool) else shown
        source = f"[{settings.sources[name]}]"
        print(f"  {name:<{width}}  {source:<13}  {shown if shown != '' else '(empty)'}")
