package dev.fulcrum;

/**
 * A main for {@link PinCpusAllowedSetTest}, run in a child JVM under {@code taskset}: prints the CPUs the process may
 * run on, then for each CPU id given whether {@code pinCpus} accepts it. Not a test (its name does not end in Test).
 */
final class PinCpusProbe
{
    private PinCpusProbe()
    {
    }

    public static void main(final String[] args)
    {
        System.out.println("allowed=" + CpuSet.allowed());
        for (final String arg : args)
        {
            final int cpu = Integer.parseInt(arg);
            try
            {
                Balancer.builder((Integer q) -> q).pinCpus(cpu);
                System.out.println("cpu=" + cpu + " accepted");
            }
            catch (final IllegalArgumentException ex)
            {
                System.out.println("cpu=" + cpu + " refused: " + ex.getMessage());
            }
        }
    }
}
