package dev.fulcrum.bench;

import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;
import org.jctools.queues.varhandle.MpscVarHandleArrayQueue;
import org.jctools.queues.varhandle.SpscVarHandleArrayQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.util.concurrent.TimeUnit;

/**
 * The queues the engine is built on, old against new, in one run: JCTools' {@code sun.misc.Unsafe} queues
 * ({@code jctools-core}: {@code SpscArrayQueue}, {@code MpscArrayQueue}, what Fulcrum used up to 0.1.0's
 * development) against their VarHandle twins ({@code jctools-core-jdk11}: {@code SpscVarHandleArrayQueue},
 * {@code MpscVarHandleArrayQueue}, what it uses now), same JCTools version, same capacity.
 * <ul>
 * <li>{@code throughput}: one producer offers, one consumer polls, as fast as they can (ops/s per side; failed
 * offers and empty polls are counted, {@link Failures}).</li>
 * <li>{@code roundTrip}: ping offers one element to one queue and busy-spins until pong has moved it to a second
 * queue of the same kind; the score is the time of one round trip (two hand-offs).</li>
 * </ul>
 * Threads: 2 per group, both busy-spinning: no more spinners than the 2 cores this was written for.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Group)
public class QueueBenchmark
{
    private static final Integer ELEMENT = 1;

    /** Queue kind and implementation. */
    @Param({"spsc-unsafe", "spsc-varhandle", "mpsc-unsafe", "mpsc-varhandle"})
    public String queue;

    /** Capacity of each queue (the engine's default worker queue holds 16; its completion queue more). */
    @Param({"1024"})
    public int capacity;

    MessagePassingQueue<Integer> ping;
    MessagePassingQueue<Integer> pong;

    @Setup(Level.Trial)
    public void create()
    {
        ping = newQueue(queue, capacity);
        pong = newQueue(queue, capacity);
    }

    /** Failed offers (queue full) and empty polls, per iteration: how often a side waited for the other. */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Failures
    {
        public long failedOffers;
        public long emptyPolls;
    }

    @Benchmark
    @Group("throughput")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public boolean offer(final Failures failures)
    {
        final boolean offered = ping.offer(ELEMENT);
        if (!offered)
        {
            failures.failedOffers++;
        }
        return offered;
    }

    @Benchmark
    @Group("throughput")
    @GroupThreads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Integer poll(final Failures failures)
    {
        final Integer element = ping.poll();
        if (null == element)
        {
            failures.emptyPolls++;
        }
        return element;
    }

    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Integer roundTripPing(final Control control)
    {
        while (!ping.offer(ELEMENT))
        {
            if (control.stopMeasurement)
            {
                return null;
            }
        }
        Integer back;
        while (null == (back = pong.poll()))
        {
            if (control.stopMeasurement)
            {
                return null; // pong may have stopped first: leave instead of waiting for it
            }
        }
        return back;
    }

    @Benchmark
    @Group("roundTrip")
    @GroupThreads(1)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void roundTripPong(final Control control)
    {
        final Integer element = ping.poll();
        if (null != element)
        {
            while (!pong.offer(element))
            {
                if (control.stopMeasurement)
                {
                    return;
                }
            }
        }
    }

    static MessagePassingQueue<Integer> newQueue(final String spec, final int capacity)
    {
        switch (spec)
        {
            case "spsc-unsafe":
                return new SpscArrayQueue<>(capacity);
            case "spsc-varhandle":
                return new SpscVarHandleArrayQueue<>(capacity);
            case "mpsc-unsafe":
                return new MpscArrayQueue<>(capacity);
            case "mpsc-varhandle":
                return new MpscVarHandleArrayQueue<>(capacity);
            default:
                throw new IllegalArgumentException(
                    "queue must be spsc-unsafe, spsc-varhandle, mpsc-unsafe or mpsc-varhandle: queue=" + spec);
        }
    }
}
