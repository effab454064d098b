#!/usr/bin/env bash
# Runs the whole suite (scripts/test.sh) N times in a row, alternating Debug and Release, and stops at the
# first failing run, keeping its output and TRX files under TestResults-repeat/. A test that fails once
# in N runs is a race to find, never a retry to add (docs/contributing.md, "Flaky tests").
#   bash scripts/test-repeat.sh [N (20)]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
keep="$(pwd)/TestResults-repeat"
rm -rf "$keep"
mkdir -p "$keep"
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then config=Debug; else config=Release; fi
  start=$(date +%s)
  bash scripts/test.sh -c "$config" > "$keep/run$i.out" 2>&1
  status=$?
  echo "run $i/$runs $config $(git rev-parse --short HEAD): $(tail -n 1 "$keep/run$i.out") ($(( $(date +%s) - start )) s, load $(cut -d' ' -f1 /proc/loadavg))"
  if [ "$status" -ne 0 ]; then
    cp -r TestResults "$keep/run$i-results"
    echo "stopped at run $i: see $keep/run$i.out"
    exit 1
  fi
done
echo "$runs runs in a row passed"
