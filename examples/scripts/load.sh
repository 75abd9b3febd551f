#!/usr/bin/env bash
# Load test of the ingest server (dev.fulcrum.examples.ingest.IngestServer) with wrk, on loopback only.
#
#   examples/scripts/load.sh            # from the repository root, or from anywhere
#
# Runs, each bounded in time (about two minutes in all):
#   1. queued vs durable, side by side: wrk -t1 -c64, one payload per request (Castilho's case), after a short
#      warm-up, once with ACK_MODE=queued and once with ACK_MODE=durable; prints requests/s, latency percentiles,
#      payloads acknowledged (the server's count of payloads answered 202) and payloads found (what recovery counts
#      in the directory when the server is started again on it). The queued server is stopped with SIGTERM, the
#      durable one with SIGKILL: it must lose nothing it acknowledged even so.
#   2. abuse: 500 slowloris connections and 300 half-sent 1 MiB bodies at once, and a legitimate client
#      (dev.fulcrum.examples.IngestAbuseLoad), against the default (durable) server; ABUSE=0 skips it.
#   3. overload (OVERLOAD=1 only): a small queue (MAX_QUEUE=256), 512 connections and 32 payloads per request, so
#      the workers cannot keep up: 503s, the server's RSS during the run, and the heap after a full GC.
# A summary table of run 1 closes the output, with the load average and the filesystem of the data directory.
#
# Settings (environment): DURATION (20s), WARMUP (5s), CONNECTIONS (64), WRK_THREADS (1), PAYLOADS_PER_REQUEST (1),
# MODES ("queued durable"), ABUSE (1), ABUSE_MS (20000), OVERLOAD (0), OVERLOAD_CONNECTIONS (512),
# OVERLOAD_MAX_QUEUE (256), OVERLOAD_PAYLOADS_PER_REQUEST (32), HEAP (256m), JAVA_OPTS (extra JVM options),
# REBUILD=1 (rebuild the jar first), DATA_ROOT (where the data directories go; default a fresh directory under
# TMPDIR or /tmp: its filesystem is what durable mode measures). The server's own variables (MAX_WORKERS, MAX_QUEUE,
# POLICY, THREADING, IO_THREADS, ...) are passed through to every run.
set -euo pipefail

DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-1}
PAYLOADS_PER_REQUEST=${PAYLOADS_PER_REQUEST:-1}
MODES=${MODES:-queued durable}
ABUSE=${ABUSE:-1}
ABUSE_MS=${ABUSE_MS:-20000}
OVERLOAD=${OVERLOAD:-0}
OVERLOAD_CONNECTIONS=${OVERLOAD_CONNECTIONS:-512}
OVERLOAD_MAX_QUEUE=${OVERLOAD_MAX_QUEUE:-256}
OVERLOAD_PAYLOADS_PER_REQUEST=${OVERLOAD_PAYLOADS_PER_REQUEST:-32}
HEAP=${HEAP:-256m}
JAVA_OPTS=${JAVA_OPTS:-}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
JAR="$ROOT/examples/target/fulcrum-examples.jar"
WORK=$(mktemp -d "${DATA_ROOT:-${TMPDIR:-/tmp}}/fulcrum-ingest-load.XXXXXX")
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 150; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '%s\n' "$*"; }

# --- prerequisites -------------------------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  log "wrk not found: installing the Debian package"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq wrk
fi
if [[ "${REBUILD:-0}" == "1" || ! -f "$JAR" ]]; then
  log "building $JAR"
  (cd "$ROOT" && mvn -B -q -pl examples -am package -DskipTests)
fi

# --- helpers -------------------------------------------------------------------------------------------------------
# write a wrk script that POSTs one fixed body of $1 payloads
lua_script() {
  local n=$1 file="$WORK/post-$1.lua" payload body i
  payload='{"id":"b7c1d0e2","kind":"metric","ts":1700000000123,"host":"web-17","values":[12.5,13.25,11.0]}'
  body="$payload"
  for ((i = 1; i < n; i++)); do body="$body,$payload"; done
  cat > "$file" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"payloads":[$body]}'
