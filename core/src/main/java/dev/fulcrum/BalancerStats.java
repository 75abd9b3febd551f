package dev.fulcrum;

/**
 * A snapshot of a balancer's counters, read without stopping it. Each figure is exact as its writer last published
 * it, but figures of different threads are read one after another, not at one instant, and each writer publishes
 * after it acts: a reply has been delivered before its worker counts it completed, and a request is still pending
 * until the balancer has taken its completion back, so a snapshot taken right after the last reply can still show
 * it pending. The figures catch up within a duty cycle; at quiescence (nothing submitted, everything replied and
 * taken back) they agree. Taking a snapshot allocates; the engine's own threads never do.
 * <p>
 * Latency ({@link BalancerBuilder#latencyHistograms(boolean)}): {@link #waitNanos(int, double)},
 * {@link #serviceNanos(int, double)} and their kin give each worker's figures over the last completed latency
 * interval ({@link BalancerBuilder#latencyInterval(java.time.Duration)}, default 1 s), as the engine published them
 * at the interval's end: a worker's figures, both kinds, all come from one interval. An interval in which a worker
 * completed nothing reads 0 throughout. With the histograms off they throw {@link IllegalStateException}; see
 * {@link #latencyHistograms()}.
 */
public final class BalancerStats
{
    private final long[] pending;
    private final long[] completed;
    private final long[] failed;
    private final long[] replyErrors;
    private final long[] stalls;
    private final long[] moved;
    private final boolean[] stalled;
    private final WorkerState[] states;
    private final long[] interruptsCleared;
    private final long dispatched;
    private final long keysInFlight;
    private final long parked;
    private final long keyBacklogRejected;
    private final long balancerInterruptsCleared;
    /** Null when latency histograms are off; else the live source of histogram copies. */
    private final LatencyIntervals latency;
    /** Per worker, {@link LatencyFigures#FIGURES} longs: count, p50, p99, p99.9, max. */
    private final long[] waitFigures;
    private final long[] serviceFigures;
    private final int bindingCap;
    /** Per worker, adaptive binding's estimated time per task, ns; all 0 when binding is fixed. */
    private final long[] timePerTask;

    /**
     * @param binding adaptive binding, or null when it is fixed.
     */
    BalancerStats(
        final Counters counters,
        final LatencyIntervals latency,
        final Dispatcher dispatcher,
        final AdaptiveBinding binding)
    {
        final int n = counters.workers();
        bindingCap = dispatcher.capView();
        timePerTask = new long[n];
        pending = new long[n];
        completed = new long[n];
        failed = new long[n];
        replyErrors = new long[n];
        stalls = new long[n];
        moved = new long[n];
        stalled = new boolean[n];
        states = new WorkerState[n];
        interruptsCleared = new long[n];
        for (int w = 0; w < n; w++)
        {
            stalls[w] = counters.balancerView(w, Counters.WORKER_STALLS);
            moved[w] = counters.balancerView(w, Counters.WORKER_MOVED);
            stalled[w] = 0 != counters.balancerView(w, Counters.WORKER_STALLED);
            final long state = counters.balancerView(w, Counters.WORKER_STATE);
            states[w] = WorkerStates.GONE == state ? WorkerState.GONE : WorkerStates.LEAVING == state ?
                WorkerState.LEAVING : stalled[w] ? WorkerState.STALLED : WorkerState.RUNNING;
            interruptsCleared[w] = counters.worker(w, Counters.INTERRUPTS_CLEARED);
            completed[w] = counters.worker(w, Counters.COMPLETED);
            failed[w] = counters.worker(w, Counters.FAILED);
            replyErrors[w] = counters.worker(w, Counters.REPLY_ERRORS);
            pending[w] = counters.pending(w);
            timePerTask[w] = null == binding ? 0 : binding.perTaskNs(w);
        }
        dispatched = counters.balancer(Counters.DISPATCHED);
        keysInFlight = counters.balancer(Counters.KEYS_IN_FLIGHT);
        parked = counters.balancer(Counters.PARKED);
        keyBacklogRejected = counters.balancer(Counters.KEY_BACKLOG_REJECTED);
        balancerInterruptsCleared = counters.balancer(Counters.BALANCER_INTERRUPTS_CLEARED);

        this.latency = latency;
        if (null == latency)
        {
            waitFigures = null;
            serviceFigures = null;
        }
        else
        {
            final LatencyFigures figures = latency.figures();
            waitFigures = new long[n * LatencyFigures.FIGURES];
            serviceFigures = new long[n * LatencyFigures.FIGURES];
            for (int w = 0; w < n; w++)
            {
                figures.read(w, waitFigures, serviceFigures, w * LatencyFigures.FIGURES);
            }
        }
    }

