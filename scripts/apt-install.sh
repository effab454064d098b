#!/usr/bin/env bash
# Installs Debian packages for the tests: `bash scripts/apt-install.sh PACKAGE...`. Needs root, or a
# password-less sudo (as on hosted CI runners); says so and fails otherwise. Used by redis.sh and
# chromium.sh, which call it only when their tool is missing.
set -euo pipefail

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
  else
    echo "$* missing, and installing needs root: run this as root (apt-get install -y $*)." >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q "$@"
