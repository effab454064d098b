#!/usr/bin/env bash
# CPU profile of one load-program scenario (issue 17, docs/benchmarks.md "CPU profiles, issue 17"):
#
#   bash scripts/profile.sh [--scenario small64|download64] [--dll PATH] [--transport wsrest]
#                           [--seconds 8] [--warmup 15] [--top 12] [--out DIR]
#
#   small64     GET /small with 64 requests in flight (the small-request target's row)
#   download64  GET /download of 64 MiB, 1 in flight (the large-body target's row)
#
# Runs bench/WsRest.Load (this checkout's Release build, or the DLL given with --dll, e.g. the baseline's
# /work/wt/base/bench/WsRest.Load/bin/Release/net10.0/WsRest.Load.dll) with only that scenario and transport,
# attaches `perf record -g` and `perf stat -e context-switches,task-clock` to it for --seconds inside the
# measured window, and prints:
#   - the load program's own row for the scenario (req/s or MiB/s, CPU µs per request);
#   - context switches and CPU µs per request over the profiled window (perf stat's counts divided by the
#     requests the window held: the program's rate times the profiled time);
#   - samples by thread and by module, then the top frames by self and by inclusive samples, collapsed by
#     method (JIT tiers and argument lists dropped, so one method is one row).
# Everything (perf.data, the program's output, the summary) stays in --out.
#
# Only options the load program has had since 1f99bd2 are used, so older builds can be profiled alike.
# The runtime is told to write a perf map (DOTNET_PerfMapEnabled=1) and to keep JIT code out of W^X double
# mappings (DOTNET_EnableWriteXorExecute=0), and to JIT the framework instead of using its ReadyToRun code
# (DOTNET_ReadyToRun=0): perf can name only code in the perf map. That is why the warm-up is long: the
# methods must reach tier 1 before the profile starts; the "JIT" thread share says whether they had.
# libcoreclr.so ships without symbols: its frames (GC, thread pool waits, stubs) count as that module.
# Needs perf (Debian: linux-perf, installed by this script when missing) and root or perf_event_paranoid <= 1.
set -euo pipefail

scenario=small64
dll=
transport=wsrest
seconds=8
warmup=15
top=12
out=
root="$(cd "$(dirname "$0")/.." && pwd)"

while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) scenario="$2"; shift 2 ;;
    --dll) dll="$2"; shift 2 ;;
    --transport) transport="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --top) top="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "profile.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

case "$scenario" in
  small64|download64) ;;
  *) echo "profile.sh: --scenario is small64 or download64; got '$scenario'" >&2; exit 2 ;;
esac

if ! command -v perf >/dev/null 2>&1; then
  bash "$root/scripts/apt-install.sh" linux-perf
fi

if [ -z "$dll" ]; then
  dotnet build "$root/bench/WsRest.Load" -c Release -v quiet -nologo >/dev/null
  dll="$root/bench/WsRest.Load/bin/Release/net10.0/WsRest.Load.dll"
fi
[ -f "$dll" ] || { echo "profile.sh: no such DLL: $dll" >&2; exit 2; }

out="${out:-/tmp/wsrest-profile-$scenario-$(date -u +%Y%m%dT%H%M%S)}"
mkdir -p "$out"
log="$out/load.txt"

# The program's measured window must hold the whole profile: a margin of 4 s on each side.
case "$scenario" in
  small64)
    args=(--concurrency 64 --warmup "$warmup" --duration "$((seconds + 8))" --echo-concurrency 1 --wire-requests 1 --large-size-mib 0)
    table='### GET /small, 64 in flight'
    start_after='load average at start'
    delay=$((warmup + 4))
    ;;
  download64)
    # The small scenarios run for a moment first; the download starts when the echo table is printed. Its
    # request count (a count, not a duration, in the load program) must outlast the profile: a short run
    # without perf measures the rate first, and the profiled run gets enough requests for the warm-up,
    # --seconds and 12 s more at that rate. The warm-up counts from the download's start: its code path
    # (DATA, windows, the body pipe) is JIT-compiled only then.
    quick=(--concurrency 1 --warmup 0 --duration 0.2 --echo-concurrency 1 --wire-requests 1 --large-size-mib 64 --large-concurrency 1)
    rate="$(dotnet "$dll" --transports "$transport" --rounds 1 "${quick[@]}" --large-requests 8 \
      | grep -A4 '^### GET /download' | grep '^| [^-t]' | cut -d'|' -f3 | tr -d ', ')"
    [ -n "$rate" ] || { echo "profile.sh: the calibration run measured no download rate" >&2; exit 1; }
    requests=$(awk -v r="$rate" -v s="$((warmup + seconds))" 'BEGIN { n = int(r * (s + 12) / 64) + 1; print (n < 16 ? 16 : n) }')
    echo "calibration: $rate MiB/s without perf: $requests requests of 64 MiB"
    args=("${quick[@]}" --large-requests "$requests")
    table='### GET /download (64 MiB), 1 in flight'
    start_after='### POST /echo4k'
    delay=$warmup
    ;;
