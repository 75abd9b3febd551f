package dev.fulcrum.examples;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerStats;
import dev.fulcrum.Policy;
import dev.fulcrum.Reply;
import dev.fulcrum.Task;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A trading desk's order router on Fulcrum: orders for 500 instruments, a few of them far more popular than the
 * rest, spread over the workers while every instrument's orders run one at a time, in the order they were sent.
 * <p>
 * Each order is submitted with its instrument as the key, {@link Balancer#submit(long, Object, Reply)}: while an
 * instrument has orders in flight they all go to the same worker, in order; once it has none, its next order goes
 * wherever the policy says. So the matching step may update the instrument's state with no lock, and the load still
 * balances.
 * <p>
 * The program checks what it claims:
 * <ul>
 * <li>order: every gateway numbers each instrument's orders 1, 2, 3...; the {@link Reply} checks on the worker
 * that each instrument's numbers arrive strictly increasing, and the matching step checks that no two workers ever
 * run one instrument at the same time. Both counts must be 0.</li>
 * <li>nothing lost: after {@code close()} every instrument's last reply is its last order, and its traded volume
 * equals what was sent.</li>
 * <li>no garbage: orders come from preallocated pools and go back to them in the reply; latencies go into one
 * {@link SingleWriterRecorder} per worker thread. The program reads the garbage collectors' counts, and the bytes
 * the gateway and engine threads allocated, before and after the measured phase.</li>
 * </ul>
 * Run: {@code java -Xlog:gc -cp examples/target/fulcrum-examples.jar dev.fulcrum.examples.OrderRouterDemo}.
 */
public final class OrderRouterDemo
{
    private static final long MAX_TRACKED_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_REPORTED_VIOLATIONS = 10;
    /** A run that replied to fewer than this share of its target rate fell behind it. */
    static final double KEPT_UP_SHARE = 0.95;

    private OrderRouterDemo()
    {
    }

    /**
     * Settings of a run; {@link #parse(String...)} reads them from the command line.
     *
     * @param instruments         how many instruments trade.
     * @param skew                Zipf exponent of their popularity: instrument {@code i} is picked with weight
     *                            {@code 1 / (i + 1)^skew}; 0 makes them all equal.
     * @param gateways            threads sending orders; each owns every {@code gateways}-th instrument.
     * @param workers             matching threads.
     * @param ratePerSecond       orders per second over all gateways; 0 sends as fast as the pools allow.
     * @param workNs              busy time of matching one order.
     * @param ordersPerGateway    size of each gateway's preallocated order pool: the most it has in flight.
     * @param maxPendingPerWorker the balancer's cap per worker.
     * @param policy              how a worker is picked for an instrument with nothing in flight.
     * @param warmupMs            time before the measured phase (lets the JIT compile the hot path).
     * @param durationMs          measured phase.
     * @param seed                of the gateways' random draws.
     */
    public record Options(
        int instruments,
        double skew,
        int gateways,
        int workers,
        long ratePerSecond,
        long workNs,
        int ordersPerGateway,
        int maxPendingPerWorker,
        Policy policy,
        long warmupMs,
        long durationMs,
        long seed)
    {
        static final String USAGE = String.join(System.lineSeparator(),
            "usage: java -Xlog:gc -cp examples/target/fulcrum-examples.jar dev.fulcrum.examples.OrderRouterDemo " +
                "[options]",
            "  --instruments=500     instruments traded",
            "  --skew=1.0            Zipf exponent of instrument popularity (0 = uniform)",
            "  --gateways=2          order-sending threads; each owns every gateways-th instrument",
            "  --workers=4           matching threads",
            "  --rate=50000          orders per second over all gateways; 0 = as fast as the pools allow",
            "  --work-ns=2000        busy time of matching one order",
            "  --orders-per-gateway=1024  preallocated orders per gateway (its most in flight)",
            "  --max-pending=16      maxPendingPerWorker",
            "  --policy=leastLoaded  or roundRobin, powerOfTwoChoices, joinIdleQueue",
            "  --warmup-ms=2000      before measuring (JIT warm-up)",
            "  --duration-ms=5000    measured phase",
            "  --seed=1");

        /**
         * @param args command line, {@code --name=value}.
         * @return the options, or null when {@code --help} was asked for.
         * @throws IllegalArgumentException on an unknown option or a bad value.
         */
        public static Options parse(final String... args)
        {
            final Args a = new Args(args);
            final Options options = new Options(
                a.positiveInt("instruments", 500),
                a.positiveDouble("skew", 1.0),
                a.positiveInt("gateways", 2),
                a.positiveInt("workers", 4),
                a.positiveOrZero("rate", 50_000),
                a.positiveOrZero("work-ns", 2_000),
                a.positiveInt("orders-per-gateway", 1_024),
                a.positiveInt("max-pending", 16),
                Args.policy(a.string("policy", "leastLoaded")),
                a.positiveOrZero("warmup-ms", 2_000),
                a.positiveInt("duration-ms", 5_000),
                a.positiveOrZero("seed", 1));
            a.checkAllUsed();
            return a.help() ? null : options;
        }
    }

    /**
     * What a run did.
     *
     * @param submitted          orders sent, warm-up included.
     * @param replied            replies received; equals {@code submitted} when nothing was lost.
     * @param quiescent          after close: nothing pending, no key in flight, nothing parked, and the workers
     *                           completed exactly what was submitted.
     * @param outOfOrder         replies whose sequence was not above the instrument's previous one; must be 0.
     * @param concurrentRuns     times two workers ran one instrument at once; must be 0.
     * @param instrumentsWithLosses instruments whose last reply was not their last order, plus volume mismatches.
     * @param violations         the first few violations, described.
     * @param measuredOrders     replies in the measured phase.
     * @param ordersPerSecond    replies per second in the measured phase.
     * @param targetPerSecond    the rate asked for ({@code --rate}); 0 for as fast as possible.
     * @param latency            due-to-reply times in the measured phase (ns), merged over the workers.
     * @param gcCollections      collections during the measured phase, over all collectors.
     * @param gcTimeMs           their total time.
     * @param allocatedBytes     bytes allocated by the gateway and engine threads during the measured phase, or -1
     *                           when the JVM cannot tell.
     * @param allocatingThreads  those of them that allocated, with their bytes; empty when none did.
     * @param ordersPerWorker    orders each worker completed, warm-up included.
     */
    public record Result(
        long submitted,
        long replied,
        boolean quiescent,
        long outOfOrder,
        long concurrentRuns,
        long instrumentsWithLosses,
        List<String> violations,
        long measuredOrders,
        double ordersPerSecond,
        long targetPerSecond,
        Histogram latency,
        long gcCollections,
        long gcTimeMs,
        long allocatedBytes,
        String allocatingThreads,
        long[] ordersPerWorker)
    {
        /**
         * @return true when every order got its reply, in order, exactly once, and none ran concurrently.
         */
        public boolean invariantsHeld()
        {
            return submitted == replied && quiescent && outOfOrder == 0 && concurrentRuns == 0 &&
                instrumentsWithLosses == 0;
        }

        /**
         * @return true when the measured phase replied at (nearly) the target rate, or no rate was set. When false,
         * the orders queued up behind the gateways and the latencies measure that backlog, not the engine.
         */
        public boolean keptUp()
        {
            return targetPerSecond == 0 || ordersPerSecond >= KEPT_UP_SHARE * targetPerSecond;
        }
    }

    /**
     * @param args see {@link Options#USAGE}, or {@code --help}.
     * @throws Exception when interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final Options options = Args.parseOrExit(() -> Options.parse(args), Options.USAGE);
        if (null == options)
        {
            return;
        }
        final Result result = run(options, System.out);
        if (!result.invariantsHeld())
        {
            System.err.println("FAILED: orders were lost, reordered or run concurrently (see above)");
            System.exit(1);
        }
        if (!result.keptUp())
        {
            System.err.println("BEHIND: the desk did not keep up with --rate (see above); the latencies are not the " +
                "engine's");
            System.exit(3);
        }
    }

    /**
     * Run the desk: warm up, measure, stop the gateways, close the balancer, check everything.
     *
     * @param options settings.
     * @param out     where the report goes.
     * @return the figures and the checks.
     * @throws InterruptedException when interrupted while waiting.
     */
    public static Result run(final Options options, final PrintStream out) throws InterruptedException
    {
        final Desk desk = new Desk(options);
        final List<EngineThread> engineThreads = new ArrayList<>();

        final Balancer<Order, Order> balancer = Balancer.builder(desk)
            .workers(options.workers())
            .maxPendingPerWorker(options.maxPendingPerWorker())
            .policy(options.policy())
            // gateways, a balancer and workers: more threads than a small machine has cores, so back off when idle
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(100, 10, 1_000, 100_000))
            .workerIdleStrategy(() -> new BackoffIdleStrategy(100, 10, 1_000, 100_000))
            // each engine thread carries its own latency recorder, so recording shares nothing between workers
            .threadFactory(runnable ->
            {
                final EngineThread thread = new EngineThread(runnable);
                engineThreads.add(thread);
                return thread;
            })
            .build();

        out.printf(Locale.ROOT, "Order router: %d instruments (Zipf skew %.2f), %d gateways, %d workers, %s, " +
                "%d ns of matching per order, %d pooled orders per gateway, %s, maxPendingPerWorker=%d%n",
            options.instruments(), options.skew(), options.gateways(), options.workers(),
            options.ratePerSecond() == 0 ? "as fast as possible" : options.ratePerSecond() + " orders/s",
            options.workNs(), options.ordersPerGateway(), options.policy(), options.maxPendingPerWorker());

        final Gateway[] gateways = new Gateway[options.gateways()];
        final Thread[] gatewayThreads = new Thread[gateways.length];
        final Measurement measured;
        try
        {
            for (int g = 0; g < gateways.length; g++)
            {
                gateways[g] = new Gateway(g, options, balancer, desk);
                gatewayThreads[g] = new Thread(gateways[g], "gateway-" + g);
                gatewayThreads[g].setDaemon(true);
                gatewayThreads[g].start();
            }

            out.printf("warming up for %d ms, then measuring for %d ms...%n", options.warmupMs(), options.durationMs());
            Thread.sleep(options.warmupMs());
            measured = measure(options, watchedThreads(gatewayThreads, engineThreads), engineThreads);
        }
        finally
        {
            for (final Gateway gateway : gateways)
            {
                if (null != gateway)
                {
                    gateway.running = false;
                }
            }
            for (final Thread thread : gatewayThreads)
            {
                if (null != thread)
                {
                    thread.join(TimeUnit.SECONDS.toMillis(30));
                }
            }
            balancer.close(); // finishes every accepted order and joins the engine threads
        }
        final BalancerStats after = balancer.stats();

        long submitted = 0;
        for (final Gateway gateway : gateways)
        {
            submitted += gateway.submitted;
        }
        long replied = desk.repliesOnOtherThreads.get();
        for (final EngineThread thread : engineThreads)
        {
            replied += thread.replies;
        }
        final long lost = desk.checkNothingLost(gateways);
        final long[] perWorker = new long[after.workers()];
        for (int w = 0; w < perWorker.length; w++)
        {
            perWorker[w] = after.completed(w);
        }
        final boolean quiescent = after.totalPending() == 0 && after.keysInFlight() == 0 && after.parked() == 0 &&
            after.totalCompleted() == submitted;

        final Result result = new Result(
            submitted,
            replied,
            quiescent,
            desk.outOfOrder.get(),
            desk.concurrentRuns.get(),
            lost,
            desk.violations(),
            measured.latency().getTotalCount(),
            measured.latency().getTotalCount() / measured.seconds(),
            options.ratePerSecond(),
            measured.latency(),
            measured.gcCollections(),
            measured.gcTimeMs(),
            measured.allocatedBytes(),
            measured.allocatingThreads(),
            perWorker);
        report(result, after, measured.seconds(), out);
        return result;
    }

    /**
     * The measured phase. The main thread only reads counters before and after, and sleeps in between, so whatever
     * is allocated meanwhile is allocated by the gateways or the engine.
     */
    private static Measurement measure(
        final Options options, final Thread[] watched, final List<EngineThread> engineThreads)
        throws InterruptedException
    {
        for (final EngineThread thread : engineThreads)
        {
            thread.latency.reset(); // drop the warm-up's latencies
        }
        final long gcCountBefore = gcCount();
        final long gcTimeBefore = gcTimeMs();
        final long[] allocatedBefore = allocatedBytes(watched);
        final long startNs = System.nanoTime();

        Thread.sleep(options.durationMs());

        final long endNs = System.nanoTime();
        final long[] allocatedAfter = allocatedBytes(watched);
        final long gcCount = gcCount() - gcCountBefore;
        final long gcTimeMs = gcTimeMs() - gcTimeBefore;
        final Histogram latency = new Histogram(MAX_TRACKED_NS, 3);
        for (final EngineThread thread : engineThreads)
        {
            latency.add(thread.latency.getIntervalHistogram());
        }

        long allocated = -1;
        final StringBuilder allocatingThreads = new StringBuilder();
        if (null != allocatedBefore && null != allocatedAfter)
        {
            allocated = 0;
            for (int i = 0; i < watched.length; i++)
            {
                final long bytes = allocatedAfter[i] - allocatedBefore[i];
                allocated += bytes;
                if (bytes != 0)
                {
                    allocatingThreads.append(allocatingThreads.length() == 0 ? "" : ", ")
                        .append(watched[i].getName()).append('=').append(bytes);
                }
            }
        }
        return new Measurement(
            (endNs - startNs) / 1e9, latency, gcCount, gcTimeMs, allocated, allocatingThreads.toString());
    }

    private record Measurement(
        double seconds,
        Histogram latency,
        long gcCollections,
        long gcTimeMs,
        long allocatedBytes,
        String allocatingThreads)
    {
    }

    private static void report(final Result r, final BalancerStats after, final double seconds, final PrintStream out)
    {
        final Histogram h = r.latency();
        out.printf(Locale.ROOT, "%nmeasured %.1f s: %,d orders, %,.0f orders/s%n",
            seconds, r.measuredOrders(), r.ordersPerSecond());
        out.printf(Locale.ROOT, "latency, due time to reply, us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  " +
                "max %.1f%n",
            h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(90) / 1e3, h.getValueAtPercentile(99) / 1e3,
            h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
        out.printf("orders per worker (whole run): %s%n", Arrays.toString(r.ordersPerWorker()));
        out.printf("garbage collections during the measured phase: %d (%d ms)%n", r.gcCollections(), r.gcTimeMs());
        if (r.allocatedBytes() >= 0)
        {
            out.printf(Locale.ROOT, "bytes allocated by the gateway and engine threads during it: %,d (%.3f per " +
                "order)%s%n", r.allocatedBytes(), (double)r.allocatedBytes() / Math.max(1, r.measuredOrders()),
                r.allocatingThreads().isEmpty() ? "" : ": " + r.allocatingThreads());
        }
        out.printf("%nchecks: submitted %,d, replied %,d; out-of-order replies %d; instruments run by two workers " +
                "at once %d; instruments with lost orders %d%n",
            r.submitted(), r.replied(), r.outOfOrder(), r.concurrentRuns(), r.instrumentsWithLosses());
        out.printf("after close: %s%n", after);
        if (!r.keptUp())
        {
            out.printf(Locale.ROOT, "BEHIND: replied to %,.0f orders/s of the %,d asked for (%.0f%%, below %.0f%%): " +
                    "orders queued behind the gateways, so the latencies above measure that backlog; " +
                    "try a lower --rate, fewer --gateways or --work-ns, or a machine with more cores%n",
                r.ordersPerSecond(), r.targetPerSecond(), 100 * r.ordersPerSecond() / r.targetPerSecond(),
                100 * KEPT_UP_SHARE);
        }
        if (!r.invariantsHeld())
        {
            out.println("FAILED");
        }
        else
        {
            out.println((r.keptUp() ? "OK" : "BEHIND, but correct") +
                ": every order replied once, in order per instrument");
        }
        for (final String violation : r.violations())
        {
            out.println("  violation: " + violation);
        }
        if (r.gcCollections() > 0)
        {
            out.println("note: a collection ran during the measured phase; rerun with -Xlog:gc to see which and why");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * An order, preallocated in its gateway's pool and reused: taken by the gateway, given back by the reply once
     * the order is done.
     */
    static final class Order
    {
        int instrument;
        long sequence;
        long quantity;
        long dueNs;
        /**
         * Set by the gateway when it takes the order, cleared by the worker in the reply. The volatile write that
         * clears it publishes everything the worker did with the order before the gateway sees it free.
         */
        volatile boolean inFlight;
    }

    /**
     * A gateway's preallocated orders, and nothing else: one thread takes (the gateway), any worker gives back (by
     * clearing {@link Order#inFlight}). The gateway looks for a free order from where it last took one; replies
     * come back in roughly the order they were sent, so the next order is almost always free already.
     */
    static final class OrderPool
    {
        private final Order[] orders;
        private int next;

        OrderPool(final int size)
        {
            orders = new Order[size];
            for (int i = 0; i < size; i++)
            {
                orders[i] = new Order();
            }
        }

        /**
         * @return a free order, now marked in flight, or null when every order is in flight.
         */
        Order take()
        {
            for (int i = 0; i < orders.length; i++)
            {
                final Order order = orders[next];
                next = next + 1 == orders.length ? 0 : next + 1;
                if (!order.inFlight)
                {
                    order.inFlight = true;
                    return order;
                }
            }
            return null;
        }

        static void giveBack(final Order order)
        {
            order.inFlight = false;
        }
    }

    /**
     * One gateway: a thread that sends orders for its own instruments at a steady rate, numbering each instrument's
     * orders, and waits (backing off) when its pool is empty.
     */
    static final class Gateway implements Runnable
    {
        private final Balancer<Order, Order> balancer;
        private final Reply<Order, Order> reply;
        private final OrderPool pool;
        private final int[] instruments;
        private final double[] cumulativeWeight;
        private final SplittableRandom random;
        private final long intervalNs;
        private final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);

        // the gateway's own books, read by the main thread after join()
        final long[] lastSequence;
        final long[] quantitySent;
        long submitted;

        volatile boolean running = true;

        Gateway(final int index, final Options options, final Balancer<Order, Order> balancer, final Desk desk)
        {
            this.balancer = balancer;
            this.reply = desk;
            this.random = new SplittableRandom(options.seed() * 7919 + index);
            this.intervalNs = options.ratePerSecond() == 0 ? 0 :
                Math.max(1, Math.round(1e9 * options.gateways() / options.ratePerSecond()));

            pool = new OrderPool(options.ordersPerGateway());

            // this gateway trades instruments index, index + gateways, ...; popularity falls as 1 / (i + 1)^skew
            final int count = (options.instruments() - index + options.gateways() - 1) / options.gateways();
            instruments = new int[Math.max(0, count)];
            cumulativeWeight = new double[instruments.length];
            double total = 0;
            for (int k = 0; k < instruments.length; k++)
            {
                instruments[k] = index + k * options.gateways();
                total += 1.0 / Math.pow(instruments[k] + 1, options.skew());
                cumulativeWeight[k] = total;
            }
            for (int k = 0; k < cumulativeWeight.length; k++)
            {
                cumulativeWeight[k] /= total;
            }
            lastSequence = new long[options.instruments()];
            quantitySent = new long[options.instruments()];
        }

        @Override
        public void run()
        {
            if (instruments.length == 0)
            {
                return;
            }
            long dueNs = System.nanoTime();
            while (running)
            {
                final long nowNs = System.nanoTime();
                if (intervalNs > 0 && nowNs < dueNs)
                {
                    idle.idle(); // not yet time for the next order
                    continue;
                }
                final Order order = pool.take();
                if (null == order)
                {
                    idle.idle(); // every order of the pool is in flight: wait for replies to return some
                    continue;
                }
                idle.reset();

                final int instrument = pickInstrument();
                order.instrument = instrument;
                order.sequence = ++lastSequence[instrument];
                order.quantity = 1 + random.nextInt(100);
                // measured from when the order was due, so a gateway held up by a full pool or by the scheduler
                // shows in the latency instead of hiding it (no coordinated omission)
                order.dueNs = intervalNs > 0 ? dueNs : nowNs;
                quantitySent[instrument] += order.quantity;

                balancer.submit(instrument, order, reply); // keyed: this instrument's orders stay in order

                submitted++;
                dueNs += intervalNs;
            }
        }

        private int pickInstrument()
        {
            final int k = Arrays.binarySearch(cumulativeWeight, random.nextDouble());
            final int index = k >= 0 ? k : -k - 1;
            return instruments[Math.min(index, instruments.length - 1)];
        }
    }

    /**
     * The matching step (the {@link Task}) and the order's {@link Reply}, with the state they check. One instance
     * serves every worker: the per-instrument state is touched without locks, which is safe exactly because keyed
     * submission never runs one instrument on two workers at once; the checks here would see it if it did.
     */
    static final class Desk implements Task<Order, Order>, Reply<Order, Order>
    {
        private final long workNs;
        /** Traded volume per instrument: plain longs, written only by the worker that holds the instrument. */
        private final long[] volume;
        /** 1 while a worker matches the instrument: a second worker finding it 1 is a violation. */
        private final AtomicIntegerArray matching;
        /** Last sequence replied per instrument. */
        private final AtomicLongArray lastReplied;

        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong concurrentRuns = new AtomicLong();
        final AtomicLong repliesOnOtherThreads = new AtomicLong();
        private final AtomicReferenceArray<String> firstViolations =
            new AtomicReferenceArray<>(MAX_REPORTED_VIOLATIONS);
        private final AtomicLong violationCount = new AtomicLong();

        Desk(final Options options)
        {
            workNs = options.workNs();
            volume = new long[options.instruments()];
            matching = new AtomicIntegerArray(options.instruments());
            lastReplied = new AtomicLongArray(options.instruments());
        }

        /**
         * Match one order: a worker thread, one order at a time.
         */
        @Override
        public Order execute(final Order order)
        {
            final int instrument = order.instrument;
            if (!matching.compareAndSet(instrument, 0, 1))
            {
                concurrentRuns.incrementAndGet();
                violation("instrument " + instrument + " matched on two workers at once (order " +
                    order.sequence + ")");
            }

            final long untilNs = System.nanoTime() + workNs;
            while (System.nanoTime() < untilNs)
            {
                Thread.onSpinWait();
            }
            volume[instrument] += order.quantity;

            matching.set(instrument, 0);
            return order;
        }

        /**
         * On the worker, right after {@link #execute(Order)}: record the latency, check the order, free the order.
         */
        @Override
        public void onResult(final Order order, final Order result)
        {
            final long latencyNs = System.nanoTime() - order.dueNs;
            final Thread thread = Thread.currentThread();
            if (thread instanceof EngineThread engineThread)
            {
                engineThread.latency.recordValue(Math.min(latencyNs, MAX_TRACKED_NS));
                engineThread.replies++;
            }
            else
            {
                repliesOnOtherThreads.incrementAndGet();
            }

            final long previous = lastReplied.getAndSet(order.instrument, order.sequence);
            if (order.sequence <= previous)
            {
                outOfOrder.incrementAndGet();
                violation("instrument " + order.instrument + ": order " + order.sequence + " replied after order " +
                    previous);
            }

            // the engine is done with the order once its reply is called, so the gateway may reuse it now
            OrderPool.giveBack(order);
        }

        @Override
        public void onError(final Order order, final Throwable error)
        {
            violation("instrument " + order.instrument + ": order " + order.sequence + " failed: " + error);
            onResult(order, null);
        }

        private void violation(final String description)
        {
            final long n = violationCount.getAndIncrement();
            if (n < MAX_REPORTED_VIOLATIONS)
            {
                firstViolations.set((int)n, description);
            }
        }

        List<String> violations()
        {
            final List<String> list = new ArrayList<>();
            for (int i = 0; i < firstViolations.length(); i++)
            {
                final String v = firstViolations.get(i);
                if (null != v)
                {
                    list.add(v);
                }
            }
            return list;
        }

        /**
         * After close(): every instrument's last reply is its last order, and the volume traded is the volume sent.
         *
         * @return how many instruments fail either check.
         */
        long checkNothingLost(final Gateway[] gateways)
        {
            long lost = 0;
            for (int instrument = 0; instrument < volume.length; instrument++)
            {
                long lastSent = 0;
                long quantitySent = 0;
                for (final Gateway gateway : gateways)
                {
                    lastSent += gateway.lastSequence[instrument];
                    quantitySent += gateway.quantitySent[instrument];
                }
                if (lastReplied.get(instrument) != lastSent || volume[instrument] != quantitySent)
                {
                    lost++;
                    violation("instrument " + instrument + ": last sent " + lastSent + ", last replied " +
                        lastReplied.get(instrument) + ", volume sent " + quantitySent + ", traded " +
                        volume[instrument]);
                }
            }
            return lost;
        }
    }

    /**
     * The balancer's threads, made by our thread factory: each carries a latency recorder that only it writes
     * ({@link SingleWriterRecorder}: wait-free, no allocation) and the main thread reads between phases.
     */
    static final class EngineThread extends Thread
    {
        final SingleWriterRecorder latency = new SingleWriterRecorder(MAX_TRACKED_NS, 3);
        /** Written by this thread only; read after close() has joined it. */
        long replies;

        EngineThread(final Runnable runnable)
        {
            super(runnable);
            setDaemon(true);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // what the JVM says about garbage

    private static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, gc.getCollectionCount());
        }
        return count;
    }

    private static long gcTimeMs()
    {
        long time = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            time += Math.max(0, gc.getCollectionTime());
        }
        return time;
    }

    private static Thread[] watchedThreads(final Thread[] gateways, final List<EngineThread> engine)
    {
        final Thread[] threads = Arrays.copyOf(gateways, gateways.length + engine.size());
        for (int i = 0; i < engine.size(); i++)
        {
            threads[gateways.length + i] = engine.get(i);
        }
        return threads;
    }

    /**
     * @return bytes each thread has allocated so far (HotSpot's per-thread accounting), or null when unknown.
     */
    private static long[] allocatedBytes(final Thread[] threads)
    {
        final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (!(bean instanceof com.sun.management.ThreadMXBean hotspot) ||
            !hotspot.isThreadAllocatedMemorySupported() || !hotspot.isThreadAllocatedMemoryEnabled())
        {
            return null;
        }
        final long[] ids = new long[threads.length];
        for (int i = 0; i < threads.length; i++)
        {
            ids[i] = threads[i].getId();
        }
        final long[] bytes = hotspot.getThreadAllocatedBytes(ids);
        for (final long b : bytes)
        {
            if (b < 0)
            {
                return null; // a thread has died
            }
        }
        return bytes;
    }
}
