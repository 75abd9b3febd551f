package dev.fulcrum.stat.tool;

import dev.fulcrum.Balancer;
import dev.fulcrum.Reply;
import org.agrona.concurrent.BackoffIdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The child process of {@link StatToolProcessTest}: a balancer with a counters directory under a steady trickle of
 * work (bursts of three requests every 5 ms, each task about 2 ms, so the two workers are often holding something),
 * with every 50th reply throwing (the error log) and one key in three (the hot keys). Prints {@code ready} once
 * built and runs until killed, or until its standard input closes (the test's JVM is gone).
 */
public final class TrickleMain
{
    private TrickleMain()
    {
    }

    public static void main(final String[] args)
    {
        final Balancer<Integer, Integer> balancer = Balancer.builder((Integer q) ->
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2)); // the workload: a 2 ms task
                return q;
            })
            .workers(2)
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .errorHandler(t -> { })
            .countersDirectory(Path.of(args[0]))
            .build();
        final Reply<Integer, Integer> reply = Reply.of(
            (q, r) ->
            {
                if (0 == q % 50)
                {
                    throw new IllegalStateException("trickle reply refused request " + q % 100);
                }
            },
            (q, e) -> { });

        final Thread watchParent = new Thread(() ->
        {
            try
            {
                while (System.in.read() >= 0)
                {
                    // nothing is sent: wait for the end of the stream
                }
            }
            catch (final java.io.IOException ignore)
            {
                // the same as the end
            }
            Runtime.getRuntime().halt(0);
        });
        watchParent.setDaemon(true);
        watchParent.start();

        System.out.println("ready");
        System.out.flush();
        for (int q = 1; ; q++)
        {
            if (0 == q % 3)
            {
                balancer.trySubmit(q % 7, q, reply);
            }
            else
            {
                balancer.trySubmit(q, reply);
            }
            if (0 == q % 3)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the trickle's pace, not a synchronisation
            }
        }
    }
}