EOF
  printf '%s' "$file"
}

# start_server NAME [VAR=value ...]: starts the server on a free loopback port; sets SERVER_PID, PORT, DATA, LOGFILE.
# The data directory is DATA_DIR when set (a restart on the same directory), else a new one per NAME.
start_server() {
  local name=$1; shift
  DATA="${DATA_DIR:-$WORK/data-$name}"
  LOGFILE="$WORK/server-$name.log"
  : > "$LOGFILE" # exists before the server writes to it, so the wait below never greps a missing file
  # shellcheck disable=SC2086
  env "$@" PORT=0 BIND_ADDRESS=127.0.0.1 SINK_DIR="$DATA" \
    java -Xms"$HEAP" -Xmx"$HEAP" $JAVA_OPTS -cp "$JAR" dev.fulcrum.examples.ingest.IngestServer > "$LOGFILE" 2>&1 &
  SERVER_PID=$!
  disown "$SERVER_PID" # no "Killed" job notice from bash when a run ends with SIGKILL; stop_server polls instead
  local deadline=$((SECONDS + 30))
  until grep -q 'listening port=' "$LOGFILE"; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || ((SECONDS > deadline)); then
      log "server did not start:"; cat "$LOGFILE"; exit 1
    fi
    sleep 0.2
  done
  PORT=$(sed -n 's/.*listening port=\([0-9]*\).*/\1/p' "$LOGFILE")
  RECOVERED=$(sed -n 's/^ingest: recovered dir=[^ ]* //p' "$LOGFILE")
}

# stop_server SIGNAL: stop the server and wait for it
stop_server() {
  kill -"$1" "$SERVER_PID"
  local deadline=$((SECONDS + 30))
  while kill -0 "$SERVER_PID" 2>/dev/null; do
    if ((SECONDS > deadline)); then log "server did not stop in 30 s: killing it"; kill -KILL "$SERVER_PID"; fi
    sleep 0.2
  done
  SERVER_PID=""
}

# payloads the server acknowledged (answered 202), from its stats
acknowledged() { sed -n 's/.*"payloadsAccepted":\([0-9]*\).*/\1/p' <<< "$1"; }

# start a server on directory $1 again and print the payloads its recovery found, then stop it
found_after_restart() {
  local saved_pid=$SERVER_PID
  DATA_DIR="$1" start_server recheck
  sed -n 's/.* payloads=\([0-9]*\).*/\1/p' <<< "$RECOVERED"
  stop_server TERM
  SERVER_PID=$saved_pid
}

