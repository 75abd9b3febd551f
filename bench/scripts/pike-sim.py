#!/usr/bin/env python3
"""Pike's load as a closed loop with an ideal balancer (no overhead, no scheduler): what each policy's completion
time would be, and how much one run's p99 moves from seed to seed at a given measured duration. It says how long a
run of run-pike-load.sh must be, and what to expect of each policy; it measures nothing of Fulcrum.

    bench/scripts/pike-sim.py [DURATION_S ...]      (default: 20 60)

100 requesters each think uniform 0..200 ms, submit, and wait for the reply; 10 workers run each request for
uniform 0..100 ms, one at a time, in the order queued at them. A request the cap leaves no room for waits in one
FIFO (the ring) for the first worker with room. Policies: least-loaded (fewest pending, ties to the lowest index)
with a cap of 1 (what joinIdleQueue does, and what adaptive binding sets for tasks this long) and of 16, and round
robin (the next worker in turn with room) with a cap of 16 and of 100 (no cap). Completion times are recorded for
requests submitted after 5 s of warm-up and replied before the end, as PikeDemo does; 12 seeds per cell.
"""
import heapq
import random
import statistics
import sys

REQUESTERS, WORKERS, THINK_S, WORK_S, WARMUP_S, SEEDS = 100, 10, 0.2, 0.1, 5.0, 12


def run(policy, cap, duration_s, seed):
    rnd = random.Random(seed)
    events, order = [], 0

    def at(t, kind, data):
        nonlocal order
        order += 1
        heapq.heappush(events, (t, order, kind, data))

    for r in range(REQUESTERS):
        at(rnd.uniform(0, THINK_S), "submit", r)
    pending, queues, busy = [0] * WORKERS, [[] for _ in range(WORKERS)], [False] * WORKERS
    ring, next_rr, times = [], 0, []
    end = WARMUP_S + duration_s

    def start(w, t):
        if not busy[w] and queues[w]:
            r, submitted, work = queues[w].pop(0)
            busy[w] = True
            at(t + work, "done", (w, r, submitted))

    def place(t):
        nonlocal next_rr
        while ring:
            if policy == "leastLoaded":
                w = min(range(WORKERS), key=lambda i: pending[i])
                if pending[w] >= cap:
                    return
            else:
                w = next((c for c in ((next_rr + k) % WORKERS for k in range(WORKERS)) if pending[c] < cap), None)
                if w is None:
                    return
                next_rr = (w + 1) % WORKERS
            pending[w] += 1
            queues[w].append(ring.pop(0))
            start(w, t)

    while events:
        t, _, kind, data = heapq.heappop(events)
        if kind == "submit":
            if t < end:
                ring.append((data, t, rnd.uniform(0, WORK_S)))
                place(t)
        else:
            w, r, submitted = data
            busy[w] = False
            pending[w] -= 1
            if submitted >= WARMUP_S and t < end:
                times.append(t - submitted)
            at(t + rnd.uniform(0, THINK_S), "submit", r)
            start(w, t)
            place(t)
    times.sort()
    return times[len(times) // 2] * 1e3, times[int(0.99 * len(times))] * 1e3, len(times)


def main(durations):
    print("%-12s %4s %10s %8s %8s %26s %10s" % ("policy", "cap", "measured", "n", "p50 ms", "p99 ms med (min to max)",
                                                "p99 sd ms"))
    for policy, cap in [("leastLoaded", 1), ("leastLoaded", 16), ("roundRobin", 16), ("roundRobin", 100)]:
        for duration_s in durations:
            cells = [run(policy, cap, duration_s, seed) for seed in range(SEEDS)]
            p99 = [c[1] for c in cells]
            print("%-12s %4d %9.0fs %8d %8.0f %26s %10.1f" % (
                policy, cap, duration_s, statistics.median(c[2] for c in cells),
                statistics.median(c[0] for c in cells),
                "%.0f (%.0f to %.0f)" % (statistics.median(p99), min(p99), max(p99)), statistics.stdev(p99)))


if __name__ == "__main__":
    main([float(a) for a in sys.argv[1:]] or [20.0, 60.0])