    /**
     * @return true when the balancer records latency histograms ({@link BalancerBuilder#latencyHistograms(boolean)},
     * or {@code -Dfulcrum.latency=true}); the latency accessors throw {@link IllegalStateException} when false.
     */
    public boolean latencyHistograms()
    {
        return null != latency;
    }

    /**
     * @param worker     index from 0.
     * @param percentile 50, 99, 99.9 or 100 (the max): the figures the engine publishes per interval.
     * @return how long requests of the last completed interval waited, at that percentile, in nanoseconds: from the
     * submit (the requester filled its ring slot) to the start of the task (the ring, the balancer, the worker's
     * queue, and the time stuck behind a stall for a request that moved). Rounded up to the highest value of its
     * histogram bucket (never above the max): at most 1/128 (0.79%) above the true time, exact below 128 ns; the max
     * is exact, at most one hour (longer times are recorded as one hour). As {@link LatencySnapshot#nanosAtPercentile}.
     * @throws IllegalStateException    when latency histograms are off.
     * @throws IllegalArgumentException for any other percentile.
     */
    public long waitNanos(final int worker, final double percentile)
    {
        return figure(waitFigures, worker, percentile);
    }

    /**
     * @param worker     index from 0.
     * @param percentile 50, 99, 99.9 or 100 (the max).
     * @return how long tasks of the last completed interval ran, at that percentile, in nanoseconds: from the start
     * of {@link Task#execute} to its return or throw; the reply is not included. Precision as for
     * {@link #waitNanos(int, double)}.
     * @throws IllegalStateException    when latency histograms are off.
     * @throws IllegalArgumentException for any other percentile.
     */
    public long serviceNanos(final int worker, final double percentile)
    {
        return figure(serviceFigures, worker, percentile);
    }

    /**
     * @param worker index from 0.
     * @return the longest wait of the last completed interval, in nanoseconds ({@code waitNanos(worker, 100)}).
     * @throws IllegalStateException when latency histograms are off.
     */
    public long waitMaxNanos(final int worker)
    {
        return figure(waitFigures, worker, 100);
    }

    /**
     * @param worker index from 0.
     * @return the longest task of the last completed interval, in nanoseconds ({@code serviceNanos(worker, 100)}).
     * @throws IllegalStateException when latency histograms are off.
     */
    public long serviceMaxNanos(final int worker)
    {
        return figure(serviceFigures, worker, 100);
    }

    /**
     * @param worker index from 0.
     * @return requests the worker completed in the last completed latency interval: how many the figures describe.
     * @throws IllegalStateException when latency histograms are off.
     */
    public long latencyCount(final int worker)
    {
        return latencyFigures(waitFigures)[check(worker) * LatencyFigures.FIGURES + LatencyFigures.COUNT];
    }

    /**
     * The whole distribution of the waits, for a caller who wants more than the published percentiles. Read when
     * called, not when this snapshot was taken: the last interval completed by then. Allocates, on the calling
     * thread; the worker goes on recording meanwhile.
     *
     * @param worker index from 0.
     * @return a copy of the interval's waits: count, max, any percentile, and every non-empty bucket.
     * @throws IllegalStateException when latency histograms are off.
     */
    public LatencySnapshot waitHistogram(final int worker)
    {
        latencyFigures(waitFigures);
        return latency.snapshot(check(worker), false);
    }

