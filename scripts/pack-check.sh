#!/usr/bin/env bash
# Packs WsRest.Abstractions, WsRest.Client, WsRest.Server and WsRest.Tunnel into a temporary folder,
# checks what each package holds (README, XML docs, metadata, .snupkg symbols) and that it depends on
# the other WsRest packages at exactly this version (they share internals) and on no more of them than
# it needs (the server not on the client), then creates a tiny consumer project in a temporary
# directory that references the packages from that folder (dependencies come from the machine's
# configured NuGet sources or its package cache, but never a WsRest package: see below), builds it with
# warnings as errors, and runs it: it starts an ASP.NET Core
# server with AddWsRest/MapWsRest, does one request over WsRest, and calls an app that dialed in
# through UseWsRestTunnel.
# Ends with "pack-check: OK" (exit 0) or the first failure (exit 1). See docs/ecosystem.md, "Packages".
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

version=0.1.0
packages=(WsRest.Abstractions WsRest.Client WsRest.Server WsRest.Tunnel WsRest.Redis)
# The WsRest packages each one depends on (exactly; docs/decisions.md, "Packages that share internals").
declare -A wsrest_dependencies=(
  [WsRest.Abstractions]=""
  [WsRest.Client]="WsRest.Abstractions"
  [WsRest.Server]="WsRest.Abstractions"
  [WsRest.Tunnel]="WsRest.Client WsRest.Server"
  [WsRest.Redis]="WsRest.Abstractions WsRest.Server"
)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
feed="$work/feed"

fail() { echo "pack-check: FAILED: $*" >&2; exit 1; }

list_zip() {
  if command -v unzip >/dev/null 2>&1; then unzip -Z1 "$1"; else python3 -m zipfile -l "$1" | awk 'NR > 1 { print $1 }'; fi
}
read_zip_entry() {
  if command -v unzip >/dev/null 2>&1; then unzip -p "$1" "$2"; else python3 -c 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode("utf-8-sig"))' "$1" "$2"; fi
}

echo "==> dotnet pack (Release) into $feed"
# --artifacts-path: build outputs go to the temporary folder, not the work tree's bin/obj, so the
# packages come from a clean build of the current sources and a concurrent build cannot interfere.
for id in "${packages[@]}"; do
  dotnet pack "$repo/src/$id/$id.csproj" -c Release -o "$feed" --artifacts-path "$work/artifacts" --nologo -v quiet -clp:NoSummary
done

