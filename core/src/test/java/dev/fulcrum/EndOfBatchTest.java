package dev.fulcrum;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Task#onEndOfBatch()}: once per batch a worker drained, after that batch's replies, never for an empty
 * look; a throwing hook is counted and the worker goes on. Stepped by hand, so each batch is exact.
 */
class EndOfBatchTest
{
    /** What happened on the worker, in order: "run q", "reply q", "end". */
    private final List<String> events = new ArrayList<>();

    private final class RecordingTask implements Task<Integer, Integer>
    {
        boolean throwAtEnd;

        @Override
        public Integer execute(final Integer request)
        {
            events.add("run " + request);
            return request;
        }

        @Override
        public void onEndOfBatch()
        {
            events.add("end");
            if (throwAtEnd)
            {
                throw new IllegalStateException("end of batch fails");
            }
        }
    }

    private final Reply<Integer, Integer> reply = Reply.of(
        (q, r) -> events.add("reply " + q), (q, e) -> events.add("error " + q));

    @Test
    void shouldCallOncePerBatchAfterItsRepliesAndNeverForAnEmptyLook()
    {
        final RecordingTask task = new RecordingTask();
        try (Balancer<Integer, Integer> balancer = Balancer.builder(task)
            .workers(1).maxPendingPerWorker(4).ringSize(8)
            .threadingMode(ThreadingMode.INVOKER).manualWorkers().build())
        {
            for (int i = 0; i < 3; i++)
            {
                assertTrue(balancer.trySubmit(i, reply));
            }
            balancer.invoker().invoke();
            assertEquals(3, balancer.workerInvoker(0).invoke());
            assertEquals(0, balancer.workerInvoker(0).invoke(), "nothing queued: no batch, no call");
            assertEquals(List.of("run 0", "reply 0", "run 1", "reply 1", "run 2", "reply 2", "end"), events);

            events.clear();
            assertTrue(balancer.trySubmit(7, reply));
            balancer.invoker().invoke();
            assertEquals(1, balancer.workerInvoker(0).invoke());
            assertEquals(List.of("run 7", "reply 7", "end"), events, "a batch of one is a batch");
        }
    }

    @Test
    void shouldCountAThrowingHookAndGoOn()
    {
        final RecordingTask task = new RecordingTask();
        task.throwAtEnd = true;
        final List<Throwable> reported = new ArrayList<>();
        try (Balancer<Integer, Integer> balancer = Balancer.builder(task)
            .workers(1).maxPendingPerWorker(4).ringSize(8).errorHandler(reported::add)
            .threadingMode(ThreadingMode.INVOKER).manualWorkers().build())
        {
            assertTrue(balancer.trySubmit(1, reply));
            balancer.invoker().invoke();
            balancer.workerInvoker(0).invoke();
            assertTrue(balancer.trySubmit(2, reply));
            balancer.invoker().invoke();
            balancer.workerInvoker(0).invoke();
            assertEquals(List.of("run 1", "reply 1", "end", "run 2", "reply 2", "end"), events);
            assertEquals(2, reported.size());
            balancer.invoker().invoke();
            assertEquals(2, balancer.stats().replyErrors(0));
            assertEquals(2, balancer.stats().completed(0));
        }
    }
}
