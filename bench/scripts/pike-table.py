#!/usr/bin/env python3
"""The table of a run-pike-load.sh directory: per configuration, completion time p50 and p99 (ms) as the median
(min to max) over its runs, and least-loaded's p99 with the engine's defaults against Pike's Go heap balancer.

    bench/scripts/pike-table.py OUT_DIR

Reads OUT_DIR/<configuration>-<run>.txt, each the output of one PikeDemo run with one policy. The figures come from
the summary table PikeDemo prints: a column is found by where its heading ends (PikeDemo right-aligns each number
under its heading), so a column added to the table does not shift the others. "most pending" is the largest pending
count of one worker in any sample: 1 when the adaptive cap has dropped to 1 for Pike's long tasks, more when it has
not (or with a fixed cap).
"""
import os
import re
import statistics
import sys

GO_HEAP_P99_MS = 598.0  # Pike's Go heap balancer on the same load, measured on the machine these runs target
GOAL_RATIO = 0.85
ORDER = ["leastLoaded-default", "leastLoaded-fixed", "joinIdleQueue-default", "roundRobin-default"]
COLUMNS = ["requests/s", "most pending", "p50 ms", "p99 ms"]


def parse(path):
    """One run's summary row as {column: float}, its setting line, and whether every request got its reply."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    setting = next((l for l in lines if l.startswith("Pike's balancer: ")), "")
    header = next((i for i, l in enumerate(lines) if l.startswith("policy ") and "p99 ms" in l), None)
    if header is None or header + 1 >= len(lines):
        return None, setting, False
    head, row = lines[header], lines[header + 1]
    figures = {}
    for column in COLUMNS:
        end = head.find(column) + len(column)
        if end < len(column):
            return None, setting, False
        figures[column] = float(row[:end].split()[-1])
    replied = "LOST" not in row and "FAILED" not in "\n".join(lines)
    return figures, setting, replied


def spread(values, digits=0):
    form = "{:,.%df}" % digits
    return "%s (%s to %s)" % (form.format(statistics.median(values)), form.format(min(values)),
                              form.format(max(values)))


def main(directory):
    runs = {}
    settings = {}
    broken = []
    for name in sorted(os.listdir(directory)):
        m = re.fullmatch(r"(.+)-(\d+)\.txt", name)
        if not m:
            continue
        figures, setting, replied = parse(os.path.join(directory, name))
        if figures is None:
            broken.append(name)
            continue
        figures["run"] = int(m.group(2))
        runs.setdefault(m.group(1), []).append((figures, replied))
        settings.setdefault(m.group(1), setting)
    if not runs:
        print("no PikeDemo output (<configuration>-<run>.txt) in %s" % directory)
        return 1

    first = next(iter(settings.values()))
    m = re.search(r"Java \S+, \d+ processors", first)
    print("Pike's load: 100 requesters, 10 workers, think 0..200 ms, work 0..100 ms (park); %s"
          % (m.group(0) if m else "Java and processors unknown"))
    print("completion time, submit to reply; median (min to max) over the runs\n")
    print("%-22s %-46s %4s %22s %22s %22s %12s" % ("configuration", "binding", "runs", "p50 ms", "p99 ms",
                                                  "most pending", "all replied"))
    names = [n for n in ORDER if n in runs] + sorted(n for n in runs if n not in ORDER)
    for name in names:
        rs = runs[name]
        b = re.search(r"(adaptive|fixed) binding, maxPendingPerWorker=[^,]+", settings[name])
        print("%-22s %-46s %4d %22s %22s %22s %12s" % (
            name, b.group(0) if b else "?", len(rs),
            spread([r["p50 ms"] for r, _ in rs]), spread([r["p99 ms"] for r, _ in rs]),
            spread([r["most pending"] for r, _ in rs]), "yes" if all(ok for _, ok in rs) else "NO"))
    for name in broken:
        print("%s: no summary table (the run did not finish; see the file)" % name)

    default = runs.get("leastLoaded-default")
    if default:
        p99 = statistics.median(r["p99 ms"] for r, _ in default)
        ratio = p99 / GO_HEAP_P99_MS
        print("\nleastLoaded with the engine's defaults, p99 %.0f ms / Pike's Go heap p99 %.0f ms = %.3f "
              "(goal <= %.2f): %s" % (p99, GO_HEAP_P99_MS, ratio, GOAL_RATIO,
                                      "met" if ratio <= GOAL_RATIO else "missed"))
        deep = sorted(r["run"] for r, _ in default if r["most pending"] > 1)
        if deep:
            print("leastLoaded-default run%s %s (of %d): a sample showed a worker holding more than 1 request, so the "
                  "adaptive cap was not 1 all through the measured phase (it drops once a worker has timed a batch) "
                  "and the run measured a deeper cap" % ("s" if len(deep) > 1 else "",
                                                         ", ".join(str(n) for n in deep), len(default)))
    return 0 if not broken and all(ok for rs in runs.values() for _, ok in rs) else 1


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        print("usage: bench/scripts/pike-table.py OUT_DIR (a directory that run-pike-load.sh wrote)", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
