#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/PetStore.Browser.Tests): a no-op when
# /usr/bin/chromium exists, otherwise apt-get (as root, as in CI). Playwright drives this binary;
# nothing is downloaded by Playwright itself.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present) at /usr/bin/chromium"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "chromium: /usr/bin/chromium is missing and this script is not root; run it as root (apt-get install -y chromium)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y chromium
echo "chromium: installed $(/usr/bin/chromium --version 2>/dev/null)"