esac

commit="$(strings -a -el "$dll" | grep -oE '\+[0-9a-f]{40}' | head -1 | tr -d + || true)"
{
  echo "# profile: $scenario, transport $transport"
  echo "dll: $dll (built from ${commit:-an unknown commit})"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(uname -sr)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/summary.txt"

DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0 \
  dotnet "$dll" --transports "$transport" --rounds 1 "${args[@]}" >"$log" 2>&1 &
pid=$!
cleanup() {
  # SIGKILL: the bench server's host would turn SIGTERM into a shutdown the run's loops outlive.
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "/tmp/perf-$pid.map" "/tmp/perfinfo-$pid.map"
}
trap cleanup EXIT

# Wait for the scenario to start (bounded: a program that never gets there is reported, not waited for).
for _ in $(seq 600); do
  grep -q "$start_after" "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "profile.sh: the load program exited early" >&2; exit 1; }
  sleep 0.5
done
grep -q "$start_after" "$log" || { echo "profile.sh: the scenario did not start within 300 s" >&2; exit 1; }
sleep "$delay"

perf record -F 999 -g -p "$pid" -o "$out/perf.data" -- sleep "$seconds" >"$out/perf-record.log" 2>&1 &
record=$!
perf stat -e context-switches,cpu-migrations,task-clock -x, -o "$out/perf-stat.csv" -p "$pid" -- sleep "$seconds" >/dev/null 2>&1 &
stat=$!
t0=$(date +%s.%N)
t1=

# The profile ends after --seconds, or earlier when the scenario's window closes (its table is printed):
# either way it covers only the scenario's steady state.
# perf may still be writing its data after the profiled time: only a table that appears before the end of
# --seconds shortens the profile.
end=$(awk -v a="$t0" -v b="$seconds" 'BEGIN { printf "%.3f", a + b }')
while kill -0 "$record" 2>/dev/null; do
  if grep -q "^$table" "$log"; then
    now=$(date +%s.%N)
    if awk -v n="$now" -v e="$end" 'BEGIN { exit !(n < e) }'; then
      t1=$now
      kill -INT "$record" "$stat" 2>/dev/null || true
      echo "note: the scenario ended before --seconds; the profile is shorter" | tee -a "$out/summary.txt"
    fi
    break
  fi
  sleep 0.2
done
wait "$record" "$stat" || true
# perf's own start-up and write-out are not profiled time.
t1="${t1:-$end}"

for _ in $(seq 1800); do
  grep -A4 "^$table" "$log" | grep -q '^| [^-t]' && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
# The program's own figures for the scenario (its window holds the profiled seconds).
row="$(grep -A6 "^$table" "$log" | grep '^| [^-t]' | head -1 || true)"
[ -n "$row" ] || { cat "$log"; echo "profile.sh: no result row for the scenario" >&2; exit 1; }
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true

# perf report reads the JIT map by the process id: report before cleanup removes it.
perf script -i "$out/perf.data" -F comm,ip,sym,dso 2>/dev/null >"$out/perf.script"
cp "/tmp/perf-$pid.map" "$out/" 2>/dev/null || true

awk -v row="$row" -v scenario="$scenario" -v t0="$t0" -v t1="$t1" -v top="$top" -v statfile="$out/perf-stat.csv" '
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function num(s) { gsub(/,/, "", s); return s + 0 }
# One row per method: the JIT tier, the return type, the module and the arguments dropped.
function method(sym, dso,    m, p) {
  if (sym == "" || sym == "[unknown]") return "[" module(dso) "]"
  sub(/\[[A-Za-z0-9]+\][ ]*$/, "", sym)
  sub(/^instance /, "", sym)
  if (match(sym, /\[[^] ]+\] /)) sym = substr(sym, RSTART + RLENGTH)
  if ((m = index(sym, "::")) > 0 && (p = index(substr(sym, m), "(")) > 0) sym = substr(sym, 1, m + p - 2)
  if (dso ~ /kallsyms/) sym = sym " [kernel]"
  return sym
}
function module(dso) {
  if (dso ~ /kallsyms/) return "kernel"
  if (dso ~ /perf-[0-9]+\.map/ || dso == "") return "JIT-compiled .NET code"
  n = split(dso, parts, "/"); return parts[n]
}
BEGIN {
  # Frames every thread-pool sample passes through: as inclusive rows they would say nothing.
  plumbing = "^(start_thread|\\[libcoreclr\\.so\\]|\\[libc\\.so\\.6\\]|System\\.Threading\\.Thread::StartCallback|System\\.Threading\\.Thread\\+StartHelper::.*|System\\.Threading\\.PortableThreadPool\\+WorkerThread::.*|System\\.Threading\\.ThreadPoolWorkQueue::Dispatch|System\\.Threading\\.ExecutionContext::Run.*|(entry_SYSCALL_64_after_hwframe|do_syscall_64) \\[kernel\\])$"
  while ((getline line < statfile) > 0) {
    split(line, f, ",")
    if (f[3] == "context-switches") cs = f[1]
    if (f[3] == "cpu-migrations") mig = f[1]
    if (f[3] == "task-clock") clock = f[1]
  }
  split(row, c, "|")
  if (scenario == "small64") { rate = num(c[3]); cpu = trim(c[9]); unit = "req/s" }
  else { rate = num(c[3]) / 64; cpu = trim(c[11]) " ms"; unit = "req/s (" trim(c[3]) " MiB/s of 64 MiB requests)" }
  seconds = t1 - t0
  requests = rate * seconds
}
/^[^\t]/ { if (frames > 0) flush(); comm = trim($0); sub(/[ ]+[0-9]+$/, "", comm); frames = 0; next }
/^\t/ {
  line = trim($0)
  addr = line; sub(/ .*/, "", addr); rest = substr(line, length(addr) + 2)
  dso = ""
  if (match(rest, /\([^()]*\)$/)) { dso = substr(rest, RSTART + 1, RLENGTH - 2); rest = substr(rest, 1, RSTART - 1) }
  sym = trim(rest)
  frames++; stack[frames] = method(sym, dso); dsos[frames] = module(dso)
  next
}
END { if (frames > 0) flush(); report() }
function flush(    i, seen) {
  samples++
  threads[comm]++
  # The JIT thread compiles warm-up leftovers: counted in the thread table, left out of the frame tables.
  if (comm == ".NET Tiered Com") { frames = 0; return }
  code++
  self[stack[1]]++
  mods[dsos[1]]++
  for (i = 1; i <= frames; i++) if (!(stack[i] in seen) && stack[i] !~ plumbing) { seen[stack[i]] = 1; incl[stack[i]]++ }
  delete seen
  frames = 0
}
function sorted(arr, title, limit, total,    k, n, i, j, keys, t) {
  n = 0; for (k in arr) keys[++n] = k
  for (i = 2; i <= n; i++) { t = keys[i]; for (j = i - 1; j >= 1 && arr[keys[j]] < arr[t]; j--) keys[j + 1] = keys[j]; keys[j + 1] = t }
  print ""; print "### " title; print ""; print "| share | frame |"; print "|---:|---|"
  # Double backticks: generic names carry single ones (`1); a | would end the table cell.
  for (i = 1; i <= n && i <= limit; i++) { t = keys[i]; gsub(/\|/, "\\|", t); printf "| %.1f %% | `` %s `` |\n", 100 * arr[keys[i]] / total, t }
}
function report() {
  print "load program row: " row
  printf "profiled %.1f s inside the measured window; %s samples\n", seconds, samples
  if (rate > 0) {
    printf "requests in the profiled window (rate %.1f %s x %.1f s): %.0f\n", rate, unit, seconds, requests
    printf "context switches: %s (%.2f per request); CPU migrations: %s\n", cs, cs / requests, mig
    printf "CPU (perf task-clock): %.0f ms = %.1f µs per request; the program says %s per request\n", clock, clock * 1000 / requests, cpu
    if (scenario == "download64") printf "per MiB: %.1f context switches, %.0f µs of CPU\n", cs / (requests * 64), clock * 1000 / (requests * 64)
  }
  sorted(threads, "Samples by thread (JIT = \".NET Tiered Com\": above a few % the code was still warming up)", 10, samples)
  printf "\nThe tables below leave the JIT thread out: shares of the other %d samples.\n", code
  sorted(mods, "Samples by module (self)", 10, code)
  sorted(self, "Top frames, self", top, code)
  sorted(incl, "Top frames, inclusive (thread start and thread-pool dispatch left out)", top, code)
}' "$out/perf.script" | tee -a "$out/summary.txt"

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/summary.txt"
echo "files: $out (summary.txt, load.txt, perf.data; perf report -i $out/perf.data needs $out/perf-$pid.map copied back to /tmp)"