echo "==> Checking the packages"
for id in "${packages[@]}"; do
  nupkg="$feed/$id.$version.nupkg"
  [ -f "$nupkg" ] || fail "$nupkg was not produced"
  [ -f "$feed/$id.$version.snupkg" ] || fail "$id.$version.snupkg (symbols) was not produced"
  entries="$(list_zip "$nupkg")"
  for entry in README.md "lib/net10.0/$id.dll" "lib/net10.0/$id.xml" "$id.nuspec"; do
    grep -qx "$entry" <<<"$entries" || fail "$id.$version.nupkg has no $entry"
  done
  # Not `grep -q` on the pipe: it exits at the first match and, under pipefail, unzip's SIGPIPE fails the check.
  grep -qx "lib/net10.0/$id.pdb" <<<"$(list_zip "$feed/$id.$version.snupkg")" || fail "$id.$version.snupkg has no lib/net10.0/$id.pdb"
  nuspec="$(read_zip_entry "$nupkg" "$id.nuspec")"
  for expected in "<id>$id</id>" "<version>$version</version>" '<license type="expression">MIT</license>' \
                  '<readme>README.md</readme>' '<authors>WsRest contributors</authors>' '<description>' '<tags>'; do
    grep -qF "$expected" <<<"$nuspec" || fail "$id.nuspec lacks $expected"
  done
  actual="$(grep -o '<dependency id="WsRest\.[A-Za-z]*" version="[^"]*"' <<<"$nuspec" | sort || true)"
  expected=""
  for dependency in ${wsrest_dependencies[$id]}; do
    expected+="<dependency id=\"$dependency\" version=\"[$version]\""$'\n'
  done
  [ "$actual" = "$(sort <<<"${expected%$'\n'}")" ] || fail "$id.nuspec depends on WsRest packages '${actual//$'\n'/ }', expected exactly '${expected//$'\n'/ }'"
  echo "    $id $version: nupkg (README, XML docs, metadata; WsRest dependencies at [$version]: ${wsrest_dependencies[$id]:-none}) + snupkg"
done

echo "==> Building a consumer of the packages"
consumer="$work/consumer"
mkdir -p "$consumer"
global_packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
global_packages="${global_packages%/}"
# The consumer must restore WsRest from $feed and from nowhere else, whatever the machine's NuGet cache
# holds: once a user has packed and consumed WsRest 0.1.0, the global packages folder has its own
# (possibly stale) 0.1.0, and NuGet takes a package found in a packages folder or a fallback folder
# without looking at any source. So the consumer gets a throw-away packages folder, and its only
# fallback folder (<clear/> drops any the machine configures) is a farm of links to the global
# folder's third-party packages, leaving out every wsrest.* entry: those come from $feed, the rest is
# read from the cache instead of downloaded (missing ones come from the machine's configured sources).
mkdir -p "$work/third-party"
if [ -d "$global_packages" ]; then
  for entry in "$global_packages"/*; do
    [ -d "$entry" ] || continue
    case "$(basename "$entry")" in wsrest.*) continue ;; esac
    ln -s "$entry" "$work/third-party/$(basename "$entry")"
  done
fi
cat >"$consumer/NuGet.Config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <fallbackPackageFolders>
    <clear />
    <add key="third-party" value="$work/third-party" />
  </fallbackPackageFolders>
  <packageSources>
    <add key="wsrest-local" value="$feed" />
  </packageSources>
</configuration>
XML
cat >"$consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="WsRest.Abstractions" Version="$version" />
    <PackageReference Include="WsRest.Client" Version="$version" />
    <PackageReference Include="WsRest.Server" Version="$version" />
    <PackageReference Include="WsRest.Tunnel" Version="$version" />
    <PackageReference Include="WsRest.Redis" Version="$version" />
  </ItemGroup>
</Project>
XML
cat >"$consumer/Program.cs" <<'CS'
using WsRest.Client;
using WsRest.Server;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
builder.Services.AddWsRest();
await using var app = builder.Build();
app.MapGet("/hello", (HttpContext context) => context.Features.Get<IWsRestConnectionFeature>() is null ? "hello over plain HTTP" : "hello over WsRest");
app.MapWsRest("/wsrest");
await app.StartAsync();
var address = new Uri(app.Urls.First());
await using var connection = new WsRestClient(new WsRestClientOptions { Endpoint = new Uri($"ws://{address.Authority}/wsrest") });
using var http = new HttpClient(new WebSocketMessageHandler(connection)) { BaseAddress = address };
Console.WriteLine(await http.GetStringAsync("hello"));

// A device app with no listening port, served through the connection it dials (WsRest.Tunnel).
var registry = app.Services.GetRequiredService<WsRestConnectionRegistry>();
var dialedIn = registry.WatchAsync().GetAsyncEnumerator();
var device = WebApplication.CreateSlimBuilder(args);
device.Logging.ClearProviders();
device.WebHost.UseWsRestTunnel(o => o.Endpoint = new Uri($"ws://{address.Authority}/wsrest"));
await using var deviceApp = device.Build();
deviceApp.MapGet("/status", () => "device ok");
await deviceApp.StartAsync();
while (await dialedIn.MoveNextAsync() && dialedIn.Current.Kind != WsRestConnectionEventKind.Connected)
{
}
using var toDevice = dialedIn.Current.Connection.CreateHttpClient();
Console.WriteLine(await toDevice.GetStringAsync("status"));
await deviceApp.StopAsync();
await app.StopAsync();

// Compiled against the WsRest.Redis package (several nodes need a Redis; this check runs one node).
internal static class Cluster
{
    public static IServiceCollection Join(IServiceCollection services, string redis) => services.AddRedis(redis);
}
CS
# NUGET_PACKAGES would override the config's globalPackagesFolder; NUGET_FALLBACK_PACKAGES adds folders.
env -u NUGET_PACKAGES -u NUGET_FALLBACK_PACKAGES dotnet build "$consumer/Consumer.csproj" --nologo -v quiet -clp:NoSummary
for id in "${packages[@]}"; do
  lower="$(tr '[:upper:]' '[:lower:]' <<<"$id")"
  [ -f "$work/packages/$lower/$version/lib/net10.0/$id.dll" ] || fail "the consumer did not restore $id $version from the local folder"
  # The very package packed above, not one of the same version from another configured source.
  cmp -s "$work/packages/$lower/$version/$lower.$version.nupkg" "$feed/$id.$version.nupkg" \
    || fail "the consumer restored a $id $version that is not the one packed into $feed (another source or cache has one)"
done

echo "==> Running the consumer"
output="$(env -u NUGET_PACKAGES -u NUGET_FALLBACK_PACKAGES dotnet run --project "$consumer/Consumer.csproj" --no-build)"
echo "    ${output//$'\n'/ | }"
[ "$output" = $'hello over WsRest\ndevice ok' ] || fail "the consumer printed '$output', expected 'hello over WsRest' and 'device ok'"
echo "pack-check: OK"
