package dev.fulcrum.examples;

import dev.fulcrum.FulcrumExecutorService;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fulcrum behind the JDK's interfaces, as the README shows it (ReadmeSnippetTest checks the README still shows this
 * code): a {@code CompletableFuture} stage run on Fulcrum's workers, and an ordered executor per account, so one
 * account's deposits apply one at a time and in order while different accounts spread over the workers.
 */
public final class ExecutorQuickStart
{
    private ExecutorQuickStart()
    {
    }

    /**
     * @param args none.
     * @throws Exception if a stage fails.
     */
    public static void main(final String[] args) throws Exception
    {
        final AtomicLong[] balances = {new AtomicLong(), new AtomicLong()};
        // readme-executor-start
        try (FulcrumExecutorService fulcrum = FulcrumExecutorService.create(b -> b.workers(2)))
        {
            final CompletableFuture<Integer> length = CompletableFuture.supplyAsync(() -> "balancer".length(), fulcrum);
            System.out.println("supplyAsync -> " + length.get());

            for (int i = 1; i <= 100; i++)
            {
                final int account = i % 2;
                final long amount = i;
                final Executor ordered = fulcrum.forKey(account);  // cheap: holds only the key
                ordered.execute(() -> balances[account].addAndGet(amount));  // one at a time, in order, per account
            }
        }  // close(): shutdown() and awaitTermination(), as ExecutorService.close() does on JDK 19+
        // readme-executor-end
        System.out.println("account 0 -> " + balances[0].get() + ", account 1 -> " + balances[1].get());
    }
}