    /**
     * The whole distribution of the times in service, as {@link #waitHistogram(int)}.
     *
     * @param worker index from 0.
     * @return a copy of the interval's times in service.
     * @throws IllegalStateException when latency histograms are off.
     */
    public LatencySnapshot serviceHistogram(final int worker)
    {
        latencyFigures(serviceFigures);
        return latency.snapshot(check(worker), true);
    }

    private long figure(final long[] figures, final int worker, final double percentile)
    {
        final long[] published = latencyFigures(figures);
        final int at;
        if (50.0 == percentile)
        {
            at = LatencyFigures.P50;
        }
        else if (99.0 == percentile)
        {
            at = LatencyFigures.P99;
        }
        else if (99.9 == percentile)
        {
            at = LatencyFigures.P999;
        }
        else if (100.0 == percentile)
        {
            at = LatencyFigures.MAX;
        }
        else
        {
            throw new IllegalArgumentException(
                "percentile must be 50, 99, 99.9 or 100 (the max): percentile=" + percentile);
        }
        return published[check(worker) * LatencyFigures.FIGURES + at];
    }

    private static long[] latencyFigures(final long[] figures)
    {
        if (null == figures)
        {
            throw new IllegalStateException("latency histograms are off: turn them on with " +
                "BalancerBuilder.latencyHistograms(true) or -D" + BalancerBuilder.LATENCY_PROPERTY + "=true");
        }
        return figures;
    }

    /**
     * @param worker index from 0.
     * @return the worker slot's state.
     */
    public WorkerState state(final int worker)
    {
        return states[check(worker)];
    }

    /**
     * @return workers in the pool: every slot that is not {@link WorkerState#GONE}.
     */
    public int poolSize()
    {
        int n = 0;
        for (final WorkerState state : states)
        {
            n += WorkerState.GONE == state ? 0 : 1;
        }
        return n;
    }

    /**
     * @return worker slots: the pool's capacity ({@code maxWorkers}); indexes run from 0 to this minus 1.
     */
    public int workers()
    {
        return pending.length;
    }

    /**
     * @return the most requests any one worker may have pending now: {@code maxPendingPerWorker}, or less while
     * adaptive binding holds it lower ({@link BalancerBuilder#adaptiveBinding(boolean)}).
     */
    public int bindingCap()
    {
        return bindingCap;
    }

    /**
     * @param worker index from 0.
     * @return the worker's time per task as adaptive binding measures it (an estimate from one task in
     * 64, the task and its reply), in nanoseconds; 0 when binding is fixed or the worker has timed no task yet.
     */
    public long timePerTaskNanos(final int worker)
    {
        return timePerTask[check(worker)];
    }

    /**
     * @param worker index from 0.
     * @return requests handed to the worker and not yet completed (queued or running).
     */
    public long pending(final int worker)
    {
        return pending[check(worker)];
    }

    /**
     * @param worker index from 0.
     * @return requests the worker finished, whether the task returned or threw.
     */
    public long completed(final int worker)
    {
        return completed[check(worker)];
    }

    /**
     * @param worker index from 0.
     * @return requests whose task threw (included in {@link #completed(int)}).
     */
    public long failed(final int worker)
    {
        return failed[check(worker)];
    }

    /**
     * @param worker index from 0.
     * @return replies that threw on the worker (handed to the error handler).
     */
    public long replyErrors(final int worker)
    {
        return replyErrors[check(worker)];
    }

    /**
     * @param worker index from 0.
     * @return times the worker stalled (a task ran past the stall threshold).
     */
    public long stalls(final int worker)
    {
        return stalls[check(worker)];
    }

    /**
     * @param worker index from 0.
     * @return requests moved off the worker while it was stalled or leaving (queued or parked there, not started).
     */
    public long moved(final int worker)
    {
        return moved[check(worker)];
    }

    /**
     * @param worker index from 0.
     * @return true while the worker is stalled: out of rotation until its task ends.
     */
    public boolean stalled(final int worker)
    {
        return stalled[check(worker)];
    }

