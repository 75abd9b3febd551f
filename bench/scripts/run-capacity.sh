#!/usr/bin/env bash
# One balancer's capacity (CapacityReport: workers x policy x keyed, 3 forks each, and the same with the requests in
# flight held constant) and Pike's shape on virtual threads (PikeShapeBenchmark, 3 forks each), into
# bench/results/<UTC date>/. About 50 minutes on 2 cores. Run from anywhere, on a quiet machine.
#
#   bench/scripts/run-capacity.sh [JAVA]
#
# JAVA: the java of a JDK 21 or later for the Pike part (its requesters are virtual threads); default: java on the
# PATH. The capacity part runs on the java on the PATH (any JDK 17 or later).
set -euo pipefail
cd "$(dirname "$0")/../.."
java21="${1:-java}"
out="bench/results/$(date -u +%Y-%m-%d)"
mkdir -p "$out"
mvn -B -q -pl bench -am package -DskipTests
jar=bench/target/benchmarks.jar
bench/scripts/machine.sh > "$out/machine-capacity.txt"

java -cp "$jar" dev.fulcrum.bench.CapacityReport --out="$out" > "$out/balancer-capacity.txt" 2>&1
# the control: 4,096 requests in flight whatever the worker count (joinIdleQueue always holds one per worker)
java -cp "$jar" dev.fulcrum.bench.CapacityReport --out="$out/in-flight-4096" --in-flight=4096 --keyed=false \
  --policies=leastLoaded,roundRobin,powerOfTwoChoices,peakEwma > "$out/balancer-capacity-in-flight-4096.txt" 2>&1

# JMH calls sun.misc.Unsafe: JDK 23 and later want it allowed, earlier JDKs do not know the flag
flag=()
if "$java21" --sun-misc-unsafe-memory-access=allow -version > /dev/null 2>&1; then
  flag=(--sun-misc-unsafe-memory-access=allow)
fi
echo "pike java: $("$java21" -version 2>&1 | head -1)" >> "$out/machine-capacity.txt"
"$java21" "${flag[@]}" -jar "$jar" PikeShapeBenchmark -rf json -rff "$out/pike-shape.json" \
  > "$out/pike-shape.txt" 2>&1
python3 bench/scripts/forks.py "$out/pike-shape.json" > "$out/pike-shape-forks.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine-capacity.txt"
echo "results in $out"
