package dev.fulcrum.examples;

import dev.fulcrum.Policy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The examples' command line: {@code --name=value} or {@code --name value}, each option known in advance, so that a
 * typo is an error rather than a silently ignored setting; a switch ({@link #flag(String)}) is {@code --name} alone.
 * Small on purpose: the examples are about the balancer.
 */
final class Args
{
    private final Map<String, String> values = new HashMap<>();
    /** Options given as {@code --name} with no value: the next argument was another option, or there was none. */
    private final Set<String> bare = new HashSet<>();
    private final Set<String> used = new HashSet<>();
    private final boolean help;

    /**
     * The examples' {@code main} front end: parse, or print the error and the usage and exit with 2.
     *
     * @param parse reads the options; returns null when {@code --help} was asked for.
     * @param usage printed with an error, or for {@code --help}.
     * @param <T>   the options type.
     * @return the options, or null after printing the usage for {@code --help}.
     */
    static <T> T parseOrExit(final Supplier<T> parse, final String usage)
    {
        final T options;
        try
        {
            options = parse.get();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.err.println(usage);
            System.exit(2);
            return null;
        }
        if (null == options)
        {
            System.out.println(usage);
        }
        return options;
    }

    Args(final String... args)
    {
        boolean help = false;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() < 3)
            {
                throw new IllegalArgumentException("options look like --name=value: arg=" + arg);
            }
            final int eq = arg.indexOf('=');
            if (eq > 0)
            {
                values.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
            else if (i + 1 < args.length && !args[i + 1].startsWith("--"))
            {
                values.put(arg.substring(2), args[++i]);
            }
            else
            {
                bare.add(arg.substring(2)); // a switch, or an option missing its value: the getter says which
            }
        }
        this.help = help;
    }

    boolean help()
    {
        return help;
    }

    String string(final String name, final String defaultValue)
    {
        used.add(name);
        if (bare.contains(name))
        {
            throw new IllegalArgumentException("option needs a value: option=--" + name);
        }
        return values.getOrDefault(name, defaultValue);
    }

    /**
     * A switch: {@code --name} alone turns it on; {@code --name=true} and {@code --name=false} are accepted too.
     *
     * @param name the switch.
     * @return whether it was turned on; false when it was not given.
     * @throws IllegalArgumentException when it was given any other value.
     */
    boolean flag(final String name)
    {
        used.add(name);
        if (bare.contains(name))
        {
            return true;
        }
        final String value = values.get(name);
        if (null == value || "false".equals(value))
        {
            return false;
        }
        if ("true".equals(value))
        {
            return true;
        }
        throw new IllegalArgumentException("--" + name + " is a switch: give it alone, or =true or =false: --" +
            name + "=" + value);
    }

    long positiveOrZero(final String name, final long defaultValue)
    {
        final String value = string(name, null);
        if (null == value)
        {
            return defaultValue;
        }
        final long parsed;
        try
        {
            parsed = Long.parseLong(value.replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--" + name + " must be a whole number: --" + name + "=" + value, ex);
        }
        if (parsed < 0)
        {
            throw new IllegalArgumentException("--" + name + " must be >= 0: --" + name + "=" + value);
        }
        return parsed;
    }

    int positiveInt(final String name, final int defaultValue)
    {
        final long value = positiveOrZero(name, defaultValue);
        if (value < 1 || value > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("--" + name + " must be in 1.." + Integer.MAX_VALUE + ": --" + name +
                "=" + value);
        }
        return (int)value;
    }

    double positiveDouble(final String name, final double defaultValue)
    {
        final String value = string(name, null);
        if (null == value)
        {
            return defaultValue;
        }
        try
        {
            final double parsed = Double.parseDouble(value);
            if (!(parsed >= 0))
            {
                throw new IllegalArgumentException("--" + name + " must be >= 0: --" + name + "=" + value);
            }
            return parsed;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--" + name + " must be a number: --" + name + "=" + value, ex);
        }
    }

    /**
     * @param name as the policy's factory method is called: leastLoaded, roundRobin, powerOfTwoChoices,
     *             joinIdleQueue, peakEwma.
     * @return the policy.
     * @throws IllegalArgumentException for any other name.
     */
    static Policy policy(final String name)
    {
        return Policy.byName(name.trim());
    }

    /**
     * Call after reading every option.
     *
     * @throws IllegalArgumentException naming the first option nobody asked for.
     */
    void checkAllUsed()
    {
        for (final String name : values.keySet())
        {
            if (!used.contains(name))
            {
                throw new IllegalArgumentException("unknown option: --" + name + " (try --help)");
            }
        }
        for (final String name : bare)
        {
            if (!used.contains(name))
            {
                throw new IllegalArgumentException("unknown option: --" + name + " (try --help)");
            }
        }
    }
}
