#!/usr/bin/env bash
# The balance goals: the HdrHistogram harness's balance part (open loop, one sender, completion time from the intended
# send time) with tasks that park for their time (--task=park: 4 workers hold work without holding the 2 cores),
# 4 workers, short task 200 us, offered at 50% of the workers' capacity (the sum of 1 / mean task time, as the tasks
# really take it: a park's overshoot, measured by the harness at start, added; the slow worker at a quarter).
#
#   bench/scripts/run-balance-goals.sh OUT_DIR
#   bench/scripts/balance-table.py OUT_DIR
#
# Scenarios (OUT_DIR/<scenario>/run-<n>/<contender>/: the harness's summary.md, .hgrm and .svg; its log beside):
#   heavy-tail   0.1% of tasks 100x longer (20 ms): fulcrum-default (adaptive cap) against fixed caps 1, 2, 4, 8, 16,
#                32, 64 (fulcrum-pN-fixed), to find the best fixed cap;
#   slow-worker  no long tasks, one worker 4x slower (--slow-worker=0.25: the first thread to run a task; the offered
#                rate is 50% of 3.25 workers):
#                fulcrum-default (leastLoaded) against fulcrum-peakEwma-default;
#   equal        no long tasks, every worker alike: the same two.
# Every Fulcrum contender is DEDICATED here (4 workers: the engine's default and the pN-fixed specs' alike): a
# balancer thread and 4 workers with Fulcrum's default back-off idle strategy, plus its watchdog, beside the harness's
# sender, which parks while its next send is far off and yields while it is near. Each contender runs RUNS (3) times,
# each run in a fresh JVM, runs interleaved (run 1 of everything, then run 2, ...) so that a change in the machine
# spreads over every contender; each run is WARMUP_MS (3,000) unrecorded, then DURATION_MS (15,000) recorded (about
# 108,000 requests in the heavy tail, 108 of them long): 36 JVMs of about 19.5 s, about 12 minutes in all. Run from
# anywhere on a quiet machine (bench/README.md, Machine hygiene).
#
# Environment, for smoke runs: RUNS, DURATION_MS, WARMUP_MS, JAR (a built benchmarks jar: no build), SCENARIOS (some
# of the three, space-separated).
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
mkdir -p "$1"
out="$(cd "$1" && pwd)"
if [[ -n "${JAR:-}" ]]; then
  JAR="$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")"
fi
cd "$(dirname "$0")/../.."
runs="${RUNS:-3}"
duration_ms="${DURATION_MS:-15000}"
warmup_ms="${WARMUP_MS:-3000}"

common="--parts=balance --task=park --balance-workers=4 --short-ns=200000 --long-factor=100 --balance-load=0.5"
common="$common --duration-ms=$duration_ms --open-warmup-ms=$warmup_ms"
read -r -a scenarios <<< "${SCENARIOS:-heavy-tail slow-worker equal}"
declare -A flags=(
  [heavy-tail]="--long-percent=0.1"
  [slow-worker]="--long-percent=0 --slow-worker=0.25"
  [equal]="--long-percent=0"
)
declare -A impls=(
  [heavy-tail]="fulcrum-default fulcrum-p1-fixed fulcrum-p2-fixed fulcrum-p4-fixed fulcrum-p8-fixed fulcrum-p16-fixed fulcrum-p32-fixed fulcrum-p64-fixed"
  [slow-worker]="fulcrum-default fulcrum-peakEwma-default"
  [equal]="fulcrum-default fulcrum-peakEwma-default"
)

jvms=0
for s in "${scenarios[@]}"; do
  jvms=$((jvms + runs * $(wc -w <<< "${impls[$s]}")))
done
# 1.5 s per JVM besides its run: start, a 1 GiB pre-touched heap, the engine's start, the drain and the files
minutes=$(awk "BEGIN {printf \"%.1f\", $jvms * (($warmup_ms + $duration_ms) / 1000 + 1.5) / 60}")
echo "run-balance-goals: $jvms JVMs (${#scenarios[@]} scenarios, $runs runs of each contender)," \
  "each ${warmup_ms} ms warm-up + ${duration_ms} ms measured: about $minutes minutes"

if [[ -z "${JAR:-}" ]]; then
  mvn -B -q -pl bench -am package -DskipTests
  jar=bench/target/benchmarks.jar
else
  jar="$JAR"
fi
bench/scripts/machine.sh > "$out/machine.txt"
echo "harness: $common; runs: $runs" >> "$out/machine.txt"

for run in $(seq 1 "$runs"); do
  for s in "${scenarios[@]}"; do
    for impl in ${impls[$s]}; do
      dir="$out/$s/run-$run"
      mkdir -p "$dir"
      echo "$(date -u +%T) $s run $run $impl"
      # shellcheck disable=SC2086 # the option strings are word lists
      java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp "$jar" dev.fulcrum.bench.LatencyHarness $common ${flags[$s]} \
        --balance-impls="$impl" --out="$dir/$impl" > "$dir/$impl.txt" 2>&1
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
python3 bench/scripts/balance-table.py "$out" | tee "$out/balance-table.md"
echo "results in $out"
