#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (tests/PetStore.Browser.Tests): a no-op when
# /usr/bin/chromium exists, otherwise scripts/apt-install.sh. Playwright drives this binary; nothing
# is downloaded by Playwright itself.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present) at /usr/bin/chromium"
  exit 0
fi

bash "$(dirname "$0")/apt-install.sh" chromium
echo "chromium: installed $(/usr/bin/chromium --version 2>/dev/null)"
