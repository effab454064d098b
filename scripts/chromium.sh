#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/PetStore.Browser.Tests): a no-op when
# /usr/bin/chromium exists, otherwise apt-get (as root, as in CI). Playwright drives this binary;
# nothing is downloaded by Playwright itself.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present) at /usr/bin/chromium"
  exit 0
fi

# Root installs directly; otherwise a password-less sudo will do (as on hosted CI runners).
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "chromium is missing and installing it needs root: run this script as root (apt-get install -y chromium)." >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y chromium
echo "chromium: installed $(/usr/bin/chromium --version 2>/dev/null)"
