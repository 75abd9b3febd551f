#!/usr/bin/env python3
"""The balance goals, from the harness runs that run-balance-goals.sh writes.

    bench/scripts/balance-table.py OUT_DIR

Reads every OUT_DIR/<scenario>/run-<n>/<contender>/summary.md (the harness's summary: one row per contender with its
percentiles, read exactly from its HdrHistogram, in microseconds) and prints, per scenario, each contender's p50, p99
and p99.9 as the median and the min to max over its runs; then the goals, each a ratio of medians of p99:

  heavy-tail:   fulcrum-default / the best fixed cap (the fulcrum-pN-fixed with the lowest median p99)   <= 1.10
  slow-worker:  fulcrum-peakEwma-default / fulcrum-default (leastLoaded), one worker 4x slower           <= 0.70
  equal:        fulcrum-peakEwma-default / fulcrum-default, every worker alike                           <= 1.05
"""
import os
import statistics
import sys

DEFAULT = "fulcrum-default"
PEAK_EWMA = "fulcrum-peakEwma-default"
PERCENTILES = ["p50", "p99", "p99.9"]
SCENARIOS = {
    "heavy-tail": "0.1% of tasks 100x longer",
    "slow-worker": "no long tasks, one worker 4x slower",
    "equal": "no long tasks, every worker alike",
}


def read_summary(path):
    """The balance rows of one summary.md: [{column: value}], and its options line."""
    header, rows, options = None, [], ""
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("- options: "):
                options = line[len("- options: "):].strip("`")
            if not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
            elif not set(line) <= set("|-: "):
                row = dict(zip(header, cells))
                if row.get("scenario") == "balance":
                    rows.append(row)
    return rows, options


def load(out_dir):
    """{scenario: {contender: [row, ...]}}, {scenario: options of its first run}."""
    results, options = {}, {}
    paths = sorted(os.path.join(root, "summary.md") for root, _, files in os.walk(out_dir) if "summary.md" in files)
    for path in paths:
        scenario = os.path.relpath(path, out_dir).split(os.sep)[0]
        rows, opts = read_summary(path)
        options.setdefault(scenario, opts)
        for row in rows:
            results.setdefault(scenario, {}).setdefault(row["contender"], []).append(row)
    return results, options


def us(value):
    return float(value.replace(",", ""))


def fmt(v):
    return "{:,.0f}".format(v) if v >= 100 else "{:.3g}".format(v)


def spread(values):
    return "%s (%s to %s)" % (fmt(statistics.median(values)), fmt(min(values)), fmt(max(values)))


def median(rows, percentile):
    return statistics.median(us(r[percentile]) for r in rows)


def option(options, name):
    for word in options.split():
        if word.startswith("--" + name + "="):
            return word.split("=", 1)[1]
    return "?"


def table(scenario, contenders, options):
    out = ["### %s: %s" % (scenario, SCENARIOS.get(scenario, "")), ""]
    out.append("Harness: `--task=%s --balance-workers=%s --short-ns=%s --long-factor=%s --long-percent=%s "
               "--slow-worker=%s --balance-load=%s --duration-ms=%s --open-warmup-ms=%s`" % tuple(
                   option(options, o) for o in ("task", "balance-workers", "short-ns", "long-factor", "long-percent",
                                                "slow-worker", "balance-load", "duration-ms", "open-warmup-ms")))
    out.append("")
    out.append("| contender | runs | " + " | ".join(p + " (us)" for p in PERCENTILES) + " |")
    out.append("|---|---:|" + "---:|" * len(PERCENTILES))
    for name in order(contenders):
        rows = contenders[name]
        out.append("| %s | %d | " % (name, len(rows)) +
                   " | ".join(spread([us(r[p]) for r in rows]) for p in PERCENTILES) + " |")
    notes = []
    for name in order(contenders):
        slow = [note_part(r["note"], "thread=") for r in contenders[name] if "slow worker" in r["note"]]
        if slow:
            notes.append("%s: %s" % (name, ", ".join(slow)))
        overloaded = sum(1 for r in contenders[name] if "OVERLOADED" in r["note"])
        if overloaded:
            notes.append("**%s: OVERLOADED in %d run(s)**, the sender fell behind (see its summary.md)" % (
                name, overloaded))
    if notes:
        out.append("")
        out.append("Slow worker's thread per run, and warnings: " + "; ".join(notes) + ".")
    return "\n".join(out)


def note_part(note, key):
    at = note.find(key)
    return note[at + len(key):].split(";")[0].strip() if at >= 0 else "?"


def order(contenders):
    def key(name):
        if name == DEFAULT:
            return (0, 0, name)
        if name == PEAK_EWMA:
            return (1, 0, name)
        cap = name.split("-p")[-1].split("-")[0] if "-p" in name else ""
        return (2, int(cap) if cap.isdigit() else 0, name)
    return sorted(contenders, key=key)


def goal_row(label, top, bottom, goal, results, scenario):
    contenders = results.get(scenario, {})
    if top not in contenders or bottom not in contenders:
        return "| %s | not measured (%s or %s missing in %s) | - |" % (label, top, bottom, scenario)
    a = median(contenders[top], "p99")
    b = median(contenders[bottom], "p99")
    r = round(a / b, 2)  # as printed, so that the verdict agrees with the figure shown
    return "| %s | %s / %s us = **%.2f** | %s |" % (label, fmt(a), fmt(b), r, "met" if r <= goal else "missed")


def goals(results):
    out = ["### Goals (ratios of median p99)", "", "| goal | measured | verdict |", "|---|---|---|"]
    heavy = results.get("heavy-tail", {})
    fixed = [n for n in heavy if n.startswith("fulcrum-") and n.endswith("-fixed")]
    if fixed:
        best = min(fixed, key=lambda n: median(heavy[n], "p99"))
        out.append(goal_row("heavy tail: %s p99 / best fixed cap p99 (%s) <= 1.10" % (DEFAULT, best),
                            DEFAULT, best, 1.10, results, "heavy-tail"))
    else:
        out.append("| heavy tail: %s p99 / best fixed cap p99 <= 1.10 | not measured (no fulcrum-pN-fixed) | - |"
                   % DEFAULT)
    out.append(goal_row("slow worker: peakEwma p99 / leastLoaded p99 (both default) <= 0.70",
                        PEAK_EWMA, DEFAULT, 0.70, results, "slow-worker"))
    out.append(goal_row("all equal: peakEwma p99 / leastLoaded p99 (both default) <= 1.05",
                        PEAK_EWMA, DEFAULT, 1.05, results, "equal"))
    return "\n".join(out)


def main(args):
    if len(args) != 1:
        raise SystemExit(__doc__)
    results, options = load(args[0])
    if not results:
        raise SystemExit("no balance rows in any summary.md under " + args[0])
    known = [s for s in SCENARIOS if s in results] + sorted(set(results) - set(SCENARIOS))
    print("Latency from intended send time to reply, in microseconds; median over runs (min to max).\n")
    print("\n\n".join(table(s, results[s], options[s]) for s in known))
    print()
    print(goals(results))


if __name__ == "__main__":
    main(sys.argv[1:])
