#!/usr/bin/env bash
# The executor figures (bench/README.md, "Executor and ordered executor"): ExecutorThroughputBenchmark with -prof gc,
# then OrderedExecutorHarness at its default load (1,000 Zipf keys, 4 workers, heavy tail, 50%). About 3 minutes on 2 cores. Run from anywhere, on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="bench/results/$(date -u +%Y-%m-%d)"
mkdir -p "$out"
mvn -B -q -pl bench -am package -DskipTests
jar=bench/target/benchmarks.jar
bench/scripts/machine.sh > "$out/machine-executor.txt"

java -jar "$jar" ExecutorThroughputBenchmark -prof gc -rf json -rff "$out/executor-throughput.json" \
  > "$out/executor-throughput.txt" 2>&1
java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp "$jar" dev.fulcrum.bench.OrderedExecutorHarness \
  --out="$out/ordered-executor" > "$out/ordered-executor.txt" 2>&1
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine-executor.txt"
echo "results in $out"
