package dev.fulcrum;

import java.lang.reflect.InvocationTargetException;
import java.util.BitSet;

/**
 * Pins the calling thread to one CPU with OpenHFT's Java-Thread-Affinity. Kept apart so that the affinity library
 * (an optional dependency) is loaded only when a CPU list was given.
 * <p>
 * The library is reached by reflection, not linked: it publishes no module name, so a {@code requires} in
 * {@code module-info.java} would have to name the module after its jar's file name ({@code affinity}), which
 * breaks if the jar is renamed or the library ever names its module. Reflection needs no readability edge, so the
 * same code runs on the class path and on the module path. Called once per engine thread, at its start.
 */
final class Pinning
{
    private static final String AFFINITY_CLASS = "net.openhft.affinity.Affinity";

    private Pinning()
    {
    }

    /**
     * @param cpu to pin the calling thread to.
     * @return null when pinned, else why not.
     */
    static String pinCurrentThread(final int cpu)
    {
        try
        {
            final Class<?> affinity = Class.forName(AFFINITY_CLASS, true, Pinning.class.getClassLoader());
            affinity.getMethod("setAffinity", int.class).invoke(null, cpu);
            final BitSet now = (BitSet)affinity.getMethod("getAffinity").invoke(null);
            if (now.cardinality() != 1 || !now.get(cpu))
            {
                return "affinity is " + now + " after asking for cpu=" + cpu;
            }
            return null;
        }
        catch (final ClassNotFoundException ex)
        {
            return AFFINITY_CLASS + " not found: add net.openhft:affinity to the class path or the module path";
        }
        catch (final InvocationTargetException ex)
        {
            // UnsatisfiedLinkError or NoClassDefFoundError without JNA, or no rights
            return ex.getCause().toString();
        }
        catch (final Throwable t)
        {
            return t.toString();
        }
    }
}
