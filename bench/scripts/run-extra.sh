#!/usr/bin/env bash
# The harness runs bench/README.md quotes besides run-all.sh: open loop at one fixed rate for everyone, and balance
# with parking tasks (4 workers fit 2 cores). About 5 minutes. Run from anywhere, after run-all.sh (same jar).
set -euo pipefail
cd "$(dirname "$0")/../.."
out="bench/results/$(date -u +%Y-%m-%d)"
mkdir -p "$out"
h="java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp bench/target/benchmarks.jar dev.fulcrum.bench.LatencyHarness"
$h --parts=open --fixed-rates=1000000 --out="$out/harness-open-fixed-1M" \
  --latency-impls=fulcrum-shared-spin,fulcrum-shared-yield,fulcrum-shared-backoff,fulcrum-dedicated-backoff,tpeCallback,forkJoin,disruptor-spin,disruptor-backoff \
  > "$out/harness-open-fixed-1M.txt" 2>&1
balance="--parts=balance --task=park --balance-workers=4 --short-ns=200000 --long-factor=100 --balance-load=0.5 --duration-ms=10000 --warmup-ms=1000"
impls="fulcrum-leastLoaded,fulcrum-leastLoaded-p1,fulcrum-roundRobin,fulcrum-powerOfTwoChoices,fulcrum-joinIdleQueue,tpeCallback,forkJoin,disruptor"
for pct in 0.1 0.5 1; do
  $h $balance --long-percent=$pct --balance-impls=$impls --out="$out/harness-balance-park-$pct" \
    > "$out/harness-balance-park-$pct.txt" 2>&1
done
echo "results in $out"
