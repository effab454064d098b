#!/usr/bin/env bash
# Runs every test project in WsRest.sln, then the TypeScript client's tests (scripts/js.sh), and ends
# with the plain line "N passed, N failed[, N skipped]" over both, computed from the TRX results and
# node --test's summary. This is the README's test command; .ci/run calls it unchanged. What the tests
# need beyond the .NET SDK and Node (redis-server, chromium, npm packages) is installed by the
# scripts below, each a no-op when it is already there.
set -uo pipefail
cd "$(dirname "$0")/.."

results="$(pwd)/TestResults"
rm -rf "$results"
mkdir -p "$results"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

for prerequisite in scripts/redis.sh scripts/chromium.sh; do
  if [ -f "$prerequisite" ] && ! bash "$prerequisite"; then
    echo "0 passed, 1 failed ($prerequisite could not install what the tests need)"
    exit 1
  fi
done

# A hung test fails the run (with a dump of where it hung) instead of holding CI until its limit. 15
# minutes, not less: the tests that build and pack (PackagingTests) take over 5 on a loaded 2-core machine.
dotnet test WsRest.sln \
  --logger "trx" \
  --logger "console;verbosity=normal" \
  --results-directory "$results" \
  --blame-hang-timeout 15m \
  "$@"
status=$?

passed=0 failed=0 skipped=0 total=0 files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$((total + $(get total)))
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
done
skipped=$((total - passed - failed))
if [ "$files" -eq 0 ]; then
  echo "No test results were produced (build failure?)."
  failed=$((failed + 1))
elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A test host that crashed or was stopped by the hang limit leaves a result file without a failure
  # in it; the run still failed, and the summary must say so.
  echo "dotnet test failed (exit code $status) without a failed test in its results: a test run was aborted (crash or hang; see the output above)."
  failed=$((failed + 1))
fi

# The TypeScript client: its own "N passed, N failed[, N skipped]" line is added to the totals.
js_log=$(mktemp)
bash scripts/js.sh 2>&1 | tee "$js_log"
js_status=${PIPESTATUS[0]}
js_line=$(tail -n 1 "$js_log")
rm -f "$js_log"
js_count() { printf '%s' "$js_line" | grep -oE "[0-9]+ $1" | grep -oE '[0-9]+' || echo 0; }
passed=$((passed + $(js_count passed)))
failed=$((failed + $(js_count failed)))
skipped=$((skipped + $(js_count skipped)))
if [ "$js_status" -ne 0 ] && [ "$(js_count failed)" -eq 0 ]; then
  failed=$((failed + 1))
fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi

if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then
  exit 1
fi
