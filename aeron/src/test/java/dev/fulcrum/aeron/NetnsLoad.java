package dev.fulcrum.aeron;

import dev.fulcrum.Balancer;
import dev.fulcrum.Reply;
import dev.fulcrum.Task;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closed-loop traffic through a balancer: one thread submits unkeyed requests, each a number (0, 1, 2, ...), with
 * at most {@code window} of them unanswered, until it is stopped, its time is up, or it has submitted
 * {@link #MAX_REQUESTS}. Every answer is counted per request, and each result checked to be its own request's
 * ({@link PlusAMillion}).
 */
final class NetnsLoad implements Reply<byte[], byte[]>, AutoCloseable
{
    static final int MAX_REQUESTS = 1 << 18;

    private final Balancer<byte[], byte[]> balancer;
    private final int window;
    private final long durationNs;
    private final AtomicIntegerArray answers = new AtomicIntegerArray(MAX_REQUESTS);
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    /** The errors requests were answered with. */
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<String> wrong = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile int submitted;
    private volatile Throwable failure;
    private final AtomicLong firstErrorNs = new AtomicLong();

    private NetnsLoad(final Balancer<byte[], byte[]> balancer, final int window, final long durationNs)
    {
        this.balancer = balancer;
        this.window = window;
        this.durationNs = durationNs;
        thread = new Thread(this::run, "netns-load");
        thread.setDaemon(true);
    }

    /**
     * @param window     most requests unanswered at once.
     * @param durationNs how long to submit for, unless stopped before.
     * @return the load, started.
     */
    static NetnsLoad start(final Balancer<byte[], byte[]> balancer, final int window, final long durationNs)
    {
        final NetnsLoad load = new NetnsLoad(balancer, window, durationNs);
        load.thread.start();
        return load;
    }

    /** The hosts' task: the request's number plus a million. */
    public static final class PlusAMillion implements Task<byte[], byte[]>
    {
        @Override
        public byte[] execute(final byte[] request)
        {
            return ByteBuffer.allocate(Integer.BYTES).putInt(number(request) + 1_000_000).array();
        }
    }

    static int number(final byte[] bytes)
    {
        return ByteBuffer.wrap(bytes).getInt();
    }

    private void run()
    {
        final IdleStrategy idle = new BackoffIdleStrategy(10, 10, 1_000, 100_000);
        final long deadline = System.nanoTime() + durationNs;
        try
        {
            int next = 0;
            while (!stopped && next < MAX_REQUESTS && System.nanoTime() - deadline < 0)
            {
                if (next - answered.get() >= window)
                {
                    idle.idle();
                    continue;
                }
                idle.reset();
                balancer.submit(ByteBuffer.allocate(Integer.BYTES).putInt(next).array(), this);
                submitted = ++next;
            }
        }
        catch (final Throwable t)
        {
            failure = t;
        }
    }

    @Override
    public void onResult(final byte[] request, final byte[] result)
    {
        final int i = answer(request);
        if (null == result || number(result) != i + 1_000_000)
        {
            wrong.add("request " + i + " got " + (null == result ? "null" : Integer.toString(number(result))));
        }
    }

    @Override
    public void onError(final byte[] request, final Throwable error)
    {
        answer(request);
        firstErrorNs.compareAndSet(0, System.nanoTime());
        errors.add(error);
    }

    private int answer(final byte[] request)
    {
        final int i = number(request);
        if (1 == answers.incrementAndGet(i))
        {
            answered.incrementAndGet();
        }
        else
        {
            duplicates.incrementAndGet();
        }
        return i;
    }

    /** Submit no more. */
    void stop()
    {
        stopped = true;
    }

    /**
     * @return {@link System#nanoTime()} when the first request was answered with an error; 0 before.
     */
    long firstErrorNs()
    {
        return firstErrorNs.get();
    }

    int submitted()
    {
        return submitted;
    }

    int answered()
    {
        return answered.get();
    }

    /**
     * @return whether the load has stopped submitting and every request it submitted has been answered.
     */
    boolean isDone()
    {
        return !thread.isAlive() && answered.get() >= submitted;
    }

    /**
     * Wait (with a deadline) until the load has stopped and everything it submitted is answered, calling
     * {@code onEachLook} at each look.
     */
    void awaitDone(final long timeoutNs, final Runnable onEachLook)
    {
        Await.until(timeoutNs, () ->
        {
            onEachLook.run();
            return isDone();
        }, () -> "the load done: " + this);
    }

    /**
     * Every request submitted answered exactly once, none that was not submitted answered, each result its own
     * request's, and the submitting thread did not fail.
     */
    void assertEveryRequestAnsweredOnce()
    {
        assertTrue(null == failure, () -> "the load's thread failed: " + failure);
        assertEquals(0, duplicates.get(), "requests answered more than once");
        final int count = submitted;
        for (int i = 0; i < MAX_REQUESTS; i++)
        {
            assertEquals(i < count ? 1 : 0, answers.get(i), "answers to request " + i + " of " + count);
        }
        assertTrue(wrong.isEmpty(), () -> "results not their request's: " + wrong);
    }

    @Override
    public void close()
    {
        stop();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString()
    {
        return "NetnsLoad{submitted=" + submitted + ", answered=" + answered.get() + ", errors=" + errors.size() +
            ", duplicates=" + duplicates.get() + ", running=" + thread.isAlive() + ", failure=" + failure + '}';
    }
}
