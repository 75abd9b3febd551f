package dev.fulcrum.bench;

/**
 * Waiting for contenders whose engine calls the probe's reply: poll the probe's done flag.
 */
abstract class AbstractCallbackContender implements Contender
{
    static final int SPINS_BEFORE_YIELD = 100;

    private final String name;
    private final int workers;

    AbstractCallbackContender(final String name, final int workers)
    {
        this.name = name;
        this.workers = workers;
    }

    @Override
    public final String name()
    {
        return name;
    }

    @Override
    public final int workers()
    {
        return workers;
    }

    @Override
    public final boolean repliesByCallback()
    {
        return true;
    }

    @Override
    public final void awaitSpinning(final Probe probe)
    {
        while (!probe.isDone())
        {
            Thread.onSpinWait();
        }
        checkFailure(probe);
    }

    @Override
    public final void awaitYielding(final Probe probe)
    {
        int idle = 0;
        while (!probe.isDone())
        {
            if (idle < SPINS_BEFORE_YIELD)
            {
                idle++;
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
        checkFailure(probe);
    }

    @Override
    public double variancePending()
    {
        return Double.NaN;
    }

    static void checkFailure(final Probe probe)
    {
        if (probe.isFailed())
        {
            throw new IllegalStateException("benchmark task failed: contender reported an error", probe.error());
        }
    }

    @Override
    public String toString()
    {
        return name;
    }
}
