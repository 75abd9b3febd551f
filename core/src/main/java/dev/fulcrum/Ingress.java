package dev.fulcrum;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The requesters' side of the ring: claim slots, fill them, publish them, and refuse once closed. No user code runs
 * between a claim and its publish, so a claimed slot is always published within a few instructions (a slot left
 * claimed would wedge the ring for good).
 * <p>
 * Close is a Dekker pair with the claim: a requester writes its claim (the cursor's compare-and-set, or
 * {@code lastClaimed} with one producer) and then reads {@code closed}; {@link #close()} writes {@code closed} and
 * then reads the claims. Volatile accesses are totally ordered, so either the requester sees {@code closed} and
 * cancels its slots (published as {@link RequestEvent#CANCELLED}, skipped by the balancer), or the closer sees the
 * claim and drains up to it.
 */
final class Ingress
{
    static final long FULL = -1;
    static final long INTERRUPTED = -2;
    static final long WAIT_FOREVER = Long.MAX_VALUE;

    private static final VarHandle LAST_CLAIMED;

    static
    {
        try
        {
            LAST_CLAIMED = MethodHandles.lookup().findVarHandle(Ingress.class, "lastClaimed", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final RingBuffer<RequestEvent> ring;
    private final boolean singleProducer;
    /** Latency histograms on: stamp each slot with the time it was filled. */
    private final boolean stampSubmit;
    /** Sampling of the stamps: a slot whose sequence has none of these bits set is stamped (0: every slot). */
    private final long sampleMask;
    private Predicate<Thread> engineThread = t -> false;
    private volatile boolean closed;
    /** Highest sequence claimed in single-producer mode, where the ring's cursor moves only on publish. */
    @SuppressWarnings("unused") // through LAST_CLAIMED
    private volatile long lastClaimed = -1;
    private long closeTarget = BalancerAgent.NOT_CLOSING;

    Ingress(final int ringSize, final boolean singleProducer, final boolean stampSubmit, final int sampling)
    {
        this.sampleMask = sampling - 1;
        this.singleProducer = singleProducer;
        this.stampSubmit = stampSubmit;
        ring = singleProducer ?
            RingBuffer.createSingleProducer(RequestEvent::new, ringSize, new BusySpinWaitStrategy()) :
            RingBuffer.createMultiProducer(RequestEvent::new, ringSize, new BusySpinWaitStrategy());
    }

    /**
     * @param engineThread tells the engine's own threads, on which a waiting claim is refused.
     */
    void engineThreads(final Predicate<Thread> engineThread)
    {
        this.engineThread = engineThread;
    }

    /**
     * Claim {@code n} consecutive slots, waiting up to {@code timeoutNs} while the ring is full, then re-check
     * {@code closed}.
     *
     * @param timeoutNs 0 to never wait, {@link #WAIT_FOREVER}, or how long to wait.
     * @return the highest claimed sequence, {@link #FULL} when the ring stayed full, or {@link #INTERRUPTED} when
     * the thread was interrupted while waiting (the flag is cleared: the caller restores or reports it).
     * @throws IllegalStateException when closed, or when an engine thread would wait for the ring it drains.
     */
    long claim(final int n, final long timeoutNs)
    {
        if (closed)
        {
            throw closedException();
        }
        long hi;
        try
        {
            hi = ring.tryNext(n);
        }
        catch (final InsufficientCapacityException ex) // a stackless singleton: no allocation
        {
            hi = timeoutNs <= 0 ? FULL : waitForRoom(n, timeoutNs);
            if (hi < 0)
            {
                return hi;
            }
        }

        if (singleProducer)
        {
            LAST_CLAIMED.setVolatile(this, hi); // the cursor CAS plays this part with many producers
        }
        if (closed)
        {
            cancel(hi - n + 1, hi);
            throw closedException();
        }
        return hi;
    }

    private long waitForRoom(final int n, final long timeoutNs)
    {
        if (engineThread.test(Thread.currentThread()))
        {
            throw new IllegalStateException("a waiting submit on engine thread " + Thread.currentThread().getName() +
                " found the ring full: it would wait for its own progress; use trySubmit there");
        }
        final long deadline = WAIT_FOREVER == timeoutNs ? 0 : System.nanoTime() + timeoutNs;
        int idle = 0;
        while (true)
        {
            if (closed)
            {
                throw closedException();
            }
            if (Thread.interrupted())
            {
                return INTERRUPTED;
            }
            try
            {
                return ring.tryNext(n);
            }
            catch (final InsufficientCapacityException ex)
            {
                if (WAIT_FOREVER != timeoutNs && System.nanoTime() - deadline >= 0)
                {
                    return FULL;
                }
                idle = fullRingBackoff(idle);
            }
        }
    }

    void publish(final long sequence, final Object request, final Reply<?, ?> reply, final long key, final int kind)
    {
        final RequestEvent event = ring.get(sequence);
        fill(event, request, reply, key, kind);
        if (stampSubmit)
        {
            event.submitNs = 0 == (sequence & sampleMask) ? System.nanoTime() : 0; // 0: not sampled, no clock read
        }
        ring.publish(sequence);
    }

    /**
     * Fill claimed slots {@code lo..hi} with {@code requests[0..]} and publish them together.
     */
    void publishAll(final long lo, final long hi, final Object[] requests, final Reply<?, ?> reply)
    {
        for (long s = lo; s <= hi; s++)
        {
            fill(ring.get(s), requests[(int)(s - lo)], reply, 0, RequestEvent.UNKEYED);
        }
        if (stampSubmit)
        {
            long submitNs = 0; // one stamp for the batch's sampled slots: filled together
            for (long s = lo; s <= hi; s++)
            {
                final boolean sampled = 0 == (s & sampleMask);
                if (sampled && 0 == submitNs)
                {
                    submitNs = System.nanoTime();
                }
                ring.get(s).submitNs = sampled ? submitNs : 0;
            }
        }
        ring.publish(lo, hi);
    }

    private void cancel(final long lo, final long hi)
    {
        for (long s = lo; s <= hi; s++)
        {
            final RequestEvent event = ring.get(s);
            event.clear();
            event.kind = RequestEvent.CANCELLED;
        }
        ring.publish(lo, hi);
    }

    @SuppressWarnings("unchecked")
    private static void fill(
        final RequestEvent event, final Object request, final Reply<?, ?> reply, final long key, final int kind)
    {
        event.request = request;
        event.reply = (Reply<Object, Object>)reply;
        event.key = key;
        event.kind = kind;
    }

    /**
     * Refuse new claims; idempotent.
     *
     * @return the highest sequence any requester claimed before it was refused: the balancer drains up to it.
     */
    synchronized long close()
    {
        if (BalancerAgent.NOT_CLOSING == closeTarget)
        {
            closed = true;
            closeTarget = Math.max(ring.getCursor(), (long)LAST_CLAIMED.getVolatile(this));
        }
        return closeTarget;
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * Any thread (racy, for the counters' ring depth): the highest sequence claimed so far.
     */
    long highestClaimed()
    {
        return Math.max(ring.getCursor(), (long)LAST_CLAIMED.getVolatile(this));
    }

    static IllegalStateException closedException()
    {
        return new IllegalStateException("balancer is closed: request refused");
    }

    /**
     * A submitter waiting for room in the ring: spin 100 times, yield 1,000 times (about a millisecond), then park
     * 50 us at a time, like the engine's own default back-off. The ring empties in bursts (the balancer takes what its
     * workers have room for, in SHARED between worker 0's batches), and a park costs 80 us or more to wake from on a
     * small machine: a submitter that parked after 100 yields found the ring drained and the engine idle when it woke
     * (measured with 1 producer, 1 SHARED worker and 1,024 requests in flight).
     */
    static int fullRingBackoff(final int idle)
    {
        return backoff(idle, 1_000);
    }

    /**
     * Spin 100 times, yield 100 times, then park 50 us at a time.
     */
    static int backoff(final int idle)
    {
        return backoff(idle, 100);
    }

    private static int backoff(final int idle, final int yields)
    {
        if (idle < 100)
        {
            Thread.onSpinWait();
        }
        else if (idle < 100 + yields)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(50_000);
        }
        return idle + 1;
    }
}
