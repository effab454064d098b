#!/usr/bin/env bash
# Re-exports the PetStore API's OpenAPI document after an API change: builds and starts the API on
# 127.0.0.1 (a free port) and saves its /openapi/v1.json as samples/PetStore/openapi.json (without
# "servers", which names the port, so reruns are identical). The C# client is not written here: the
# next build of samples/PetStore/PetStore.Client generates it from this file with NSwag (its .csproj).
# tests/PetStore.Tests (GeneratedClientFreshnessTests) fails while the committed file differs from what
# the API serves. Needs the .NET 10 SDK and Node.js (for the JSON rewrite; no npm packages). Running it
# twice gives a byte-identical file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

api_project="$here/PetStore.Api/PetStore.Api.csproj"
document="$here/openapi.json"

work="$(mktemp -d)"
api_pid=""
cleanup() {
  if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then
    kill "$api_pid" 2>/dev/null || true
    wait "$api_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "==> Building the PetStore API"
dotnet build "$api_project" --nologo -v quiet -clp:NoSummary
api_dll="$(dotnet msbuild "$api_project" -getProperty:TargetPath)"

echo "==> Starting it on 127.0.0.1 (free port) to export the OpenAPI document"
# Port 0: Kestrel picks a free port and logs it ("Now listening on: http://127.0.0.1:NNNNN").
(cd "$work" && exec env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Information \
  dotnet "$api_dll" --urls "http://127.0.0.1:0") >"$work/api.log" 2>&1 &
api_pid=$!
base_url=""
for _ in $(seq 1 300); do
  base_url="$(grep -o 'Now listening on: http://127\.0\.0\.1:[0-9]*' "$work/api.log" | head -n 1 | sed 's/^Now listening on: //' || true)"
  [ -n "$base_url" ] && break
  if ! kill -0 "$api_pid" 2>/dev/null; then
    echo "The PetStore API exited before listening:" >&2
    cat "$work/api.log" >&2
    exit 1
  fi
  sleep 0.2
done
if [ -z "$base_url" ]; then
  echo "The PetStore API did not start within 60 s:" >&2
  cat "$work/api.log" >&2
  exit 1
fi
curl --fail --silent --show-error --max-time 30 "$base_url/openapi/v1.json" -o "$work/served.json"
kill "$api_pid"
wait "$api_pid" 2>/dev/null || true
api_pid=""

# Drop "servers" (it names this run's port); keep everything else exactly as served, 2-space indented, LF.
node -e '
  const fs = require("fs");
  const doc = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  delete doc.servers;
  fs.writeFileSync(process.argv[2], JSON.stringify(doc, null, 2) + "\n");
' "$work/served.json" "$document"
echo "    wrote ${document#"$here/"}"

echo "Done. Build (dotnet build) regenerates the client from it; commit openapi.json."
