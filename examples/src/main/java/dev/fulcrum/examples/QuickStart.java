package dev.fulcrum.examples;

import dev.fulcrum.Balancer;
import dev.fulcrum.Policy;
import dev.fulcrum.Reply;

import java.util.List;

/**
 * The README's snippet, compiled and run by the build (ReadmeSnippetTest checks the README still shows this code).
 */
public final class QuickStart
{
    static final String USAGE = String.join(System.lineSeparator(),
        "usage: java -cp examples/target/fulcrum-examples.jar dev.fulcrum.examples.QuickStart",
        "  takes no options: submits four words to a balancer of two workers and prints each word's length");

    private QuickStart()
    {
    }

    /**
     * @param args none, or {@code --help}.
     * @return null when {@code --help} was asked for, else true.
     * @throws IllegalArgumentException for any other argument.
     */
    static Boolean parse(final String... args)
    {
        final Args a = new Args(args);
        a.checkAllUsed();
        return a.help() ? null : Boolean.TRUE;
    }

    /**
     * @param args none, or {@code --help}.
     * @throws Exception if the future fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (null == Args.parseOrExit(() -> parse(args), USAGE))
        {
            return;
        }
        // readme-snippet-start
        try (Balancer<String, Integer> balancer = Balancer.builder(String::length)  // Task<Q, R>: R execute(Q)
            .workers(2)
            .policy(Policy.leastLoaded())
            .build())
        {
            // one reply per requester, reused for all its requests: nothing is allocated per request
            final Reply<String, Integer> reply = Reply.of(
                (word, length) -> System.out.println(word + " -> " + length),  // on the worker thread
                (word, error) -> error.printStackTrace());
            for (final String word : List.of("ring", "heap", "balancer"))
            {
                balancer.submit(word, reply);  // waits only while the ring is full; trySubmit never waits
            }
            System.out.println("future -> " + balancer.submit("future").get());  // convenient, allocates
        }  // close(): refuses new work, runs everything accepted, delivers every reply, joins the threads
        // readme-snippet-end
    }
}
