#!/usr/bin/env bash
# Makes Debian's redis-server available for the scale-out tests (tests/WsRest.Redis.Tests start their
# own instance on 127.0.0.1 and a free port, with its files in a temp directory; nothing here starts one).
# A no-op when redis-server is already installed; otherwise installs it (scripts/apt-install.sh).
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server present: $(redis-server --version)"
  exit 0
fi

bash "$(dirname "$0")/apt-install.sh" redis-server
# The package's own service is not used (the tests start their instances): stop it where a service manager runs it.
if command -v service >/dev/null 2>&1; then
  service redis-server stop >/dev/null 2>&1 || true
fi
echo "installed: $(redis-server --version)"
