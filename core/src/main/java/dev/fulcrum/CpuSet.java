package dev.fulcrum;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * The CPUs this process may run on: on Linux the {@code Cpus_allowed_list} of {@code /proc/self/status} (which
 * {@code taskset}, cgroups' cpusets and container runtimes set); elsewhere, or when it cannot be read,
 * {@code 0..availableProcessors-1}.
 */
final class CpuSet
{
    private CpuSet()
    {
    }

    static BitSet allowed()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII))
            {
                if (line.startsWith("Cpus_allowed_list:"))
                {
                    return parseList(line.substring("Cpus_allowed_list:".length()));
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux, or no procfs: fall back to the processor count
        }
        final BitSet all = new BitSet();
        all.set(0, Runtime.getRuntime().availableProcessors());
        return all;
    }

    /**
     * @param list a Linux CPU list such as {@code 0-3,8,10-11}.
     * @return the CPUs it names.
     * @throws IllegalArgumentException when it is not such a list.
     */
    static BitSet parseList(final String list)
    {
        final BitSet cpus = new BitSet();
        for (final String part : list.trim().split(","))
        {
            if (part.isEmpty())
            {
                continue;
            }
            final int dash = part.indexOf('-');
            try
            {
                if (dash < 0)
                {
                    cpus.set(Integer.parseInt(part.trim()));
                }
                else
                {
                    cpus.set(Integer.parseInt(part.substring(0, dash).trim()),
                        Integer.parseInt(part.substring(dash + 1).trim()) + 1);
                }
            }
            catch (final NumberFormatException | IndexOutOfBoundsException ex)
            {
                throw new IllegalArgumentException("not a CPU list: list=" + list, ex);
            }
        }
        return cpus;
    }
}
