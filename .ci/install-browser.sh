#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests and screenshots. Never `playwright install`:
# it downloads a browser build, which neither CI nor an offline classroom machine can do.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! command -v chromium >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-liberation >/dev/null
fi
chromium --version