    /**
     * @param worker index from 0.
     * @return interrupt flags user code left set on the worker's thread, cleared by the engine.
     */
    public long interruptsCleared(final int worker)
    {
        return interruptsCleared[check(worker)];
    }

    /**
     * @return interrupt flags left set on the balancer's own thread (by replies it delivered engine errors to, or
     * by another thread interrupting it while idle), cleared by the engine.
     */
    public long balancerInterruptsCleared()
    {
        return balancerInterruptsCleared;
    }

    /**
     * @return keyed requests answered with {@link KeyBacklogFullException}.
     */
    public long keyBacklogRejected()
    {
        return keyBacklogRejected;
    }

    /**
     * @return requests the balancer handed to workers so far (a moved request counts again).
     */
    public long dispatched()
    {
        return dispatched;
    }

    /**
     * @return distinct keys with requests in flight (dispatched or parked).
     */
    public long keysInFlight()
    {
        return keysInFlight;
    }

    /**
     * @return keyed requests waiting behind a full worker.
     */
    public long parked()
    {
        return parked;
    }

    /**
     * @return sum of {@link #stalls(int)} over all workers.
     */
    public long totalStalls()
    {
        return sum(stalls);
    }

    /**
     * @return sum of {@link #moved(int)} over all workers.
     */
    public long totalMoved()
    {
        return sum(moved);
    }

    /**
     * @return sum of {@link #pending(int)} over all workers.
     */
    public long totalPending()
    {
        return sum(pending);
    }

    /**
     * @return sum of {@link #completed(int)} over all workers.
     */
    public long totalCompleted()
    {
        return sum(completed);
    }

    /**
     * @return sum of {@link #failed(int)} over all workers.
     */
    public long totalFailed()
    {
        return sum(failed);
    }

    /**
     * @return sum of {@link #replyErrors(int)} over all workers.
     */
    public long totalReplyErrors()
    {
        return sum(replyErrors);
    }

    /**
     * @return mean pending count over the workers in the pool (slots not {@link WorkerState#GONE}), as Pike's demo
     * prints it.
     */
    public double meanPending()
    {
        final int n = poolSize();
        return 0 == n ? 0 : (double)totalPending() / n;
    }

    /**
     * @return population variance of the pending counts of the workers in the pool: 0 when the load is perfectly
     * even.
     */
    public double variancePending()
    {
        final int n = poolSize();
        if (0 == n)
        {
            return 0;
        }
        final double mean = meanPending();
        double sum = 0;
        for (int w = 0; w < pending.length; w++)
        {
            if (WorkerState.GONE != states[w])
            {
                final double d = pending[w] - mean;
                sum += d * d;
            }
        }
        return sum / n;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("BalancerStats{pending=[");
        for (int w = 0; w < pending.length; w++)
        {
            sb.append(w == 0 ? "" : ", ").append(pending[w]);
        }
        return sb.append("], completed=").append(totalCompleted())
            .append(", failed=").append(totalFailed())
            .append(", replyErrors=").append(totalReplyErrors())
            .append(", dispatched=").append(dispatched)
            .append(", keysInFlight=").append(keysInFlight)
            .append(", parked=").append(parked)
            .append(", keyBacklogRejected=").append(keyBacklogRejected)
            .append(", stalls=").append(totalStalls())
            .append(", moved=").append(totalMoved())
            .append(", bindingCap=").append(bindingCap)
            .append(String.format(", mean=%.2f, variance=%.2f}", meanPending(), variancePending()))
            .toString();
    }

    private static long sum(final long[] values)
    {
        long sum = 0;
        for (final long value : values)
        {
            sum += value;
        }
        return sum;
    }

    private int check(final int worker)
    {
        if (worker < 0 || worker >= pending.length)
        {
            throw new IndexOutOfBoundsException(
                "worker must be 0 to " + (pending.length - 1) + " (workers=" + pending.length + "): worker=" + worker);
        }
        return worker;
    }
}
