package dev.fulcrum.bench;

import java.util.function.BiConsumer;

/**
 * The harnesses' command lines: {@code --name=value} options and {@code --help}, with the checks they share.
 */
final class HarnessFlags
{
    private HarnessFlags()
    {
    }

    /**
     * @param args   the command line.
     * @param option called with each option's name (without {@code --}) and value, in order.
     * @return true when {@code --help} or {@code -h} was given.
     * @throws IllegalArgumentException on an argument that is not {@code --name=value}, or as {@code option} throws.
     */
    static boolean parse(final String[] args, final BiConsumer<String, String> option)
    {
        boolean help = false;
        for (final String arg : args)
        {
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                help = true;
                continue;
            }
            final int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0)
            {
                throw new IllegalArgumentException("options are --name=value: arg=" + arg);
            }
            option.accept(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return help;
    }

    static void positive(final String name, final long value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(name + " must be >= 1: " + name + "=" + value);
        }
    }

    static void powerOfTwo(final String name, final int value)
    {
        if (value < 1 || Integer.bitCount(value) != 1)
        {
            throw new IllegalArgumentException(name + " must be a power of 2: " + name + "=" + value);
        }
    }
}
