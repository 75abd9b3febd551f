package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 8, item 9: {@code pinCpus} checks CPU ids against the CPUs this process may run on (its affinity mask, as
 * {@code taskset} sets it), not against {@code 0..availableProcessors-1}. The mask is read from a Linux CPU list,
 * parsed by {@link CpuSet#parseList(String)}.
 */
class PinCpusAllowedSetTest
{
    @Test
    void shouldParseLinuxCpuLists()
    {
        assertEquals(bits(0, 1, 2, 3, 8, 10, 11), CpuSet.parseList("0-3,8,10-11"));
        assertEquals(bits(1), CpuSet.parseList("1"));
        assertEquals(bits(0), CpuSet.parseList(" 0 "));
        assertEquals(bits(0, 1), CpuSet.parseList("\t0-1\n"));
        assertEquals(bits(2, 5), CpuSet.parseList("2,,5"));
        assertEquals(bits(), CpuSet.parseList(""));
    }

    @Test
    void shouldRefuseWhatIsNotACpuListNamingIt()
    {
        for (final String bad : List.of("x", "1-", "-3", "3-1", "0-a", "1.5", "0;1"))
        {
            final IllegalArgumentException thrown =
                assertThrows(IllegalArgumentException.class, () -> CpuSet.parseList(bad), bad);
            assertTrue(thrown.getMessage().contains("list=" + bad), thrown::getMessage);
        }
    }

    @Test
    void shouldRefuseACpuOutsideTheAllowedSetNamingIt()
    {
        final BitSet allowed = CpuSet.allowed();
        assertTrue(allowed.cardinality() >= 1, () -> "allowed " + allowed);
        final int outside = allowed.nextClearBit(0);
        for (final int cpu : new int[] {outside, -1, Integer.MAX_VALUE})
        {
            final IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> Balancer.builder((Integer q) -> q).pinCpus(allowed.nextSetBit(0), cpu));
            assertTrue(thrown.getMessage().contains("cpu=" + cpu), thrown::getMessage);
        }
        Balancer.builder((Integer q) -> q).pinCpus(allowed.nextSetBit(0)); // an allowed one is accepted
    }

    @Test
    @Timeout(120)
    void shouldCheckTheAffinityMaskNotTheProcessorCountUnderTaskset() throws Exception
    {
        assumeTrue(CpuSet.allowed().get(0) && CpuSet.allowed().get(1),
            () -> "needs CPUs 0 and 1 to be allowed; this process may run on " + CpuSet.allowed());
        final String taskset = onPath("taskset");
        assumeTrue(null != taskset, "taskset is not on the PATH");
        final String java = ProcessHandle.current().info().command().orElse(null);
        assumeTrue(null != java, "the java binary of this JVM is unknown");

        final Process child = new ProcessBuilder(taskset, "-c", "1", java,
            "-cp", System.getProperty("java.class.path"), PinCpusProbe.class.getName(), "0", "1")
            .redirectErrorStream(true)
            .start();
        final boolean ended = child.waitFor(90, TimeUnit.SECONDS);
        if (!ended)
        {
            child.destroyForcibly();
        }
        assertTrue(ended, "the child JVM ended");
        final String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("allowed={1}"), out);
        assertTrue(out.contains("cpu=0 refused: "), () -> "CPU 0 is outside the mask taskset set: " + out);
        assertTrue(out.contains("cpu=1 accepted"), () -> "CPU 1 is the one the process may use: " + out);
    }

    private static String onPath(final String command) throws IOException
    {
        final String path = System.getenv("PATH");
        if (null == path)
        {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            final File candidate = new File(dir, command);
            if (candidate.canExecute())
            {
                return candidate.getCanonicalPath();
            }
        }
        return null;
    }

    private static BitSet bits(final int... cpus)
    {
        final BitSet set = new BitSet();
        for (final int cpu : cpus)
        {
            set.set(cpu);
        }
        return set;
    }
}
