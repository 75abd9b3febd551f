package dev.fulcrum.bench;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * How an engine's own threads wait for work, mapped to the nearest equivalent of each library. Thread pools
 * (ThreadPoolExecutor, ForkJoinPool) park in their own way and ignore it.
 */
public enum IdleKind
{
    /**
     * Spin, yield, then park. Fulcrum: its default {@code BackoffIdleStrategy(10 spins, 1,000 yields, park 1 us
     * doubling to 100 us)}. Disruptor: {@code SleepingWaitStrategy} (100 spins, 100 yields, then parkNanos(100)).
     */
    BACKOFF("backoff"),

    /**
     * Never sleeps; yields the core when nothing is to do. Agrona {@code YieldingIdleStrategy}, Disruptor
     * {@code YieldingWaitStrategy}.
     */
    YIELD("yield"),

    /**
     * Spin and yield a little, then park: {@code BackoffIdleStrategy(10 spins, 10 yields, park 1 us doubling to
     * 100 us)}; Disruptor {@code SleepingWaitStrategy(20 retries, 100 ns)}. For threads that are idle most of the
     * time on a machine with fewer cores than threads, where the default's 1,000 yields keep every idle engine
     * thread runnable for a millisecond after each piece of work.
     */
    PARK("park"),

    /**
     * Busy-spins: one core per thread. Agrona {@code BusySpinIdleStrategy}, Disruptor {@code BusySpinWaitStrategy}.
     * Only with no more spinning threads than cores.
     */
    SPIN("spin");

    private final String token;

    IdleKind(final String token)
    {
        this.token = token;
    }

    String token()
    {
        return token;
    }

    static IdleKind fromToken(final String token)
    {
        for (final IdleKind kind : values())
        {
            if (kind.token.equals(token))
            {
                return kind;
            }
        }
        return null;
    }

    /**
     * @return a new Agrona idle strategy (strategies keep state: one per thread), or null for Fulcrum's default.
     */
    IdleStrategy newAgronaIdleStrategy()
    {
        switch (this)
        {
            case SPIN:
                return new BusySpinIdleStrategy();
            case YIELD:
                return new YieldingIdleStrategy();
            case PARK:
                return new BackoffIdleStrategy(10, 10, 1_000, 100_000);
            default:
                return null; // Fulcrum's own default back-off, whatever it is in this build
        }
    }

    WaitStrategy newDisruptorWaitStrategy()
    {
        switch (this)
        {
            case SPIN:
                return new BusySpinWaitStrategy();
            case YIELD:
                return new YieldingWaitStrategy();
            case PARK:
                return new SleepingWaitStrategy(20, 100);
            default:
                return new SleepingWaitStrategy();
        }
    }
}
