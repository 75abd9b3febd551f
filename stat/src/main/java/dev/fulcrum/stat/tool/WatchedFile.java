package dev.fulcrum.stat.tool;

import dev.fulcrum.stat.CountersFile;
import dev.fulcrum.stat.CountersLayout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One counters file the tool prints sample after sample: each sample every counter with its value, and beside each
 * total ({@link CountersLayout#isTotal(int)}) its rate per second since the previous sample; levels (pending, ring
 * depth, time in task...) get no rate. Text, as AeronStat prints (id, value, rate, label), or one JSON object.
 */
final class WatchedFile
{
    private final CountersFile file;
    private long[] previous;
    private long previousNs;

    WatchedFile(final CountersFile file)
    {
        this.file = file;
    }

    /**
     * @param json  one JSON object on one line, else text.
     * @param now   the sample's time, printed.
     * @param nowNs the sample's time on {@link System#nanoTime()}'s clock, for the rates.
     * @return the sample, ending with a line separator.
     */
    String sample(final boolean json, final Instant now, final long nowNs)
    {
        final List<Counter> counters = new ArrayList<>();
        file.forEachCounter((id, type, worker, label, value) ->
            counters.add(new Counter(id, type, worker, label, value)));
        final long[] values = new long[file.counters()];
        final double seconds = (nowNs - previousNs) / 1e9;
        for (final Counter c : counters)
        {
            values[c.id] = c.value;
            if (null != previous && seconds > 0 && CountersLayout.isTotal(c.type))
            {
                c.rate = (c.value - previous[c.id]) / seconds;
            }
        }
        previous = values;
        previousNs = nowNs;
        final String status = file.status().name();
        return json ? json(counters, now, status) : text(counters, now, status);
    }

    private String text(final List<Counter> counters, final Instant now, final String status)
    {
        final StringBuilder out = new StringBuilder();
        out.append(now).append(' ').append(file.path().getFileName()).append(" pid=").append(file.pid())
            .append(' ').append(status).append(" policy=").append(file.policy())
            .append(" mode=").append(file.threadingMode()).append(" workers=").append(file.workers())
            .append('/').append(file.maxWorkers()).append(" started=").append(file.startTime())
            .append(System.lineSeparator());
        for (final Counter c : counters)
        {
            final String rate = Double.isNaN(c.rate) ? "" : String.format(Locale.ROOT, "%,.1f/s", c.rate);
            final String label = CountersLayout.TYPE_WORKER_STATE == c.type ?
                c.label + " (" + CountersLayout.workerStateName(c.value) + ")" : c.label;
            out.append(String.format(Locale.ROOT, "%3d: %,20d %14s - %s", c.id, c.value, rate, label))
                .append(System.lineSeparator());
        }
        return out.toString();
    }

    private String json(final List<Counter> counters, final Instant now, final String status)
    {
        final StringBuilder out = new StringBuilder("{");
        Json.string(Json.name(out, "time"), now.toString()).append(',');
        Json.string(Json.name(out, "file"), file.path().getFileName().toString()).append(',');
        Json.name(out, "pid").append(file.pid()).append(',');
        Json.string(Json.name(out, "status"), status).append(',');
        Json.string(Json.name(out, "policy"), file.policy()).append(',');
        Json.string(Json.name(out, "mode"), file.threadingMode()).append(',');
        Json.name(out, "workers").append(file.workers()).append(',');
        Json.name(out, "maxWorkers").append(file.maxWorkers()).append(',');
        Json.string(Json.name(out, "started"), file.startTime().toString()).append(',');
        Json.name(out, "counters").append('[');
        for (int i = 0; i < counters.size(); i++)
        {
            final Counter c = counters.get(i);
            out.append(0 == i ? "{" : ",{");
            Json.name(out, "id").append(c.id).append(',');
            Json.name(out, "type").append(c.type).append(',');
            Json.name(out, "worker").append(c.worker).append(',');
            Json.string(Json.name(out, "label"), c.label).append(',');
            Json.name(out, "value").append(c.value).append(',');
            Json.name(out, "rate").append(Double.isNaN(c.rate) ? "null" : String.format(Locale.ROOT, "%.3f", c.rate));
            out.append('}');
        }
        return out.append("]}").append(System.lineSeparator()).toString();
    }

    private static final class Counter
    {
        final int id;
        final int type;
        final int worker;
        final String label;
        final long value;
        double rate = Double.NaN;

        Counter(final int id, final int type, final int worker, final String label, final long value)
        {
            this.id = id;
            this.type = type;
            this.worker = worker;
            this.label = label;
            this.value = value;
        }
    }
}
