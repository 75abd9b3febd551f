#!/usr/bin/env python3
"""The throughput table of the performance goals, from ThroughputBenchmark's JMH JSON (run-defaults.sh writes it).

    bench/scripts/goals-table.py OUT_DIR/*.json

One markdown table per window: a row per contender, a column per (producers, workers), each cell the median and the
min to max over the forks of M round trips/s, where a fork's score is the mean of its measurement iterations (as
forks.py does it). Forks of the same cell found in several files are pooled. Under each table, the ratios of medians
fulcrum-default / forkJoin and fulcrum-default / tpeCallback, and a verdict: the cells where fulcrum-default is at
least forkJoin and at least 3x tpeCallback.
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from forks import fork_means  # noqa: E402

SUBJECT = "fulcrum-default"
FORK_JOIN = "forkJoin"
TPE = "tpeCallback"
TPE_FACTOR = 3.0
ORDER = [SUBJECT, "fulcrum-p16-fixed", FORK_JOIN, TPE]


def load(paths):
    """{window: {(producers, workers): {impl: [per-fork M ops/s]}}} of every ThroughputBenchmark result."""
    cells = {}
    for path in paths:
        with open(path) as f:
            runs = json.load(f)
        for run in runs:
            if ".ThroughputBenchmark." not in run["benchmark"]:
                continue
            unit = run["primaryMetric"]["scoreUnit"]
            if unit != "ops/s":
                raise SystemExit("%s: expected ops/s, got %s (%s)" % (path, unit, run["benchmark"]))
            params = run["params"]
            window = int(params["window"])
            column = (int(run["threads"]), int(params["workers"]))
            forks = [m / 1e6 for m in fork_means(run)]
            cells.setdefault(window, {}).setdefault(column, {}).setdefault(params["impl"], []).extend(forks)
    return cells


def fmt(v):
    return "{:.3g}".format(v)


def cell(values):
    if not values:
        return "-"
    return "%s (%s to %s)" % (fmt(statistics.median(values)), fmt(min(values)), fmt(max(values)))


def ratio(cells, column, top, bottom):
    """The ratio of medians, rounded as printed (2 decimals), so that a verdict agrees with the figure shown."""
    a = cells[column].get(top)
    b = cells[column].get(bottom)
    if not a or not b:
        return None
    return round(statistics.median(a) / statistics.median(b), 2)


def table(window, cells):
    columns = sorted(cells)
    impls = {impl for c in columns for impl in cells[c]}
    rows = [i for i in ORDER if i in impls] + sorted(impls - set(ORDER))
    forks = sorted({len(v) for c in columns for v in cells[c].values()})
    out = ["### Window %d: M round trips/s, median of %s forks (min to max)" % (
        window, " or ".join(str(n) for n in forks)), ""]
    out.append("| contender | " + " | ".join("%dp, %dw" % c for c in columns) + " |")
    out.append("|---|" + "---:|" * len(columns))
    for impl in rows:
        out.append("| %s | " % impl + " | ".join(cell(cells[c].get(impl, [])) for c in columns) + " |")
    for base in (FORK_JOIN, TPE):
        ratios = [ratio(cells, c, SUBJECT, base) for c in columns]
        out.append("| %s / %s | " % (SUBJECT, base) +
                   " | ".join("-" if r is None else "%.2fx" % r for r in ratios) + " |")
    out.append("")
    out.append("Columns: producers (p), workers (w). " + verdict(window, cells, columns))
    return "\n".join(out)


def verdict(window, cells, columns):
    met, missed, unknown = [], [], []
    for c in columns:
        name = "%dp, %dw" % c
        fj = ratio(cells, c, SUBJECT, FORK_JOIN)
        tpe = ratio(cells, c, SUBJECT, TPE)
        if fj is None or tpe is None:
            unknown.append(name)
        elif fj >= 1.0 and tpe >= TPE_FACTOR:
            met.append(name)
        else:
            missed.append("%s (%.2fx %s, %.2fx %s)" % (name, fj, FORK_JOIN, tpe, TPE))
    text = "Verdict, window %d: %s >= %s and >= %gx %s in %d of %d cells" % (
        window, SUBJECT, FORK_JOIN, TPE_FACTOR, TPE, len(met), len(columns))
    if met:
        text += "; met: " + ", ".join(met)
    if missed:
        text += "; missed: " + ", ".join(missed)
    if unknown:
        text += "; not measured: " + ", ".join(unknown)
    return text + "."


def main(paths):
    if not paths:
        raise SystemExit(__doc__)
    cells = load(paths)
    if not cells:
        raise SystemExit("no ThroughputBenchmark results in " + " ".join(paths))
    print("\n\n".join(table(w, cells[w]) for w in sorted(cells)))


if __name__ == "__main__":
    main(sys.argv[1:])
