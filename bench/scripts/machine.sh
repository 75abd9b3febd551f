#!/usr/bin/env bash
# What a run was measured on, for the top of a results directory: date, CPU, memory, JDK, load. Used by the run-*.sh
# scripts: bench/scripts/machine.sh > "$out/machine.txt"
set -euo pipefail
echo "date: $(date -u +%FT%TZ)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "java: $(java -version 2>&1 | head -1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
