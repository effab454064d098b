#!/usr/bin/env bash
# Builds and tests the TypeScript client (src/wsrest-js): npm ci, then npm test (tsc, then node --test:
# codec and client unit tests, and end-to-end tests against tests/WsRest.Js.TestServer, which this
# script builds first). Ends with the plain line "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! dotnet build tests/WsRest.Js.TestServer -c Debug -v quiet -nologo; then
  echo "0 passed, 1 failed (the test server did not build)"
  exit 1
fi

cd src/wsrest-js
if ! npm ci --no-audit --no-fund; then
  echo "0 passed, 1 failed (npm ci failed)"
  exit 1
fi

log=$(mktemp)
npm test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# node --test's TAP summary: "# pass N", "# fail N", "# skipped N" (a build failure prints none).
count() { grep -E "^# $1 [0-9]+$" "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
passed=$(count pass)
failed=$(count fail)
skipped=$(count skipped)
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
