#!/usr/bin/env python3
"""Per-fork figures from JMH JSON results, then the median and the min to max over the forks.

    bench/scripts/forks.py RESULT.json [RESULT.json ...]

SampleTime benchmarks: each fork's p50 and p99 over all its measurement iterations (from rawDataHistogram).
Throughput benchmarks: each fork's mean of its measurement iterations. One line per benchmark and parameter set.
Other scripts import fork_means and spread from here (goals-table.py, balance-table.py).
"""
import json
import statistics
import sys


def percentile(hist, q):
    total = sum(c for _, c in hist)
    rank = q * total
    seen = 0
    for value, count in sorted(hist):
        seen += count
        if seen >= rank:
            return value
    return sorted(hist)[-1][0]


def spread(values):
    return "%s (%s to %s)" % (fmt(statistics.median(values)), fmt(min(values)), fmt(max(values)))


def fmt(v):
    return "{:,.0f}".format(v) if v >= 100 else "{:.3g}".format(v)


def fork_means(run):
    """Each fork's mean of its measurement iterations (a Throughput or AverageTime JMH result)."""
    return [statistics.mean(fork) for fork in run["primaryMetric"]["rawData"]]


def main(paths):
    for path in paths:
        for run in json.load(open(path)):
            name = run["benchmark"].split(".")[-2] + "." + run["benchmark"].split(".")[-1]
            params = ",".join("%s=%s" % kv for kv in sorted(run.get("params", {}).items()))
            metric = run["primaryMetric"]
            if "rawDataHistogram" in metric:
                p50, p99 = [], []
                for fork in metric["rawDataHistogram"]:
                    hist = [tuple(b) for it in fork for b in it]
                    p50.append(percentile(hist, 0.50))
                    p99.append(percentile(hist, 0.99))
                print("%s [%s] forks=%d p50 %s ns, p99 %s ns" % (name, params, len(p50), spread(p50), spread(p99)))
            else:
                means = fork_means(run)
                print("%s [%s] forks=%d %s %s" % (name, params, len(means), spread(means), metric["scoreUnit"]))
            for sec, sm in run.get("secondaryMetrics", {}).items():
                if sec.endswith("alloc.rate.norm"):
                    print("    %s %s %s" % (sec, fmt(sm["score"]), sm["scoreUnit"]))


if __name__ == "__main__":
    main(sys.argv[1:])
