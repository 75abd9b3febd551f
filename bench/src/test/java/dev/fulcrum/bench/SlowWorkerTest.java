package dev.fulcrum.bench;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowWorkerTest
{
    private static final int TASKS = 100_000;
    /** Far below one byte per task. */
    private static final long BUDGET_BYTES = 16 * 1024;

    @Test
    void shouldStretchOnlyTheFirstThreadsTasksWhenSeveralThreadsRunThem() throws Exception
    {
        final SlowWorker slow = new SlowWorker(0.25);
        assertNull(slow.threadName());

        final AtomicLong other = new AtomicLong();
        final long first = slow.serviceNs(1_000);
        final Thread thread = new Thread(() -> other.set(slow.serviceNs(1_000)), "not-the-slow-one");
        thread.start();
        thread.join(10_000);

        assertAll(
            () -> assertEquals(4_000, first),
            () -> assertEquals(4_000, slow.serviceNs(1_000), "still the slow worker on a later task"),
            () -> assertEquals(1_000, other.get()),
            () -> assertEquals(Thread.currentThread().getName(), slow.threadName()));
    }

    @Test
    void shouldStretchTheTimeReallyTakenWhenEveryTaskOvershoots()
    {
        final SlowWorker slow = new SlowWorker(0.25, 70_000);
        // a 200 us park takes 270 us anywhere: the slow worker's must take 4 x 270 = 1,080 us, so it asks for 1,010
        assertEquals(1_010_000, slow.serviceNs(200_000));
        assertThrows(IllegalArgumentException.class, () -> new SlowWorker(0.25, -1));
    }

    @Test
    void shouldLeaveServiceTimesAloneWhenSpeedIsOne()
    {
        final SlowWorker slow = new SlowWorker(1);
        assertEquals(200_000, slow.serviceNs(200_000));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -0.5, 1.5, Double.NaN})
    void shouldRejectSpeedNamingItWhenOutOfRange(final double speed)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new SlowWorker(speed));
        assertTrue(ex.getMessage().contains("slow-worker=" + speed), ex.getMessage());
    }

    @Test
    void shouldRejectSlowWorkerOptionWhenOutOfRange()
    {
        assertAll(
            () -> assertEquals(1.0, LatencyHarnessOptions.parse().slowWorker),
            () -> assertEquals(0.25, LatencyHarnessOptions.parse("--slow-worker=0.25").slowWorker),
            () -> assertThrows(IllegalArgumentException.class, () -> LatencyHarnessOptions.parse("--slow-worker=0")),
            () -> assertThrows(IllegalArgumentException.class, () -> LatencyHarnessOptions.parse("--slow-worker=2")));
    }

    @Test
    void shouldAllocateNothingPerTaskWhenTheTaskRunsOnTheSlowWorker()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
            "skipped: this JVM has no com.sun.management.ThreadMXBean to count a thread's allocated bytes");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        Assumptions.assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "skipped: this JVM does not count the bytes a thread allocates");
        final Probe probe = new Probe();
        probe.serviceNs = 1; // a timed task: the slow worker's path, about as short as a clock read
        probe.slowWorker = new SlowWorker(0.5);
        runTasks(probe, 20_000); // warm-up: class loading and the VarHandles' first linkage allocate

        final long before = threads.getCurrentThreadAllocatedBytes();
        runTasks(probe, TASKS);
        final long bytes = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(Thread.currentThread().getName(), probe.slowWorker.threadName());
        // an object per task would be 1.6 MB at least; the budget leaves room for a one-off inside the JDK (the JIT
        // replacing a loop's frame, the bean's own first use), as the core's AllocationTest does
        assertTrue(bytes < BUDGET_BYTES, () -> "bytes allocated over " + TASKS + " tasks on the slow worker: " + bytes);
    }

    private static void runTasks(final Probe probe, final int tasks)
    {
        for (int i = 0; i < tasks; i++)
        {
            probe.input = i;
            BenchTask.INSTANCE.execute(probe);
        }
    }
}
