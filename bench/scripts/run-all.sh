#!/usr/bin/env bash
# Every benchmark of bench/README.md, one after another, into bench/results/<date>/ (about 20 minutes on 2 cores).
# Run from the repository root on a quiet machine: nothing else running (see bench/README.md, Machine hygiene).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="bench/results/$(date -u +%Y-%m-%d)"
mkdir -p "$out"
mvn -B -q -pl bench -am package -DskipTests
jar=bench/target/benchmarks.jar
bench/scripts/machine.sh > "$out/machine.txt"

java -jar "$jar" '\.ThroughputBenchmark\.' -rf json -rff "$out/throughput.json" > "$out/throughput.txt" 2>&1
java -jar "$jar" '\.ThroughputBenchmark\.oneProducer' -p workers=2 \
  -p impl=fulcrum-leastLoaded-yield,fulcrum-shared-leastLoaded-yield,disruptor-yield \
  -rf json -rff "$out/throughput-yield.json" > "$out/throughput-yield.txt" 2>&1
java -jar "$jar" RoundTripLatencyBenchmark -rf json -rff "$out/latency.json" > "$out/latency.txt" 2>&1
java -jar "$jar" '\.ThroughputBenchmark\.oneProducer' -p workers=2 -prof gc \
  -rf json -rff "$out/allocation.json" > "$out/allocation.txt" 2>&1
java -jar "$jar" KeyedThroughputBenchmark -rf json -rff "$out/keyed-throughput.json" \
  > "$out/keyed-throughput.txt" 2>&1
java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp "$jar" dev.fulcrum.bench.LatencyHarness --out="$out/harness" \
  > "$out/harness.txt" 2>&1
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
echo "results in $out"
