#!/usr/bin/env bash
# Builds the browser bundle of the TypeScript client (src/wsrest-js) that the PetStore web page loads:
# samples/PetStore/PetStore.Api/wwwroot/lib/wsrest.browser.js, one unminified ES module (readable in
# the browser's debugger), committed so `dotnet run` needs no Node.js (docs/decisions.md, "PetStore
# web page"). Its header names the SHA-256 of the client's sources; tests/PetStore.Browser.Tests fails
# when the sources changed since: run this script and commit the bundle.
#   --check   rebuild into a temporary file and fail if the committed bundle differs from it.
# Needs Node.js with npm (`npm ci` in src/wsrest-js installs the pinned esbuild). Reruns are identical.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
client="$root/src/wsrest-js"
bundle="$root/samples/PetStore/PetStore.Api/wwwroot/lib/wsrest.browser.js"

check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  *) echo "usage: build-web-client.sh [--check]" >&2; exit 2 ;;
esac

cd "$client"
if [ ! -x node_modules/.bin/esbuild ]; then
  npm ci --no-audit --no-fund
fi

# Must match SourcesHash in tests/PetStore.Browser.Tests/BrowserBundle.cs: one line per file, sorted
# by path, "<path> <sha256 of the file without CRs>", then the SHA-256 of those lines.
sources_hash() {
  { find src -type f -name '*.ts'; echo package-lock.json; } | LC_ALL=C sort | while read -r file; do
    printf '%s %s\n' "$file" "$(tr -d '\r' < "$file" | sha256sum | cut -d' ' -f1)"
  done | sha256sum | cut -d' ' -f1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node_modules/.bin/esbuild src/index.ts --bundle --format=esm --target=es2022 --log-level=warning --outfile="$work/body.js"
{
  echo "// The WsRest browser client (src/wsrest-js), bundled by samples/PetStore/build-web-client.sh with esbuild $(node_modules/.bin/esbuild --version). Do not edit."
  echo "// wsrest-js sources SHA-256: $(sources_hash)"
  cat "$work/body.js"
} > "$work/wsrest.browser.js"

if $check; then
  if ! cmp -s "$work/wsrest.browser.js" "$bundle"; then
    echo "build-web-client: $bundle is stale; run bash samples/PetStore/build-web-client.sh and commit it" >&2
    exit 1
  fi
  echo "build-web-client: the committed bundle is up to date"
else
  mkdir -p "$(dirname "$bundle")"
  cp "$work/wsrest.browser.js" "$bundle"
  echo "build-web-client: wrote $bundle ($(wc -c < "$bundle") bytes)"
fi
