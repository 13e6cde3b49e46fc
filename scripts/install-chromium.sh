#!/bin/sh
# Debian's headless Chromium for the report's browser tests (tests/report/test_browser.py).
# Installs the distribution package only: no test tool downloads a browser of its own.
set -e
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: no apt-get here; install Chromium and put it on PATH (or set MEDGEN_CHROMIUM)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
