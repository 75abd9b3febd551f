package dev.fulcrum.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What a result was measured on, for the header of a results file.
 */
final class Machine
{
    private Machine()
    {
    }

    /**
     * @return OS, architecture, available processors and, on Linux, the CPU model.
     */
    static String describe()
    {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " +
            System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() +
            " available processors" + cpuModel();
    }

    private static String cpuModel()
    {
        final Path cpuinfo = Paths.get("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo))
        {
            return "";
        }
        try
        {
            for (final String line : Files.readAllLines(cpuinfo))
            {
                if (line.startsWith("model name"))
                {
                    return ", " + line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException ex)
        {
            return "";
        }
        return "";
    }
}
