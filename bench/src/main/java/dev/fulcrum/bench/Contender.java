package dev.fulcrum.bench;

/**
 * One engine that runs {@link BenchTask} on a {@link Probe} and hands the result back to the requester: Fulcrum
 * or one of the things a Java user would pick instead. Every contender does the same job, so a benchmark can drive
 * any of them through this interface and compare them in one run.
 * <p>
 * Threading: {@link #send(Probe)} may be called by several requester threads at once; {@link #awaitSpinning} and
 * {@link #awaitYielding} by the thread that sent the probe; {@link #close()} once, when nothing is in flight.
 */
public interface Contender extends AutoCloseable
{
    /**
     * @return the spec this contender was built from, e.g. {@code fulcrum-leastLoaded}.
     */
    String name();

    /**
     * @return how many worker threads run tasks.
     */
    int workers();

    /**
     * Send a probe that was {@link Probe#reset()}; it is done once its reply has run (callback contenders) or once
     * {@code await...} has collected its future (Future contenders).
     *
     * @param probe to send; not in flight.
     */
    void send(Probe probe);

    /**
     * @return true when the probe's reply is called by the engine, so that its completion can be timed on the
     * worker; false for Future contenders, where only the requester's {@code get()} completes it.
     */
    boolean repliesByCallback();

    /**
     * Wait for the probe, busy-spinning ({@link Thread#onSpinWait()}): for latency runs with a spinner budget.
     *
     * @param probe sent by the calling thread.
     */
    void awaitSpinning(Probe probe);

    /**
     * Wait for the probe, spinning 100 times and then yielding ({@link Thread#yield()}): for throughput runs with
     * more threads than cores.
     *
     * @param probe sent by the calling thread.
     */
    void awaitYielding(Probe probe);

    /**
     * @return population variance of the work bound to each worker and not yet done, as
     * {@link dev.fulcrum.BalancerStats#variancePending()}; {@link Double#NaN} where work is not bound to a worker
     * before it runs (one shared queue).
     */
    double variancePending();

    /**
     * Stop the engine's threads; nothing may be in flight.
     */
    @Override
    void close();
}
