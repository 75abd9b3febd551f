#!/usr/bin/env bash
# The throughput table of the performance goals: ThroughputBenchmark (tiny task, each producer keeping a window of
# requests in flight) with Fulcrum as a user who takes its defaults gets it (fulcrum-default: the engine chooses the
# threading mode, the idle strategy and the adaptive cap), the engine's old default for comparison
# (fulcrum-p16-fixed: DEDICATED, back-off, fixed cap 16), ForkJoinPool (forkJoin) and a ThreadPoolExecutor with a
# callback (tpeCallback).
#
#   bench/scripts/run-defaults.sh OUT_DIR
#   bench/scripts/goals-table.py OUT_DIR/*.json
#
# Cells: window 16 and 1024 x 1 and 4 producers x 1, 2 and 4 workers x 4 contenders = 48, 3 forks each (144 fresh
# JVMs), each fork 3 x 1 s warm-up and 4 x 1 s measured (the benchmark's own annotations, as in bench/README.md's
# throughput command): about 23 minutes on 2 cores, 9.5 s per fork with JVM start and JMH's own set-up (2 to 2.5 s
# per fork in a smoke run). More iterations would take the run past 35 minutes. One JMH run (and JSON file) per
# window and producer count, so a failure loses one quarter at most. Run from anywhere on a quiet machine (see
# bench/README.md, Machine hygiene).
#
# Environment, for smoke runs: FORKS (3), WARMUP (3) and ITERATIONS (4) iterations of TIME (1s, JMH's form: 100ms),
# WORKERS (1,2,4), WINDOWS ("16 1024"), JAR (a built benchmarks jar: no build).
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
forks="${FORKS:-3}"
warmup="${WARMUP:-3}"
iterations="${ITERATIONS:-4}"
time="${TIME:-1s}"
workers="${WORKERS:-1,2,4}"
windows="${WINDOWS:-16 1024}"
impls="fulcrum-default,fulcrum-p16-fixed,forkJoin,tpeCallback"

# seconds of one iteration, from JMH's time form (1s, 500ms)
case "$time" in
  *ms) iteration_s=$(awk "BEGIN {print ${time%ms} / 1000}") ;;
  *s) iteration_s="${time%s}" ;;
  *) echo "TIME must be like 1s or 500ms: TIME=$time" >&2; exit 2 ;;
esac
n_windows=$(wc -w <<< "$windows")
n_workers=$(tr ',' '\n' <<< "$workers" | wc -l)
n_impls=$(tr ',' '\n' <<< "$impls" | wc -l)
jvms=$((n_windows * 2 * n_workers * n_impls * forks))
# 2.5 s per fork besides its iterations: JVM start, a 1 GiB pre-touched heap, JMH's set-up, the engine's start and close
minutes=$(awk "BEGIN {printf \"%.1f\", $jvms * (($warmup + $iterations) * $iteration_s + 2.5) / 60}")
echo "run-defaults: $jvms forks ($n_windows windows x 2 producer counts x $n_workers worker counts x $n_impls" \
  "contenders x $forks forks), $warmup + $iterations iterations of $time each: about $minutes minutes"

if [[ -z "${JAR:-}" ]]; then
  mvn -B -q -pl bench -am package -DskipTests
  jar=bench/target/benchmarks.jar
else
  jar="$JAR"
fi
bench/scripts/machine.sh > "$out/machine.txt"
echo "options: -f $forks -wi $warmup -i $iterations -w $time -r $time -p workers=$workers -p impl=$impls" \
  "windows: $windows" >> "$out/machine.txt"

failures=0
for window in $windows; do
  for method in oneProducer fourProducers; do
    name="throughput-window$window-$method"
    echo "$(date -u +%T) $name"
    java -jar "$jar" "\\.ThroughputBenchmark\\.$method\$" -f "$forks" -wi "$warmup" -i "$iterations" \
      -w "$time" -r "$time" -p window="$window" -p workers="$workers" -p impl="$impls" \
      -rf json -rff "$out/$name.json" > "$out/$name.txt" 2>&1
    failed=$(grep -c '<failure>' "$out/$name.txt" || true)
    if [[ "$failed" -gt 0 ]]; then
      echo "  $failed benchmark(s) failed: see $out/$name.txt" >&2
      failures=$((failures + failed))
    fi
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
python3 bench/scripts/goals-table.py "$out"/*.json | tee "$out/goals-table.md"
echo "results in $out"
if [[ "$failures" -gt 0 ]]; then
  echo "$failures benchmark(s) failed" >&2
  exit 1
fi
