#!/usr/bin/env bash
# The hot-path budget: round trip, throughput and allocation of the engine, 5 forks each, for one or more builds
# of the benchmarks jar, measured one after another in the same run so that a change to core is judged against
# its baseline on the same machine at the same time.
#
#   bench/scripts/budget.sh OUT_DIR LABEL=JAR [LABEL=JAR ...]
#
# Build a baseline jar from an earlier commit with, for example:
#   git worktree add /tmp/fulcrum-base <commit> && (cd /tmp/fulcrum-base && mvn -B -q -pl bench -am package -DskipTests)
# Run on a quiet machine (nothing else building or benchmarking). About 8 minutes per jar on 2 cores.
# PARTS="latency throughput allocation" (the default) picks which parts run.
# ARGS_<LABEL>="..." adds JVM arguments to that label's forks (-jvmArgsAppend), so that one jar can be measured
# with a setting off and on in one run, e.g. ARGS_hist="-Dfulcrum.latency=true" ... off=JAR hist=JAR.
set -euo pipefail
out="$1"; shift
mkdir -p "$out"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"
parts="${PARTS:-latency throughput allocation}"
for spec in "$@"; do
  label="${spec%%=*}"; jar="${spec#*=}"
  # -jvmArgsAppend on the command line replaces the benchmarks' own (@Fork), so theirs are repeated here
  args_var="ARGS_${label}"; extra=(-jvmArgsAppend "-Xms1g -Xmx1g -XX:+AlwaysPreTouch ${!args_var:-}")
  echo "$label: $jar ${!args_var:-}" >> "$out/machine.txt"
  if [[ " $parts " == *" latency "* ]]; then
  # Round trip: 1 requester busy-spinning, 1 worker; shared-spin = 2 spinning threads on 2 cores.
  java -jar "$jar" RoundTripLatencyBenchmark -f 5 -wi 3 -i 3 "${extra[@]}" \
    -p impl=fulcrum-shared-spin,fulcrum-shared-backoff,fulcrum-dedicated-backoff \
    -rf json -rff "$out/latency-$label.json" > "$out/latency-$label.txt" 2>&1
  fi
  if [[ " $parts " == *" throughput "* ]]; then
  # Throughput: window 16, 2 workers, default back-off, 1 and 4 producers.
  java -jar "$jar" '\.ThroughputBenchmark\.' -f 5 -wi 3 -i 3 -p workers=2 "${extra[@]}" \
    -p impl=fulcrum-shared-leastLoaded,fulcrum-leastLoaded \
    -rf json -rff "$out/throughput-$label.json" > "$out/throughput-$label.txt" 2>&1
  fi
  if [[ " $parts " == *" allocation "* ]]; then
  # Allocation per round trip (gc profiler), 1 producer, 2 workers.
  java -jar "$jar" '\.ThroughputBenchmark\.oneProducer' -f 1 -wi 3 -i 3 -p workers=2 "${extra[@]}" \
    -p impl=fulcrum-shared-leastLoaded,fulcrum-leastLoaded -prof gc \
    -rf json -rff "$out/allocation-$label.json" > "$out/allocation-$label.txt" 2>&1
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
echo "results in $out"
