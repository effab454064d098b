#!/usr/bin/env bash
# Retakes docs/images/petstore-web.png: runs the screenshot test of tests/PetStore.Browser.Tests (the
# real PetStore page in headless chromium, scripts/chromium.sh) and lets it write the image there.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export PETSTORE_SCREENSHOT="$(pwd)/docs/images/petstore-web.png"
dotnet test tests/PetStore.Browser.Tests -c Debug --filter "FullyQualifiedName~ScreenshotTests" --logger "console;verbosity=normal"
test -s "$PETSTORE_SCREENSHOT"
echo "screenshot: $PETSTORE_SCREENSHOT"
