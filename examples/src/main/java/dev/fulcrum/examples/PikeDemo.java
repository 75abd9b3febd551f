package dev.fulcrum.examples;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerBuilder;
import dev.fulcrum.BalancerStats;
import dev.fulcrum.Policy;
import dev.fulcrum.Reply;
import dev.fulcrum.Task;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Rob Pike's load balancer from "Concurrency is not parallelism" (2012), on Fulcrum.
 * <p>
 * Pike's program: 100 requesters each kill some time, send a {@code Request{fn, c}} to the balancer and wait for the
 * answer on their own channel {@code c}; the balancer hands each request to the least-loaded of 10 workers and
 * prints every worker's pending count with their mean and variance, to show how even the load is.
 * <p>
 * Here the same load runs once per {@link Policy}. A requester is a platform thread that parks while it thinks and
 * while it waits; its {@link Reply} is the requester itself, reused for every request, so the steady state allocates
 * nothing per request. The work parks for a random time (like Pike's {@code Sleep}) so that ten workers fit on a
 * two-core machine; {@code --work=spin} burns the CPU instead, which only makes sense with a core per worker.
 * <p>
 * The engine runs on its defaults but for the policy and the number of workers: adaptive binding (the cap on
 * requests pending at one worker follows the task times; for tasks of a millisecond or more it is 1, so requests wait
 * in the ring for the first free worker) and back-off idle strategies (spin a little, yield, then park: 100
 * requesters, 10 workers and a balancer share two cores here). {@code --max-pending} sets the cap's ceiling;
 * {@code --fixed-binding} turns adaptive binding off, so that the cap is {@code maxPendingPerWorker} always, and with
 * {@code --max-pending=100} each policy alone places every request, as in Pike's program.
 * <p>
 * Run: {@code java -jar examples/target/fulcrum-examples.jar [--help]}.
 */
public final class PikeDemo
{
    /** Longest completion time the histogram tracks; anything longer is recorded as this. */
    private static final long MAX_TRACKED_NS = TimeUnit.SECONDS.toNanos(10);
    /** A requester that waits longer than this for its reply reports it lost and stops. */
    private static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private PikeDemo()
    {
    }

    /**
     * How the work is simulated.
     */
    public enum Work
    {
        /** Park the worker thread for the work's duration: like Pike's {@code Sleep}; fits any number of cores. */
        PARK,
        /** Busy-spin for the work's duration: real CPU work; needs a core per worker to mean anything. */
        SPIN
    }

    /**
     * What one policy did during its measured phase.
     *
     * @param policy            name.
     * @param submitted         requests the requesters submitted, warm-up included.
     * @param replied           replies the requesters received; equals {@code submitted} when nothing was lost.
     * @param engineCompleted   requests the workers completed, from the balancer's own counters after close.
     * @param finalPending      total pending after close; 0 when the balancer's books balance.
     * @param requestsPerSecond replies per second in the measured phase.
     * @param meanPending       mean pending per worker, averaged over the samples.
     * @param variancePending   variance of the pending counts, averaged over the samples.
     * @param completionTimes   submit-to-reply times of requests submitted and replied in the measured phase (ns).
     * @param sampleTimesMs     when each sample was taken, from the start of the measured phase.
     * @param pendingSamples    {@code pendingSamples[sample][worker]}.
     * @param bindingCap        the per-worker cap when the run ended ({@link BalancerStats#bindingCap()}).
     */
    public record PolicyResult(
        String policy,
        long submitted,
        long replied,
        long engineCompleted,
        long finalPending,
        double requestsPerSecond,
        double meanPending,
        double variancePending,
        Histogram completionTimes,
        double[] sampleTimesMs,
        long[][] pendingSamples,
        int bindingCap)
    {
        /**
         * @return true when every request submitted got exactly its reply and the balancer's books balance.
         */
        public boolean allReplied()
        {
            return submitted == replied && submitted == engineCompleted && finalPending == 0;
        }

        /**
         * @return the largest pending count of any worker in any sample: at most the cap of the moment it was taken
         * (a worker over a cap just lowered keeps what it holds until it drains), 0 without samples.
         */
        public long mostPending()
        {
            long most = 0;
            for (final long[] sample : pendingSamples)
            {
                for (final long pending : sample)
                {
                    most = Math.max(most, pending);
                }
            }
            return most;
        }
    }

    /**
     * @param policies one per policy, in the order run.
     * @param chart    the SVG written.
     */
    public record Result(List<PolicyResult> policies, Path chart)
    {
        /**
         * @return true when every policy's run got every reply.
         */
        public boolean allReplied()
        {
            return policies.stream().allMatch(PolicyResult::allReplied);
        }
    }

    /**
     * @param args see {@link PikeOptions#USAGE}, or {@code --help}.
     * @throws Exception when the chart cannot be written or the run is interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        final PikeOptions options = Args.parseOrExit(() -> PikeOptions.parse(args), PikeOptions.USAGE);
        if (null == options)
        {
            return;
        }
        final Result result = run(options, System.out);
        if (!result.allReplied())
        {
            System.err.println("FAILED: some request did not get exactly one reply (see the table)");
            System.exit(1);
        }
    }

    /**
     * Run the same load through each policy, print the samples and the summary, and write the chart.
     *
     * @param options settings.
     * @param out     where the report goes.
     * @return the figures of each policy.
     * @throws IOException          when the chart cannot be written.
     * @throws InterruptedException when interrupted while waiting for the requesters.
     */
    public static Result run(final PikeOptions options, final PrintStream out) throws IOException, InterruptedException
    {
        out.printf("Pike's balancer: %s%n", setting(options));
        out.printf("Each line: pending requests per worker, then their mean and variance.%n");

        final List<PolicyResult> results = new ArrayList<>();
        for (final Policy policy : options.policies())
        {
            results.add(runPolicy(policy, options, out));
        }

        printSummary(results, options, out);

        final Path chart = options.chart();
        final Path parent = chart.toAbsolutePath().getParent();
        if (null != parent)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(chart, PendingChart.svg(results, options));
        out.printf("chart: %s%n", chart);
        return new Result(List.copyOf(results), chart);
    }

    private static PolicyResult runPolicy(final Policy policy, final PikeOptions options, final PrintStream out)
        throws InterruptedException
    {
        // Pike's worker: req.c <- req.fn(). The task is the request's work; the reply goes back by the Reply.
        final Task<Request, Request> work = options.work() == Work.PARK ? PikeDemo::parkWork : PikeDemo::spinWork;

        // Everything else is the engine's default. Adaptive binding sets the cap on a worker's pending requests from
        // the task times: Pike's tasks take milliseconds, far over the 50 us of work the engine lets queue at one
        // worker, so once a worker has timed a batch the cap falls to 1 and a request waits in the ring for the first
        // free worker (late binding; joinIdleQueue is that rule alone). The summary's "most pending" shows whether it
        // did: a worker's timed batch ends only when it finds its queue empty or has run a queue's worth of tasks.
        // Pike's workers each had a channel buffered to nRequester, so his policy alone placed every request:
        // --fixed-binding --max-pending=100 is that, and the pending counts show the policy. The idle strategies back
        // off (spin, yield, then park): 100 requesters and 11 engine threads share a few cores, and nobody may spin
        // for long.
        final BalancerBuilder<Request, Request> builder = Balancer.builder(work)
            .workers(options.workers())
            .policy(policy)
            .adaptiveBinding(!options.fixedBinding());
        if (options.maxPendingPerWorker() > 0)
        {
            builder.maxPendingPerWorker(options.maxPendingPerWorker());
        }
        final Balancer<Request, Request> balancer = builder.build();

        final long startNs = System.nanoTime();
        final Window window = new Window(
            startNs + TimeUnit.MILLISECONDS.toNanos(options.warmupMs()),
            startNs + TimeUnit.MILLISECONDS.toNanos(options.warmupMs() + options.durationMs()));

        final Requester[] requesters = new Requester[options.requesters()];
        final Samples samples;
        try
        {
            final Thread[] threads = new Thread[requesters.length];
            for (int i = 0; i < requesters.length; i++)
            {
                requesters[i] = new Requester(balancer, window, options, options.seed() * 1_000_003L + i);
                threads[i] = new Thread(requesters[i], "requester-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }

            samples = sample(balancer, window, options, out);

            // Requesters stop at the end of the window, after their current request's reply.
            final long joinDeadlineNs = window.stopAtNs + 2 * TimeUnit.MICROSECONDS.toNanos(options.thinkMeanUs()) +
                REPLY_TIMEOUT_NS;
            for (final Thread thread : threads)
            {
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(joinDeadlineNs - System.nanoTime());
                thread.join(Math.max(1, leftMs));
            }
        }
        finally
        {
            balancer.close(); // graceful: runs whatever was accepted, delivers every reply, joins the engine
        }

        long submitted = 0;
        long replied = 0;
        long repliedInWindow = 0;
        for (final Requester requester : requesters)
        {
            submitted += requester.submitted;
            replied += requester.replies;
            repliedInWindow += requester.repliesInWindow;
        }
        final BalancerStats stats = balancer.stats();
        final double seconds = (window.stopAtNs - window.measureFromNs) / 1e9;

        return new PolicyResult(
            policy.name(),
            submitted,
            replied,
            stats.totalCompleted(),
            stats.totalPending(),
            repliedInWindow / seconds,
            samples.meanOfMeans(),
            samples.meanOfVariances(),
            window.completionTimes.getIntervalHistogram(),
            samples.timesMs(),
            samples.pending(),
            stats.bindingCap());
    }

    /**
     * Pike printed the balancer's state after every event; here the main thread takes a snapshot every
     * {@code sampleMs}: {@link Balancer#stats()} may be called from any thread and never stops the engine.
     */
    private static Samples sample(
        final Balancer<Request, Request> balancer,
        final Window window,
        final PikeOptions options,
        final PrintStream out)
    {
        final long periodNs = TimeUnit.MILLISECONDS.toNanos(options.sampleMs());
        final int expected = (int)Math.max(1, options.durationMs() / options.sampleMs());
        final int printEvery = options.lines() == 0 ? Integer.MAX_VALUE : Math.max(1, expected / options.lines());
        final Samples samples = new Samples(expected + 2);
        out.printf("%n%s%n", balancer.policyName());

        long nextNs = window.measureFromNs;
        parkUntil(nextNs);
        while (nextNs < window.stopAtNs)
        {
            final BalancerStats stats = balancer.stats();
            final double atMs = (System.nanoTime() - window.measureFromNs) / 1e6;
            final int index = samples.add(atMs, stats);
            if (index >= 0 && index % printEvery == 0 && index / printEvery < options.lines())
            {
                out.println(pikeLine(atMs, stats));
            }
            nextNs += periodNs;
            parkUntil(nextNs);
        }
        return samples;
    }

    /**
     * One line as Pike's balancer printed it: each worker's pending count, then the mean and the variance.
     */
    static String pikeLine(final double atMs, final BalancerStats stats)
    {
        final StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%7.0f ms ", atMs));
        for (int w = 0; w < stats.workers(); w++)
        {
            line.append(String.format(Locale.ROOT, "%3d", stats.pending(w)));
        }
        return line.append(String.format(Locale.ROOT, "   mean %6.2f  variance %6.2f",
            stats.meanPending(), stats.variancePending())).toString();
    }

    private static void printSummary(final List<PolicyResult> results, final PikeOptions options, final PrintStream out)
    {
        out.printf("%nSummary (%d ms measured per policy; pending averaged over the samples; completion time is " +
            "submit to reply)%n", options.durationMs());
        out.printf("%-18s %10s %13s %17s %13s %4s %9s %9s %9s  %s%n",
            "policy", "requests/s", "mean pending", "variance pending", "most pending", "cap", "p50 ms", "p99 ms",
            "max ms", "replies/submitted");
        for (final PolicyResult r : results)
        {
            final Histogram h = r.completionTimes();
            out.printf(Locale.ROOT, "%-18s %10.0f %13.2f %17.2f %13d %4d %9.3f %9.3f %9.3f  %d/%d%s%n",
                r.policy(), r.requestsPerSecond(), r.meanPending(), r.variancePending(), r.mostPending(),
                r.bindingCap(),
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6,
                r.replied(), r.submitted(), r.allReplied() ? "" : "  <-- LOST OR UNBALANCED");
        }
        out.printf("most pending: the largest pending count of one worker in any sample, which the cap of that " +
            "moment bounds; cap: the per-worker cap when the run ended (%s)%n", options.binding());
        if (results.stream().anyMatch(r -> "joinIdleQueue".equals(r.policy())))
        {
            out.printf("joinIdleQueue gives a worker a request only when it is idle, so its pending counts are 0 or " +
                "1 by design and requests queue in the ring instead: compare its completion times.%n");
        }
    }

    /**
     * @return the load, the engine's settings and the machine, in one line: every figure printed goes with it.
     */
    static String setting(final PikeOptions options)
    {
        return String.format(Locale.ROOT, "%d requesters, %d workers, think %s, work %s (%s), " +
                "%s, the engine's default idle strategies; %d ms measured per policy after %d ms warm-up; " +
                "Java %s, %d processors",
            options.requesters(), options.workers(), uniform(options.thinkMeanUs()), uniform(options.workMeanUs()),
            options.work().name().toLowerCase(Locale.ROOT), options.binding(), options.durationMs(),
            options.warmupMs(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }

    static String uniform(final long meanUs)
    {
        return String.format(Locale.ROOT, "0..%.1f ms", 2 * meanUs / 1000.0);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Pike's pieces: the request, the requester, the work.

    /**
     * Pike's {@code Request{fn, c}}: what to do and when it was asked. Each requester owns one and reuses it; the
     * worker that runs it stamps the reply time before it raises the requester's flag.
     */
    static final class Request
    {
        long workNs;
        long submittedNs;
        long repliedNs;
    }

    /**
     * Pike's requester: kill some time, send a request, wait for the answer on its own channel. The channel is this
     * object: a {@link Reply} that stamps the request and raises a volatile flag, then unparks the requester.
     */
    static final class Requester implements Runnable, Reply<Request, Request>
    {
        private final Request request = new Request();
        private final Balancer<Request, Request> balancer;
        private final Window window;
        private final SplittableRandom random;
        private final long thinkMeanNs;
        private final long workMeanNs;

        private volatile Thread thread;
        private volatile boolean answered;

        // written by the requester's own thread, read by the main thread after join()
        long submitted;
        long replies;
        long repliesInWindow;

        Requester(
            final Balancer<Request, Request> balancer, final Window window, final PikeOptions options, final long seed)
        {
            this.balancer = balancer;
            this.window = window;
            this.random = new SplittableRandom(seed);
            this.thinkMeanNs = TimeUnit.MICROSECONDS.toNanos(options.thinkMeanUs());
            this.workMeanNs = TimeUnit.MICROSECONDS.toNanos(options.workMeanUs());
        }

        @Override
        public void run()
        {
            thread = Thread.currentThread();
            while (true)
            {
                parkUntil(System.nanoTime() + uniform(random, thinkMeanNs)); // kill some time (fake load)
                if (System.nanoTime() >= window.stopAtNs)
                {
                    return;
                }

                request.workNs = uniform(random, workMeanNs);
                answered = false;
                request.submittedNs = System.nanoTime();
                balancer.submit(request, this);                               // send request
                submitted++;

                if (!awaitReply(request.submittedNs + REPLY_TIMEOUT_NS))   // wait for answer
                {
                    return; // counted as lost: submitted > replied
                }
                replies++;
                account();
            }
        }

        private boolean awaitReply(final long deadlineNs)
        {
            while (!answered)
            {
                final long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0)
                {
                    return false;
                }
                LockSupport.parkNanos(this, leftNs);
            }
            return true;
        }

        private void account()
        {
            final long repliedNs = request.repliedNs;
            if (repliedNs >= window.measureFromNs && repliedNs < window.stopAtNs)
            {
                repliesInWindow++;
                if (request.submittedNs >= window.measureFromNs)
                {
                    window.completionTimes.recordValue(Math.min(repliedNs - request.submittedNs, MAX_TRACKED_NS));
                }
            }
        }

        /**
         * Called on the worker thread, once per request: stamp, raise the flag, wake the requester.
         */
        @Override
        public void onResult(final Request request, final Request result)
        {
            request.repliedNs = System.nanoTime();
            answered = true; // volatile write: publishes repliedNs to the requester, which reads the flag first
            LockSupport.unpark(thread);
        }

        @Override
        public void onError(final Request request, final Throwable error)
        {
            onResult(request, null); // the work never throws; if it did, the requester still must not hang
        }
    }

    /**
     * Measured phase of one policy's run, and the completion times recorded in it. {@link Recorder} takes values
     * from many threads at once without locks or allocation.
     */
    private static final class Window
    {
        final long measureFromNs;
        final long stopAtNs;
        final Recorder completionTimes = new Recorder(MAX_TRACKED_NS, 3);

        Window(final long measureFromNs, final long stopAtNs)
        {
            this.measureFromNs = measureFromNs;
            this.stopAtNs = stopAtNs;
        }
    }

    /**
     * Pending counts over time, and the running sums of their mean and variance. Main thread only.
     */
    private static final class Samples
    {
        private final double[] timesMs;
        private final long[][] pending;
        private int count;
        private double sumMean;
        private double sumVariance;

        Samples(final int capacity)
        {
            timesMs = new double[capacity];
            pending = new long[capacity][];
        }

        /**
         * @return the sample's index, or -1 when there is no room for more.
         */
        int add(final double atMs, final BalancerStats stats)
        {
            if (count == timesMs.length)
            {
                return -1;
            }
            final long[] row = new long[stats.workers()];
            for (int w = 0; w < row.length; w++)
            {
                row[w] = stats.pending(w);
            }
            timesMs[count] = atMs;
            pending[count] = row;
            sumMean += stats.meanPending();
            sumVariance += stats.variancePending();
            return count++;
        }

        double meanOfMeans()
        {
            return count == 0 ? 0 : sumMean / count;
        }

        double meanOfVariances()
        {
            return count == 0 ? 0 : sumVariance / count;
        }

        double[] timesMs()
        {
            return Arrays.copyOf(timesMs, count);
        }

        long[][] pending()
        {
            return Arrays.copyOf(pending, count);
        }
    }

    static Request parkWork(final Request request)
    {
        parkUntil(System.nanoTime() + request.workNs);
        return request;
    }

    static Request spinWork(final Request request)
    {
        final long untilNs = System.nanoTime() + request.workNs;
        while (System.nanoTime() < untilNs)
        {
            Thread.onSpinWait();
        }
        return request;
    }

    /**
     * Park until a deadline: {@code parkNanos} may return early (an unpark, a spurious wake-up), so loop.
     */
    static void parkUntil(final long deadlineNs)
    {
        long leftNs;
        while ((leftNs = deadlineNs - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(leftNs);
        }
    }

    private static long uniform(final SplittableRandom random, final long meanNs)
    {
        return meanNs == 0 ? 0 : random.nextLong(2 * meanNs);
    }
}
