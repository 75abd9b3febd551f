package dev.fulcrum.bench;

import dev.fulcrum.Reply;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Timeout;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Pike's own shape with tiny tasks: {@value #REQUESTERS} requesters, each with one request in flight, each waiting
 * parked for its reply; 10 workers ({@link #workers}). Every JMH thread is a requester: it submits a tiny request
 * ({@link BenchTask} on its own reused {@link Probe}), parks ({@link LockSupport#park}) until the reply, which the
 * engine calls on its worker thread, unparks it, and goes again. Score: round trips per second, all requesters.
 * <p>
 * Two methods, the same requesters on two kinds of thread: {@code virtualRequesters}, JMH's benchmark threads as
 * virtual threads ({@code -Djmh.executor=VIRTUAL} in its forks, so it needs a JDK 21 or later to run; the bench
 * itself builds for 17), and {@code platformRequesters}, 100 platform threads, for contrast. A virtual thread that
 * parks gives its carrier to another; a platform thread that parks is a futex wait and its wake-up a system call and
 * a context switch, on every round trip.
 * <p>
 * Contenders ({@link Contenders} specs, 10 workers, Fulcrum's default back-off idle strategy):
 * {@code fulcrum} (DEDICATED: a balancer thread and 10 worker threads), {@code fulcrum-shared} (SHARED: the balancer
 * on worker 0's thread), {@code forkJoin} ({@code new ForkJoinPool(10)}, {@code execute(probe)}; the probe runs the
 * task and then the same reply); and {@code fulcrum-vthreads}, {@code fulcrum-shared-vthreads}, the same two with the
 * engine's own threads made as virtual threads ({@link VirtualEngineContender}; JDK 21 or later).
 * <p>
 * A requester parks without a timeout, as Pike's wait on its reply channel does; should a wake-up ever be lost, JMH's
 * iteration timeout ({@code @Timeout}, 30 s) interrupts it and the benchmark fails saying whether the reply had come.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Timeout(time = 30)
@State(Scope.Benchmark)
public class PikeShapeBenchmark
{
    /** Pike's requesters; each keeps one request in flight. */
    static final int REQUESTERS = 100;
    /** Contender spec, see {@link Contenders}. */
    @Param({"fulcrum", "fulcrum-shared", "forkJoin", "fulcrum-vthreads", "fulcrum-shared-vthreads"})
    public String impl;

    /** Worker threads of the engine: Pike's 10. */
    @Param({"10"})
    public int workers;

    Contender contender;

    @Setup(Level.Trial)
    public void start()
    {
        contender = VirtualEngineContender.names(impl) ?
            VirtualEngineContender.create(impl, workers) : Contenders.create(impl, workers);
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        contender.close();
    }

    /**
     * One requester: its probe, and the reply that unparks it.
     */
    @State(Scope.Thread)
    public static class Requester
    {
        private final Probe probe = new Probe();
        private final UnparkingReply reply = new UnparkingReply();

        public Requester()
        {
            probe.reply = reply;
        }

        /**
         * Submit one request and park until its reply.
         *
         * @return the result, for JMH to consume.
         */
        long roundTrip(final Contender contender)
        {
            final Probe p = probe;
            p.input++;
            reply.waiter = Thread.currentThread(); // published to the worker by the submit
            p.reset();
            contender.send(p);
            while (!p.isDone())
            {
                LockSupport.park(this); // until the reply's unpark (one that came first makes this return at once)
                if (Thread.interrupted())
                {
                    throw noReply(p); // JMH's iteration timeout: fail with what was seen, rather than hang
                }
            }
            AbstractCallbackContender.checkFailure(p);
            return p.output;
        }
    }

    private static IllegalStateException noReply(final Probe p)
    {
        return new IllegalStateException(p.isDone() ?
            "the reply came but its unpark never woke the requester (a lost wake-up): request " + p.input + ", " +
            Thread.currentThread() :
            "no reply within the iteration's timeout: request " + p.input + " of " + Thread.currentThread());
    }

    /**
     * Marks the probe done, then unparks the requester that sent it: Pike's reply channel, one per requester.
     */
    static final class UnparkingReply implements Reply<Probe, Probe>
    {
        Thread waiter;

        @Override
        public void onResult(final Probe request, final Probe result)
        {
            request.markDone();
            LockSupport.unpark(waiter);
        }

        @Override
        public void onError(final Probe request, final Throwable error)
        {
            request.markFailed(error);
            LockSupport.unpark(waiter);
        }
    }

    @Benchmark
    @Threads(REQUESTERS)
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-Djmh.executor=VIRTUAL"})
    public long virtualRequesters(final Requester requester)
    {
        return requester.roundTrip(contender);
    }

    @Benchmark
    @Threads(REQUESTERS)
    @Fork(value = 3, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
    public long platformRequesters(final Requester requester)
    {
        return requester.roundTrip(contender);
    }
}
