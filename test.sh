#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need, then runs pytest.
# Usage: ./test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")"

debian_packages=(docker-registry skopeo chromium chromium-driver)
missing=()
for package in "${debian_packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "missing Debian packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

# GitHub's OpenAPI description: the GitHub emulator checks every request body against it.
openapi=.cache/octokit/node_modules/@octokit/openapi/generated/api.github.com.json
if [ ! -f "$openapi" ]; then
    npm install --no-save --no-audit --no-fund --silent --prefix .cache/octokit @octokit/openapi
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
# one worker per CPU; `./test.sh -n 0` runs in one process (a -n given later wins)
exec python3 -m pytest -n auto "$@"
