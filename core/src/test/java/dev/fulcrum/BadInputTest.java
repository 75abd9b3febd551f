package dev.fulcrum;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bad input is refused on the caller's thread with an exception naming the parameter and its value, and a
 * running balancer keeps working afterwards.
 */
class BadInputTest
{
    private static final Task<Integer, Integer> ECHO = q -> q;

    @Test
    void shouldNameTheParameterWhenBuilderSettingIsOutOfRange()
    {
        expect(IllegalArgumentException.class, "workers=0", () -> Balancer.builder(ECHO).workers(0).build());
        expect(IllegalArgumentException.class, "workers=-3", () -> Balancer.builder(ECHO).workers(-3));
        expect(IllegalArgumentException.class, "ringSize=1000", () -> Balancer.builder(ECHO).ringSize(1000));
        expect(IllegalArgumentException.class, "ringSize=1", () -> Balancer.builder(ECHO).ringSize(1));
        expect(IllegalArgumentException.class, "ringSize=0", () -> Balancer.builder(ECHO).ringSize(0));
        expect(IllegalArgumentException.class, "maxPendingPerWorker=0",
            () -> Balancer.builder(ECHO).maxPendingPerWorker(0));
        expect(IllegalArgumentException.class, "workerQueueCapacity=12",
            () -> Balancer.builder(ECHO).workerQueueCapacity(12));
        expect(IllegalArgumentException.class, "maxParked=0", () -> Balancer.builder(ECHO).maxParked(0));
        expect(IllegalArgumentException.class, "maxPendingPerWorker=64, workerQueueCapacity=32",
            () -> Balancer.builder(ECHO).maxPendingPerWorker(64).workerQueueCapacity(32).build());
    }

    @Test
    void shouldNameTheCpuWhenPinListNamesACpuThatDoesNotExist()
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        expect(IllegalArgumentException.class, "cpu=" + cpus, () -> Balancer.builder(ECHO).pinCpus(0, cpus));
        expect(IllegalArgumentException.class, "cpu=-1", () -> Balancer.builder(ECHO).pinCpus(-1));
        expect(IllegalArgumentException.class, "threads=3",
            () -> Balancer.builder(ECHO).workers(2).pinCpus(0).build());
    }

    @Test
    void shouldNameTheParameterWhenNull()
    {
        expect(NullPointerException.class, "task=null", () -> Balancer.builder(null));
        expect(NullPointerException.class, "policy=null", () -> Balancer.builder(ECHO).policy(null));
        expect(NullPointerException.class, "threadingMode=null", () -> Balancer.builder(ECHO).threadingMode(null));
        expect(NullPointerException.class, "errorHandler=null", () -> Balancer.builder(ECHO).errorHandler(null));
        expect(NullPointerException.class, "threadFactory=null", () -> Balancer.builder(ECHO).threadFactory(null));
        expect(NullPointerException.class, "workerIdleStrategy=null",
            () -> Balancer.builder(ECHO).workerIdleStrategy(null));
        expect(NullPointerException.class, "balancerIdleStrategy=null",
            () -> Balancer.builder(ECHO).balancerIdleStrategy(null));
        expect(NullPointerException.class, "cpus=null", () -> Balancer.builder(ECHO).pinCpus((int[])null));
        expect(NullPointerException.class, "onResult=null", () -> Reply.of(null, (q, e) -> {}));
        expect(IllegalArgumentException.class, "policy=leastloaded", () -> Policy.byName("leastloaded"));
        expect(IllegalArgumentException.class, "policy=null", () -> Policy.byName(null));
        expect(NullPointerException.class, "onError=null", () -> Reply.of((q, r) -> {}, null));
    }

    @Test
    void shouldRefuseBadSubmitAndKeepWorking() throws Exception
    {
        try (Balancer<Integer, Integer> balancer = Balancer.builder(ECHO).workers(2).ringSize(4).build())
        {
            final Recorder<Integer, Integer> reply = new Recorder<>();
            expect(NullPointerException.class, "request=null", () -> balancer.submit(null, reply));
            expect(NullPointerException.class, "reply=null", () -> balancer.submit(1, null));
            expect(NullPointerException.class, "request=null", () -> balancer.trySubmit(null, reply));
            expect(NullPointerException.class, "reply=null", () -> balancer.trySubmit(1, null));
            expect(NullPointerException.class, "request=null", () -> balancer.submit(5L, null, reply));
            expect(NullPointerException.class, "reply=null", () -> balancer.trySubmit(5L, 1, null));
            expect(NullPointerException.class, "request=null", () -> balancer.submit((Integer)null));
            expect(NullPointerException.class, "requests[1]=null",
                () -> balancer.trySubmitAll(Arrays.asList(1, null), reply));
            expect(IllegalArgumentException.class, "requests.size()=0", () -> balancer.trySubmitAll(List.of(), reply));
            expect(IllegalArgumentException.class, "requests.size()=5",
                () -> balancer.trySubmitAll(List.of(1, 2, 3, 4, 5), reply));

            assertEquals(7, balancer.submit(7).get(10, TimeUnit.SECONDS), "the engine still works");
            assertEquals(0, reply.count(), "nothing refused was ever replied to");
        }
    }

    @Test
    void shouldRefuseSubmitAfterCloseNamingTheState()
    {
        final Balancer<Integer, Integer> balancer = Balancer.builder(ECHO).threadingMode(ThreadingMode.DEDICATED).build();
        balancer.close();
        expect(IllegalStateException.class, "closed", () -> balancer.submit(1, new Recorder<>()));
        expect(IllegalStateException.class, "closed", () -> balancer.submit(1));
        expect(IllegalStateException.class, "threadingMode=DEDICATED", balancer::invoker);
    }

    private static void expect(final Class<? extends Throwable> type, final String fragment, final Executable call)
    {
        final Throwable thrown = assertThrows(type, call);
        assertTrue(thrown.getMessage().contains(fragment),
            "message should contain '" + fragment + "': " + thrown.getMessage());
    }
}
