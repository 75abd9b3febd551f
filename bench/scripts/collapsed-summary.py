#!/usr/bin/env python3
"""Summarise an async-profiler collapsed-stacks file recorded with threads (JMH: -prof
"async:...;output=collapsed;threads=true"; an agent: -agentpath:...=start,threads,collapsed,file=F).

  bench/scripts/collapsed-summary.py FILE [TOP]

Prints each thread's share of the samples (threads numbered alike are merged: fulcrum-worker-N), how much of each
thread's time was waiting (yield, park, spin: the frames Thread.yield, a park or sleep, onSpinWait or a busy-spin idle
strategy) and, with TOP above 0, each of the two busiest threads' TOP leaf frames (self time)."""
import collections
import re
import sys


def kind(frames):
    stack = ";".join(frames)
    if "Thread.yield" in stack or "sched_yield" in stack:
        return "yield"
    if "parkNanos" in stack or "Unsafe.park" in stack or "futex" in stack or "nanosleep" in stack:
        return "park"
    if "onSpinWait" in stack or "BusySpin" in stack:
        return "spin"
    return "other"


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    top = int(sys.argv[2]) if len(sys.argv) == 3 else 0
    threads = collections.Counter()
    kinds = collections.defaultdict(collections.Counter)
    leaves = collections.defaultdict(collections.Counter)
    with open(sys.argv[1]) as f:
        for line in f:
            stack, count = line.rstrip("\n").rsplit(" ", 1)
            frames = stack.split(";")
            thread = re.sub(r"-\d+\]$", "-N]", re.sub(r" tid=\d+", "", frames[0]))
            threads[thread] += int(count)
            kinds[thread][kind(frames)] += int(count)
            leaves[thread][frames[-1]] += int(count)
    total = sum(threads.values())
    every = collections.Counter()
    for thread in threads:
        every.update(kinds[thread])
    print("%d samples: %s" % (total, ", ".join("%s %.0f%%" % (k, 100.0 * v / total) for k, v in every.most_common())))
    for thread, n in threads.most_common(8):
        print("  %-50s %6d %5.1f%%  %s" % (thread, n, 100.0 * n / total,
                                          ", ".join("%s %.0f%%" % (k, 100.0 * v / n) for k, v in kinds[thread].most_common())))
    for thread, n in threads.most_common(2) if top > 0 else []:
        print("self time, %s:" % thread)
        for frame, m in leaves[thread].most_common(top):
            print("  %6d %5.1f%%  %s" % (m, 100.0 * m / n, frame))


if __name__ == "__main__":
    main()
