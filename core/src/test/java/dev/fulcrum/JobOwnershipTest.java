package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The job ownership protocol, two threads at a time: a worker (claim, then finish) against the balancer moving a
 * job (revoke) or a closer at its deadline (revoke, else abandon). Every interleaving of their steps is tried, then
 * real threads race; in every case exactly one side answers the request.
 */
class JobOwnershipTest
{
    /** One side's steps; each step may end the side's program early. */
    private interface Side
    {
        /**
         * @return false when the side stops here.
         */
        boolean step(int index, Job job);

        int steps();

        boolean answered();
    }

    private static final class Worker implements Side
    {
        private boolean claimed;
        private boolean replies;

        @Override
        public boolean step(final int index, final Job job)
        {
            if (0 == index)
            {
                claimed = job.claim();
                return claimed;
            }
            replies = job.finish();
            return false;
        }

        @Override
        public int steps()
        {
            return 2;
        }

        @Override
        public boolean answered()
        {
            return replies;
        }
    }

    private static final class Closer implements Side
    {
        private final boolean mayAbandon;
        private boolean answers;

        Closer(final boolean mayAbandon)
        {
            this.mayAbandon = mayAbandon;
        }

        @Override
        public boolean step(final int index, final Job job)
        {
            if (0 == index)
            {
                answers = job.revoke();
                return !answers && mayAbandon;
            }
            answers = job.abandon();
            return false;
        }

        @Override
        public int steps()
        {
            return mayAbandon ? 2 : 1;
        }

        @Override
        public boolean answered()
        {
            return answers;
        }
    }

    @Test
    void shouldLetExactlyOneSideAnswerInEveryInterleavingOfWorkerAndMover()
    {
        assertEquals(3, everyInterleaving(false), "interleavings of claim, finish against revoke");
    }

    @Test
    void shouldLetExactlyOneSideAnswerInEveryInterleavingOfWorkerAndDeadlineCloser()
    {
        assertEquals(6, everyInterleaving(true), "interleavings of claim, finish against revoke, abandon");
    }

    /**
     * @return how many interleavings were tried.
     */
    private static int everyInterleaving(final boolean mayAbandon)
    {
        final int workerSteps = 2;
        final int closerSteps = mayAbandon ? 2 : 1;
        final List<boolean[]> orders = new ArrayList<>();
        orders(new boolean[workerSteps + closerSteps], 0, workerSteps, closerSteps, orders);
        for (final boolean[] order : orders)
        {
            final Job job = new Job();
            job.queued();
            final Worker worker = new Worker();
            final Closer closer = new Closer(mayAbandon);
            int w = 0;
            int c = 0;
            boolean workerOn = true;
            boolean closerOn = true;
            for (final boolean workerMoves : order)
            {
                if (workerMoves)
                {
                    workerOn = workerOn && worker.step(w++, job);
                }
                else
                {
                    closerOn = closerOn && closer.step(c++, job);
                }
            }
            assertEquals(1, (worker.answered() ? 1 : 0) + (closer.answered() ? 1 : 0),
                "exactly one answers; order (true = worker) " + java.util.Arrays.toString(order) +
                ", final state " + job.state());
        }
        return orders.size();
    }

    private static void orders(
        final boolean[] prefix, final int at, final int workerLeft, final int closerLeft, final List<boolean[]> out)
    {
        if (0 == workerLeft && 0 == closerLeft)
        {
            out.add(prefix.clone());
            return;
        }
        if (workerLeft > 0)
        {
            prefix[at] = true;
            orders(prefix, at + 1, workerLeft - 1, closerLeft, out);
        }
        if (closerLeft > 0)
        {
            prefix[at] = false;
            orders(prefix, at + 1, workerLeft, closerLeft - 1, out);
        }
    }

    /**
     * Spin a little, then yield: two threads in lockstep on a busy 2-core machine must not each wait out the other's
     * time slice (two spinners on one core take milliseconds per hand-off), which made the test time out under load.
     */
    private static void backOff(final int spins)
    {
        if (spins < 100)
        {
            Thread.onSpinWait();
        }
        else
        {
            Thread.yield();
        }
    }

    @Test
    @Timeout(60)
    void shouldLetExactlyOneThreadAnswerWhenWorkerAndCloserRace() throws Exception
    {
        final int rounds = Integer.getInteger("fulcrum.stress.ownershipRounds", 20_000);
        final Job[] jobs = new Job[rounds];
        for (int i = 0; i < rounds; i++)
        {
            jobs[i] = new Job();
            jobs[i].queued();
        }
        final boolean[] workerAnswered = new boolean[rounds];
        final boolean[] closerAnswered = new boolean[rounds];
        final AtomicInteger go = new AtomicInteger(-1);
        final AtomicInteger done = new AtomicInteger();

        final Thread worker = new Thread(() ->
        {
            for (int i = 0; i < rounds; i++)
            {
                for (int spins = 0; go.get() < i; spins++)
                {
                    backOff(spins);
                }
                workerAnswered[i] = jobs[i].claim() && jobs[i].finish();
                done.incrementAndGet();
            }
        });
        worker.start();
        for (int i = 0; i < rounds; i++)
        {
            go.set(i);
            final Job job = jobs[i];
            closerAnswered[i] = job.revoke() || job.abandon();
            for (int spins = 0; done.get() <= i; spins++)
            {
                backOff(spins);
            }
        }
        worker.join();

        int byWorker = 0;
        for (int i = 0; i < rounds; i++)
        {
            assertEquals(1, (workerAnswered[i] ? 1 : 0) + (closerAnswered[i] ? 1 : 0), "round " + i);
            byWorker += workerAnswered[i] ? 1 : 0;
        }
        System.out.println("JobOwnershipTest: " + rounds + " races, worker answered " + byWorker +
            ", closer answered " + (rounds - byWorker));
    }
}
