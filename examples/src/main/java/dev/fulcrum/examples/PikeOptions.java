package dev.fulcrum.examples;

import dev.fulcrum.Policy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of a {@link PikeDemo} run; {@link #parse(String...)} reads them from the command line.
 *
 * @param requesters          Pike's nRequester: threads that think, submit and wait.
 * @param workers             Pike's nWorker.
 * @param thinkMeanUs         mean time a requester waits between requests (uniform from 0 to twice this).
 * @param workMeanUs          mean time a request takes on its worker (uniform from 0 to twice this).
 * @param maxPendingPerWorker the balancer's cap on requests queued at one worker (with adaptive binding, the
 *                            ceiling of the cap); 0 for the engine's default.
 * @param fixedBinding        true to turn adaptive binding off: the cap is {@code maxPendingPerWorker}, always.
 * @param work                how the work is simulated.
 * @param warmupMs            time per policy before measuring starts.
 * @param durationMs          measured time per policy.
 * @param sampleMs            period of the pending samples.
 * @param lines               sample lines printed per policy.
 * @param policies            the policies to compare, in order.
 * @param chart               where the SVG chart goes.
 * @param seed                of the requesters' random times.
 */
public record PikeOptions(
    int requesters,
    int workers,
    long thinkMeanUs,
    long workMeanUs,
    int maxPendingPerWorker,
    boolean fixedBinding,
    PikeDemo.Work work,
    long warmupMs,
    long durationMs,
    long sampleMs,
    int lines,
    List<Policy> policies,
    Path chart,
    long seed)
{
    static final String USAGE = String.join(System.lineSeparator(),
        "usage: java -jar examples/target/fulcrum-examples.jar [options]",
        "  --requesters=100      Pike's nRequester: threads that think, submit and wait for their reply",
        "  --workers=10          Pike's nWorker",
        "  --think-us=8000       mean think time between requests (uniform 0..2x)",
        "  --work-us=1000        mean work time per request (uniform 0..2x)",
        "  --max-pending=N       maxPendingPerWorker: the ceiling of the adaptive cap, or the cap with",
        "                        --fixed-binding; default: the engine's (1024 adaptive, 16 fixed)",
        "  --fixed-binding       adaptive binding off: the cap is maxPendingPerWorker, always; with",
        "                        --max-pending=100 (= requesters: no cap) the policy alone places every",
        "                        request, as in Pike's program",
        "  --work=park|spin      park the worker (default; fits 2 cores) or busy-spin",
        "  --warmup-ms=500       per policy, not measured",
        "  --duration-ms=2500    measured, per policy",
        "  --sample-ms=20        period of the pending samples",
        "  --lines=5             sample lines printed per policy",
        "  --policies=leastLoaded,roundRobin,powerOfTwoChoices,joinIdleQueue",
        "  --chart=examples/target/pike-demo.svg",
        "  --seed=1");

    /**
     * @param args command line, {@code --name=value}.
     * @return the options, defaults for whatever is not given.
     * @throws IllegalArgumentException on an unknown option or a bad value.
     */
    public static PikeOptions parse(final String... args)
    {
        final Args a = new Args(args);
        final PikeOptions options = new PikeOptions(
            a.positiveInt("requesters", 100),
            a.positiveInt("workers", 10),
            a.positiveOrZero("think-us", 8_000),
            a.positiveOrZero("work-us", 1_000),
            null == a.string("max-pending", null) ? 0 : a.positiveInt("max-pending", 1),
            a.flag("fixed-binding"),
            work(a.string("work", "park")),
            a.positiveOrZero("warmup-ms", 500),
            a.positiveInt("duration-ms", 2_500),
            a.positiveInt("sample-ms", 20),
            (int)a.positiveOrZero("lines", 5),
            policies(a.string("policies", "leastLoaded,roundRobin,powerOfTwoChoices,joinIdleQueue")),
            Path.of(a.string("chart", "examples/target/pike-demo.svg")),
            a.positiveOrZero("seed", 1));
        a.checkAllUsed();
        return a.help() ? null : options;
    }

    /**
     * @return the binding in a few words, for the report and the chart: {@code adaptive binding,
     * maxPendingPerWorker=default} and the like.
     */
    public String binding()
    {
        return (fixedBinding ? "fixed binding" : "adaptive binding") + ", maxPendingPerWorker=" +
            (0 == maxPendingPerWorker ? "default" : Integer.toString(maxPendingPerWorker));
    }

    private static PikeDemo.Work work(final String name)
    {
        return switch (name)
        {
            case "park" -> PikeDemo.Work.PARK;
            case "spin" -> PikeDemo.Work.SPIN;
            default -> throw new IllegalArgumentException("--work must be park or spin: --work=" + name);
        };
    }

    private static List<Policy> policies(final String names)
    {
        final List<Policy> policies = new ArrayList<>();
        for (final String name : names.split(","))
        {
            policies.add(Args.policy(name));
        }
        return List.copyOf(policies);
    }
}
