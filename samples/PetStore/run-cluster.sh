#!/usr/bin/env bash
# Runs the PetStore API as two nodes joined through Redis (docs/scale-out.md):
#   redis-server on 127.0.0.1:$REDIS_PORT (files in a temp directory, removed at the end),
#   node A on http://127.0.0.1:$PORT_A and node B on http://127.0.0.1:$PORT_B, both with
#   ConnectionStrings__Redis set, which is what switches AddRedis on (PetStoreApp.CreateBuilder).
# With --check it also starts a kiosk on node B, calls it through node A (list, status, display), prints
# what it got and exits 0 when every call worked; without it, it runs until Ctrl-C.
# Needs redis-server (bash scripts/redis.sh installs it) and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."

REDIS_PORT="${REDIS_PORT:-6391}" PORT_A="${PORT_A:-5080}" PORT_B="${PORT_B:-5081}"
check=false
[ "${1:-}" = "--check" ] && check=true
command -v redis-server >/dev/null || { echo "redis-server is missing: run 'bash scripts/redis.sh' (as root)." >&2; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build samples/PetStore/PetStore.Api -c Debug -v q -nologo >/dev/null
dotnet build samples/PetStore/PetStore.Kiosk -c Debug -v q -nologo >/dev/null

redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$work" --save "" --appendonly yes --daemonize no --loglevel warning &
pids+=($!)

for node in A:"$PORT_A" B:"$PORT_B"; do
  name="${node%%:*}" port="${node##*:}"
  ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT" \
    dotnet run --no-build --project samples/PetStore/PetStore.Api -- --urls "http://127.0.0.1:$port" >"$work/node-$name.log" 2>&1 &
  pids+=($!)
done

wait_for() { # url
  for _ in $(seq 1 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "no answer from $1" >&2; return 1
}
wait_for "http://127.0.0.1:$PORT_A/pets"
wait_for "http://127.0.0.1:$PORT_B/pets"
echo "node A: http://127.0.0.1:$PORT_A  node B: http://127.0.0.1:$PORT_B  (WsRest at /wsrest), Redis 127.0.0.1:$REDIS_PORT"

if ! $check; then
  echo "kiosk on node B:  dotnet run --project samples/PetStore/PetStore.Kiosk -- --url ws://127.0.0.1:$PORT_B/wsrest --name front-door"
  echo "list via node A:  curl http://127.0.0.1:$PORT_A/kiosks"
  echo "Ctrl-C stops everything."
  wait
  exit 0
fi

dotnet run --no-build --project samples/PetStore/PetStore.Kiosk -- --url "ws://127.0.0.1:$PORT_B/wsrest" --name front-door >"$work/kiosk.log" 2>&1 &
pids+=($!)
id=""
for _ in $(seq 1 300); do
  id="$(curl -fs "http://127.0.0.1:$PORT_A/kiosks" | grep -o '"id":"[0-9a-f]*"' | head -n 1 | cut -d'"' -f4 || true)"
  [ -n "$id" ] && break
  sleep 0.1
done
[ -n "$id" ] || { echo "node A never listed the kiosk connected to node B" >&2; cat "$work"/*.log >&2; exit 1; }
echo "node A lists the kiosk on node B: $id"
echo "status via node A: $(curl -fsS "http://127.0.0.1:$PORT_A/kiosks/$id/status")"
curl -fsS -X PUT -H 'content-type: application/json' -d '{"text":"hello from node A"}' "http://127.0.0.1:$PORT_A/kiosks/$id/display"
echo "display set via node A; status via node B: $(curl -fsS "http://127.0.0.1:$PORT_B/kiosks/$id/status")"
