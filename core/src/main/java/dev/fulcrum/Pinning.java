package dev.fulcrum;

import java.util.BitSet;

/**
 * Pins the calling thread to one CPU with OpenHFT's Java-Thread-Affinity. Kept apart so that the affinity library
 * (an optional dependency) is loaded only when a CPU list was given.
 */
final class Pinning
{
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
            net.openhft.affinity.Affinity.setAffinity(cpu);
            final BitSet now = net.openhft.affinity.Affinity.getAffinity();
            if (now.cardinality() != 1 || !now.get(cpu))
            {
                return "affinity is " + now + " after asking for cpu=" + cpu;
            }
            return null;
        }
        catch (final Throwable t)
        {
            // NoClassDefFoundError without the library, UnsatisfiedLinkError without JNA, or no rights
            return t.toString();
        }
    }
}