# stop the server with SIGTERM (graceful shutdown), then check the sink against what the server acknowledged
stop_server_and_check_sink() {
  stop_server TERM
  local closed accepted lines
  closed=$(grep 'ingest: closed' "$LOGFILE" | sed 's/^ingest: closed //')
  log "server closed: $closed"
  accepted=$(acknowledged "$closed")
  lines=$(cat "$DATA"/*.ndjson 2>/dev/null | wc -l)
  if [[ "$lines" == "$accepted" ]]; then
    log "sink check: $lines payload lines in $(ls "$DATA" | wc -l) files = $accepted payloads acknowledged: OK"
  else
    log "sink check: $lines payload lines but $accepted payloads acknowledged: MISMATCH"; exit 1
  fi
}

rss_kib() { ps -o rss= -p "$SERVER_PID" | tr -d ' '; }

# heap in use after a full GC, from jcmd (n/a when the JVM cannot be attached to)
heap_after_gc() {
  if jcmd "$SERVER_PID" GC.run >/dev/null 2>&1; then
    jcmd "$SERVER_PID" GC.heap_info 2>/dev/null |
      awk '/heap/ && /used/ {for (i = 1; i <= NF; i++) if ($i == "used") {print $(i + 1); exit}}' | tr -d ,
  else
    echo n/a
  fi
}

server_stats() {
  if command -v curl >/dev/null 2>&1; then curl -s "http://127.0.0.1:$PORT/v1/stats"; else echo "(curl missing)"; fi
}

# report WRK_OUTPUT: requests, 2xx rate, per minute, percentiles
report_wrk() {
  local out=$1 payloads=$2 seconds total non2xx ok
  seconds=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$out")
  total=$(awk '/requests in/ {print $1}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out"); non2xx=${non2xx:-0}
  ok=$((total - non2xx))
  awk -v t="$total" -v ok="$ok" -v n="$non2xx" -v s="$seconds" -v p="$payloads" 'BEGIN {
    printf "  requests:        %d in %.1f s, %.0f/s (%d answered 202, %d not 2xx)\n", t, s, t / s, ok, n
    printf "  accepted:        %.0f requests/s = %.2f M requests/min, %.2f M payloads/min\n",
      ok / s, ok / s * 60 / 1e6, ok / s * 60 * p / 1e6 }'
  printf '  latency:         p50 %s  p75 %s  p90 %s  p99 %s  max %s\n' \
    "$(awk '$1 == "50%" {print $2}' "$out")" "$(awk '$1 == "75%" {print $2}' "$out")" \
    "$(awk '$1 == "90%" {print $2}' "$out")" "$(awk '$1 == "99%" {print $2}' "$out")" \
    "$(awk '$1 == "Latency" {print $4}' "$out")"
  grep -q 'Socket errors' "$out" && printf '  %s\n' "$(grep 'Socket errors' "$out" | sed 's/^ *//')"
  WRK_RPS=$(awk -v t="$total" -v s="$seconds" 'BEGIN {printf "%.0f", t / s}')
  WRK_NON2XX=$non2xx
  WRK_P50=$(awk '$1 == "50%" {print $2}' "$out"); WRK_P99=$(awk '$1 == "99%" {print $2}' "$out")
  WRK_MAX=$(awk '$1 == "Latency" {print $4}' "$out")
  return 0
}

FS=$(df -T "$WORK" | awk 'NR == 2 {print $2 " on " $1 " (" $7 ")"}')
log "fulcrum ingest load test: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(java -version 2>&1 | head -1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), data on $FS"
log "note: the machine may be shared with other work; compare figures only within one run of this script"

# --- run 1: queued vs durable --------------------------------------------------------------------------------------
LUA=$(lua_script "$PAYLOADS_PER_REQUEST")
SUMMARY=()
for MODE in $MODES; do
  log ""
  log "== $MODE: ACK_MODE=$MODE, wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, $PAYLOADS_PER_REQUEST payload(s) per request"
  start_server "$MODE" ACK_MODE="$MODE"
  log "server: $(grep 'listening port=' "$LOGFILE" | sed 's/^ingest: //')"
  LOAD_AT_START=$(cut -d' ' -f1 /proc/loadavg)
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$LUA" "http://127.0.0.1:$PORT/v1/payloads" > /dev/null
  log "  warmed up for $WARMUP; server RSS $(rss_kib) KiB"
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" \
    "http://127.0.0.1:$PORT/v1/payloads" > "$WORK/wrk-$MODE.txt"
  report_wrk "$WORK/wrk-$MODE.txt" "$PAYLOADS_PER_REQUEST"
  STATS=$(server_stats)
  log "  server stats:     $STATS"
  ACKED=$(acknowledged "$STATS")
  if [[ "$MODE" == "durable" ]]; then SIGNAL=KILL; else SIGNAL=TERM; fi
  stop_server "$SIGNAL"
  FOUND=$(found_after_restart "$DATA")
  CHECK="OK"; [[ "$FOUND" -ge "$ACKED" ]] || CHECK="LOST $((ACKED - FOUND))"
  log "  stopped with SIG$SIGNAL; restarted on the directory: recovery found $FOUND payloads, $ACKED acknowledged: $CHECK"
  SUMMARY+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s (SIG%s) | %s |' "$MODE" "$WRK_RPS" "$WRK_P50" "$WRK_P99" \
    "$WRK_MAX" "$WRK_NON2XX" "$ACKED" "$FOUND" "$SIGNAL" "$LOAD_AT_START")")
  [[ "$CHECK" == "OK" ]] || exit 1
done

# --- run 2: abuse --------------------------------------------------------------------------------------------------
if [[ "$ABUSE" == "1" ]]; then
  log ""
  log "== abuse: 500 slowloris + 300 half-sent 1 MiB bodies at once + one legitimate client, ${ABUSE_MS} ms"
  start_server abuse
  log "server: $(grep 'listening port=' "$LOGFILE" | sed 's/^ingest: //')"
  log "  load average $(cut -d' ' -f1-3 /proc/loadavg)"
  ABUSE_RC=0
  java -cp "$JAR" dev.fulcrum.examples.IngestAbuseLoad --port="$PORT" --duration-ms="$ABUSE_MS" | sed 's/^/  /' ||
    ABUSE_RC=$?
  log "  server stats:     $(server_stats)"
  log "  server log (refusals are logged once per kind):"
  grep -v '^ingest: ' "$LOGFILE" | sed 's/^/    /' || true
  stop_server TERM
fi

# --- run 3: overload -----------------------------------------------------------------------------------------------
if [[ "$OVERLOAD" == "1" ]]; then
  LUA=$(lua_script "$OVERLOAD_PAYLOADS_PER_REQUEST")
  log ""
  log "== overload: MAX_QUEUE=$OVERLOAD_MAX_QUEUE, wrk -t$WRK_THREADS -c$OVERLOAD_CONNECTIONS -d$DURATION," \
    "$OVERLOAD_PAYLOADS_PER_REQUEST payloads per request"
  start_server overload MAX_QUEUE="$OVERLOAD_MAX_QUEUE"
  wrk -t"$WRK_THREADS" -c"$OVERLOAD_CONNECTIONS" -d"$WARMUP" -s "$LUA" "http://127.0.0.1:$PORT/v1/payloads" > /dev/null
  HEAP_BEFORE=$(heap_after_gc)
  RSS_BEFORE=$(rss_kib)
  log "  warmed up for $WARMUP; before: RSS $RSS_BEFORE KiB, heap used after full GC $HEAP_BEFORE"
  wrk -t"$WRK_THREADS" -c"$OVERLOAD_CONNECTIONS" -d"$DURATION" --latency -s "$LUA" \
    "http://127.0.0.1:$PORT/v1/payloads" > "$WORK/wrk-overload.txt" &
  WRK_PID=$!
  SAMPLES=""
  while kill -0 "$WRK_PID" 2>/dev/null; do
    sleep 4
    kill -0 "$WRK_PID" 2>/dev/null && SAMPLES="$SAMPLES $(rss_kib)"
  done
  wait "$WRK_PID"
  report_wrk "$WORK/wrk-overload.txt" "$OVERLOAD_PAYLOADS_PER_REQUEST"
  log "  server stats:     $(server_stats)"
  log "  RSS during run (KiB, every 4 s):$SAMPLES"
  log "  after:  RSS $(rss_kib) KiB, heap used after full GC $(heap_after_gc)" \
    "(before: RSS $RSS_BEFORE KiB, heap $HEAP_BEFORE)"
  stop_server_and_check_sink
fi

log ""
log "summary: wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, $PAYLOADS_PER_REQUEST payload(s) per request; data on $FS"
log "| ACK_MODE | requests/s | p50 | p99 | max | non-2xx | payloads acknowledged | payloads found | load average at start |"
log "|---|---|---|---|---|---|---|---|---|"
for line in "${SUMMARY[@]}"; do log "$line"; done
exit "${ABUSE_RC:-0}"
