package dev.fulcrum.examples;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerStats;
import dev.fulcrum.Reply;
import dev.fulcrum.ThreadingMode;
import dev.fulcrum.WorkerLostException;
import dev.fulcrum.WorkerState;
import dev.fulcrum.aeron.AeronWorkerLink;
import dev.fulcrum.aeron.ByteArrayCodec;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Rob Pike's balancer across processes: one balancer (this JVM) and two worker hosts (two more JVMs, started here),
 * over Aeron on loopback UDP. Pike's requesters think, send a request and wait for its answer; the balancer hands
 * each to the less loaded host and prints every worker's pending count, with the mean and variance, as Pike's
 * program did. Halfway, one host is killed (SIGKILL, as a crash would end it): the balancer's heartbeat notices
 * within half a second, the requests that host held run again on the other one (Pike's work is safe to run twice),
 * and the requesters go on with one worker.
 * <p>
 * Run (the flag is Aeron's: its buffers reach a JDK-internal class):
 * <pre>
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp examples/target/fulcrum-examples.jar \
 *     dev.fulcrum.examples.RemotePikeDemo [--help]
 * </pre>
 */
public final class RemotePikeDemo
{
    private static final String USAGE = String.join(System.lineSeparator(),
        "usage: java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp examples/target/fulcrum-examples.jar \\",
        "         dev.fulcrum.examples.RemotePikeDemo [options]",
        "  --requesters=20       Pike's nRequester: threads that think, submit and wait for their reply",
        "  --think-us=4000       mean think time between requests (uniform 0..2x)",
        "  --work-us=1000        mean work time per request, on a host (uniform 0..2x)",
        "  --duration-ms=4000    how long the requesters run; one host is killed halfway",
        "  --sample-ms=250       period of the pending lines");

    private RemotePikeDemo()
    {
    }

    /**
     * Settings of a run.
     *
     * @param requesters  threads that think, submit and wait.
     * @param thinkMeanUs mean think time (uniform 0..2x).
     * @param workMeanUs  mean work time (uniform 0..2x).
     * @param durationMs  how long the requesters run.
     * @param sampleMs    period of the pending lines.
     */
    record Options(int requesters, long thinkMeanUs, long workMeanUs, long durationMs, long sampleMs)
    {
        static Options parse(final String... args)
        {
            final Args a = new Args(args);
            if (a.help())
            {
                return null;
            }
            final Options options = new Options(a.positiveInt("requesters", 20), a.positiveOrZero("think-us", 4_000),
                a.positiveOrZero("work-us", 1_000), a.positiveInt("duration-ms", 4_000),
                a.positiveInt("sample-ms", 250));
            a.checkAllUsed();
            return options;
        }
    }

    public static void main(final String[] args) throws Exception
    {
        final Options options = Args.parseOrExit(() -> Options.parse(args), USAGE);
        if (null != options && !run(options, System.out))
        {
            System.exit(1);
        }
    }

    /**
     * @return true when every request got exactly one reply.
     */
    static boolean run(final Options options, final PrintStream out) throws Exception
    {
        final Path dirs = Files.createTempDirectory("fulcrum-remote-pike-");
        out.printf("Pike's balancer across processes: %d requesters here, 2 worker hosts (child JVMs), UDP on " +
            "loopback; think 0..%.1f ms, work 0..%.1f ms%n", options.requesters(), 2 * options.thinkMeanUs() / 1e3,
            2 * options.workMeanUs() / 1e3);

        // the balancer's side of Aeron: a media driver in this process and one client for every link
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dirs.resolve("balancer").toString())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .publicationTermBufferLength(64 * 1024)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        try (WorkerHostProcesses hosts = new WorkerHostProcesses(2, dirs))
        {
            // a balancer whose workers are all remote: one per host, each a link of its own
            final Balancer<byte[], byte[]> balancer = Balancer.<byte[], byte[]>builder(request ->
                {
                    throw new IllegalStateException("no local worker");
                })
                .workers(0)
                .maxWorkers(2)
                .maxPendingPerWorker(options.requesters())
                .threadingMode(ThreadingMode.DEDICATED)
                .balancerIdleStrategy(BackoffIdleStrategy::new)
                .workerIdleStrategy(BackoffIdleStrategy::new)
                .errorHandler(error -> out.println("-- reported: " + error.getMessage()))
                .build();
            for (int i = 0; i < 2; i++)
            {
                balancer.addWorker(AeronWorkerLink.builder(ByteArrayCodec.allocating(), ByteArrayCodec.allocating())
                    .aeron(aeron)
                    .requestChannel(hosts.get(i).requestChannel)
                    .replyChannel(hosts.get(i).replyChannel)
                    .safeToRunTwice(request -> true) // Pike's work has no effect but its time
                    .name("host-" + i)
                    .build());
            }
            out.println("Each line: pending requests per worker, then their mean and variance.");

            final Requesters requesters = new Requesters(balancer, options);
            final long startNs = System.nanoTime();
            final long endNs = startNs + TimeUnit.MILLISECONDS.toNanos(options.durationMs());
            final long killAtNs = startNs + TimeUnit.MILLISECONDS.toNanos(options.durationMs() / 2);
            final long sampleNs = TimeUnit.MILLISECONDS.toNanos(options.sampleMs());
            long nextLineNs = startNs;
            long killedNs = 0;
            boolean lostShown = false;
            for (long nowNs = startNs; nowNs - endNs < 0; nowNs = System.nanoTime())
            {
                if (nowNs - nextLineNs >= 0)
                {
                    out.println(PikeDemo.pikeLine((nowNs - startNs) / 1e6, balancer.stats()));
                    nextLineNs += sampleNs;
                }
                if (0 == killedNs && nowNs - killAtNs >= 0)
                {
                    killedNs = System.nanoTime();
                    final long pending = balancer.stats().pending(1);
                    hosts.kill(1);
                    out.printf(Locale.ROOT, "-- %7.0f ms: host 1 killed (SIGKILL) with %d requests pending on it%n",
                        (killedNs - startNs) / 1e6, pending);
                }
                if (0 != killedNs && !lostShown && WorkerState.GONE == balancer.stats().state(1))
                {
                    lostShown = true;
                    out.printf(Locale.ROOT, "-- %7.0f ms: worker 1 gone, %.0f ms after the kill (its heartbeat " +
                        "timeout is 500 ms): what it held ran again on worker 0, and %d requests were answered " +
                        "with WorkerLostException%n", (nowNs - startNs) / 1e6, (nowNs - killedNs) / 1e6,
                        requesters.lost.get());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // looks every 5 ms, prints every sample
            }
            requesters.stop();
            balancer.close();
            final long submitted = requesters.submitted();
            final long replied = requesters.replied();
            final boolean once = submitted == replied && 0 == requesters.wrong.get();
            out.printf("%nsubmitted %d, replied %d, of which WorkerLostException %d: %s%n", submitted, replied,
                requesters.lost.get(), once ? "every request answered once" : "FAILED: not every request answered");
            return once && lostShown;
        }
        finally
        {
            CloseHelper.closeAll(aeron, driver);
        }
    }

    /**
     * Pike's requesters: each thinks, sends one request and parks until its reply unparks it, then again.
     */
    static final class Requesters
    {
        final AtomicLong lost = new AtomicLong();
        final AtomicLong wrong = new AtomicLong();
        private final List<Requester> all = new ArrayList<>();
        private volatile boolean stopping;

        Requesters(final Balancer<byte[], byte[]> balancer, final Options options)
        {
            for (int i = 0; i < options.requesters(); i++)
            {
                final Requester requester = new Requester(i, balancer, options);
                all.add(requester);
                requester.thread.start();
            }
        }

        void stop() throws InterruptedException
        {
            stopping = true;
            for (final Requester requester : all)
            {
                requester.thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        }

        long submitted()
        {
            return all.stream().mapToLong(r -> r.submitted).sum();
        }

        long replied()
        {
            return all.stream().mapToLong(r -> r.replied).sum();
        }

        final class Requester implements Runnable, Reply<byte[], byte[]>
        {
            final Thread thread;
            private final int number;
            private final Balancer<byte[], byte[]> balancer;
            private final SplittableRandom random;
            private final long thinkMeanUs;
            private final long workMeanUs;
            private volatile boolean answered;
            // the requester's own thread writes these; stop() joins it before they are read
            long submitted;
            long replied;

            Requester(final int number, final Balancer<byte[], byte[]> balancer, final Options options)
            {
                this.number = number;
                this.balancer = balancer;
                this.random = new SplittableRandom(number);
                this.thinkMeanUs = options.thinkMeanUs();
                this.workMeanUs = options.workMeanUs();
                thread = new Thread(this, "requester-" + number);
                thread.setDaemon(true);
            }

            @Override
            public void run()
            {
                while (!stopping)
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(random.nextLong(2 * thinkMeanUs + 1)));
                    answered = false;
                    balancer.submit(PikeWork.request(number, (int)random.nextLong(2 * workMeanUs + 1)), this);
                    submitted++;
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!answered && System.nanoTime() < deadline)
                    {
                        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
                    }
                    if (!answered)
                    {
                        return; // never answered: the summary shows it
                    }
                    replied++;
                }
            }

            @Override
            public void onResult(final byte[] request, final byte[] result)
            {
                if (ByteBuffer.wrap(result).getInt() != number)
                {
                    wrong.incrementAndGet(); // another requester's result: the summary says so
                }
                answered = true;
                LockSupport.unpark(thread);
            }

            @Override
            public void onError(final byte[] request, final Throwable error)
            {
                if (error instanceof WorkerLostException)
                {
                    lost.incrementAndGet();
                }
                answered = true;
                LockSupport.unpark(thread);
            }
        }
    }
}
