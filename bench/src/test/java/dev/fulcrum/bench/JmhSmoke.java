package dev.fulcrum.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Runs a benchmark class in this JVM, once, briefly: enough to show that every benchmark method and contender
 * starts, produces a result and shuts down, and nothing about how fast.
 */
final class JmhSmoke
{
    private JmhSmoke()
    {
    }

    static ChainedOptionsBuilder once(final Class<?> benchmark)
    {
        return new OptionsBuilder()
            .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .shouldFailOnError(true)
            .shouldDoGC(false)
            .verbosity(VerboseMode.SILENT);
    }

    static Collection<RunResult> run(final ChainedOptionsBuilder options) throws RunnerException
    {
        return new Runner(options.build()).run();
    }
}
