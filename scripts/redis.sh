#!/usr/bin/env bash
# Makes Debian's redis-server available for the scale-out tests (tests/WsRest.Redis.Tests start their
# own instance on 127.0.0.1 and a free port, with its files in a temp directory; nothing here starts one).
# A no-op when redis-server is already installed; otherwise installs it with apt-get (needs root, as in CI).
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server present: $(redis-server --version)"
  exit 0
fi

# Root installs directly; otherwise a password-less sudo will do (as on hosted CI runners).
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "redis-server is missing and installing it needs root: run this script as root (apt-get install -y redis-server)." >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends redis-server
# The package's own service is not used (the tests start their instances): stop it where a service manager runs it.
if command -v service >/dev/null 2>&1; then
  service redis-server stop >/dev/null 2>&1 || true
fi
echo "installed: $(redis-server --version)"
