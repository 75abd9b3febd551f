package dev.fulcrum.micrometer;

import dev.fulcrum.Balancer;
import dev.fulcrum.BalancerBuilder;
import dev.fulcrum.Reply;
import dev.fulcrum.Task;
import dev.fulcrum.WorkerStalledException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FulcrumMetricsTest
{
    private static final Tags TAGS = Tags.of("name", "orders", "region", "eu");

    /** Every name the class javadoc and the README document, and no other. */
    private static final Set<String> DOCUMENTED = Set.of(
        "executor.completed", "executor.active", "executor.queued", "executor.pool.size", "executor.pool.max",
        "fulcrum.worker.pending", "fulcrum.worker.completed", "fulcrum.worker.failed", "fulcrum.workers",
        "fulcrum.dispatched", "fulcrum.reply.errors", "fulcrum.stalls", "fulcrum.moved",
        "fulcrum.key.backlog.rejected", "fulcrum.interrupts.cleared", "fulcrum.parked", "fulcrum.keys.in.flight",
        "fulcrum.pending.variance");

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<Balancer<?, ?>> balancers = new ArrayList<>();
    private final List<CountDownLatch> latches = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        latches.forEach(CountDownLatch::countDown);
        balancers.forEach(Balancer::close);
    }

    @Test
    void shouldShowTheLatencyPercentilesOfEachWorkerWhenTheBalancerRecordsThem() throws Exception
    {
        final long spinNs = TimeUnit.MICROSECONDS.toNanos(200);
        final Balancer<Integer, Integer> balancer = start(builder(request ->
        {
            final long end = System.nanoTime() + spinNs;
            while (System.nanoTime() < end)
            {
                Thread.onSpinWait();
            }
            return request;
        }).workers(1).latencyHistograms(true).latencyInterval(Duration.ofMillis(10)));

        new FulcrumMetrics(balancer, "orders", Tags.of("region", "eu")).bindTo(registry);
        for (final String name : List.of("fulcrum.worker.wait.percentile", "fulcrum.worker.service.percentile"))
        {
            for (final String phi : List.of("0.5", "0.99", "0.999"))
            {
                assertEquals("seconds", registry.get(name).tags(TAGS).tags("worker", "0", "phi", phi).gauge().getId()
                    .getBaseUnit(), name + " phi=" + phi);
            }
        }
        for (int i = 0; i < 20; i++)
        {
            assertEquals(i, balancer.submit(i).get(Await.DEFAULT_TIMEOUT_S, TimeUnit.SECONDS));
        }
        // the meters read the figures BalancerStats publishes for the last interval that ended; one more request on
        // every look keeps each 10 ms interval holding some, so a look that comes late (a busy machine) still finds
        // an interval with requests rather than an empty one after them
        awaitValues("an interval with requests", () ->
        {
            balancer.submit(0);
            return gauge("fulcrum.worker.service.percentile", "worker", "0", "phi", "0.5") >= spinNs / 1e9 &&
                gauge("fulcrum.worker.service.max", "worker", "0") >= spinNs / 1e9;
        });
        assertTrue(gauge("fulcrum.worker.wait.max", "worker", "0") >= 0);
    }

    @Test
    void shouldRegisterTheDocumentedNamesWithTheExecutorTagConventions()
    {
        final Balancer<Integer, Integer> balancer = start(builder(request -> request).workers(2).maxWorkers(3));

        new FulcrumMetrics(balancer, "orders", Tags.of("region", "eu")).bindTo(registry);

        final Set<String> names = registry.getMeters().stream()
            .map(meter -> meter.getId().getName()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(DOCUMENTED), names);
        for (final Meter meter : registry.getMeters())
        {
            assertEquals("orders", meter.getId().getTag("name"), meter.getId().toString());
            assertEquals("eu", meter.getId().getTag("region"), meter.getId().toString());
        }
        // 5 executor meters, 9 balancer meters, one fulcrum.workers per state, 3 per worker slot
        assertEquals(5 + 9 + 4 + 3 * 3, registry.getMeters().size());

        assertEquals("tasks", registry.get("executor.completed").tags(TAGS).functionCounter().getId().getBaseUnit());
        assertEquals("threads", registry.get("executor.active").tags(TAGS).gauge().getId().getBaseUnit());
        assertEquals("tasks", registry.get("executor.queued").tags(TAGS).gauge().getId().getBaseUnit());
        assertEquals(2, gauge("executor.pool.size"));
        assertEquals(3, gauge("executor.pool.max"));
        assertEquals(2, gauge("fulcrum.workers", "state", "running"));
        assertEquals(0, gauge("fulcrum.workers", "state", "stalled"));
        assertEquals(0, gauge("fulcrum.workers", "state", "leaving"));
        assertEquals(1, gauge("fulcrum.workers", "state", "gone"));
        for (int w = 0; w < 3; w++)
        {
            final String worker = Integer.toString(w);
            assertEquals(0, gauge("fulcrum.worker.pending", "worker", worker));
            assertEquals(0, counter("fulcrum.worker.completed", "worker", worker));
            assertEquals(0, counter("fulcrum.worker.failed", "worker", worker));
        }
        for (final String notFitting : List.of("executor.pool.core", "executor.queue.remaining", "executor",
            "executor.idle"))
        {
            assertNull(registry.find(notFitting).meter(), notFitting);
        }
    }

    @Test
    void shouldFollowPendingQueuedActiveAndCompletedOfARunningBalancer()
    {
        final CountDownLatch release = latch();
        final Balancer<Integer, Integer> balancer = start(builder(request ->
        {
            if (request < 0)
            {
                throw new IllegalStateException("failing on purpose: request=" + request);
            }
            release.await();
            return request;
        }).workers(2).maxPendingPerWorker(4));
        bind(balancer);
        final AtomicInteger results = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        final Reply<Integer, Integer> reply = Reply.of((q, r) -> results.incrementAndGet(),
            (q, e) -> errors.incrementAndGet());

        for (int i = 0; i < 6; i++)
        {
            balancer.submit(i, reply);
        }

        // least loaded, ties to the lowest index, nothing completes: three on each worker, one running, two queued
        awaitValues("six requests held, none completed", () ->
            gauge("executor.active") == 2 &&
            gauge("executor.queued") == 4 &&
            gauge("fulcrum.worker.pending", "worker", "0") == 3 &&
            gauge("fulcrum.worker.pending", "worker", "1") == 3 &&
            counter("fulcrum.dispatched") == 6);
        assertEquals(0, counter("executor.completed"));
        assertEquals(0, results.get());

        release.countDown();
        awaitValues("all six completed and taken back", () ->
            counter("executor.completed") == 6 &&
            gauge("executor.active") == 0 &&
            gauge("executor.queued") == 0 &&
            gauge("fulcrum.worker.pending", "worker", "0") == 0 &&
            gauge("fulcrum.worker.pending", "worker", "1") == 0);
        assertEquals(3, counter("fulcrum.worker.completed", "worker", "0"));
        assertEquals(3, counter("fulcrum.worker.completed", "worker", "1"));
        assertEquals(6, results.get());

        balancer.submit(-1, reply);
        balancer.submit(-2, reply);
        awaitValues("two failures counted", () ->
            counter("executor.completed") == 8 &&
            counter("fulcrum.worker.failed", "worker", "0") + counter("fulcrum.worker.failed", "worker", "1") == 2);
        assertEquals(2, errors.get());
        assertEquals(0, counter("fulcrum.stalls"));
        assertEquals(0, counter("fulcrum.reply.errors"));
    }

    @Test
    void shouldShowAStalledWorkerAndCountItsStall()
    {
        final CountDownLatch release = latch();
        final List<Throwable> reported = new CopyOnWriteArrayList<>();
        final Balancer<Integer, Integer> balancer = start(builder(request ->
        {
            release.await();
            return request;
        }).workers(2).stallThreshold(Duration.ofMillis(50)).errorHandler(reported::add));
        bind(balancer);

        balancer.submit(1, Reply.of((q, r) -> {}, (q, e) -> {}));

        awaitValues("one worker stalled", () ->
            gauge("fulcrum.workers", "state", "stalled") == 1 &&
            gauge("fulcrum.workers", "state", "running") == 1 &&
            counter("fulcrum.stalls") == 1);
        assertEquals(2, gauge("executor.pool.size"), "a stalled worker is still in the pool");

        release.countDown();
        awaitValues("the worker back in rotation", () ->
            gauge("fulcrum.workers", "state", "stalled") == 0 &&
            gauge("fulcrum.workers", "state", "running") == 2 &&
            counter("executor.completed") == 1);
        assertEquals(1, counter("fulcrum.stalls"), "a counter never goes back");
        assertEquals(1, reported.size(), reported.toString());
        assertInstanceOf(WorkerStalledException.class, reported.get(0));
    }

    @Test
    void shouldKeepOneSetOfMetersPerSlotWhileWorkersComeAndGo() throws Exception
    {
        final CountDownLatch release = latch();
        final Balancer<Integer, Integer> balancer = start(builder(request ->
        {
            release.await();
            return request;
        }).workers(1).maxWorkers(2));
        bind(balancer);
        final int meters = registry.getMeters().size();
        assertEquals(1, gauge("fulcrum.workers", "state", "gone"));
        assertEquals(0, gauge("fulcrum.worker.pending", "worker", "1"));

        assertEquals(1, balancer.addWorker());
        awaitValues("worker 1 in the pool", () ->
            gauge("executor.pool.size") == 2 && gauge("fulcrum.workers", "state", "gone") == 0);
        final Reply<Integer, Integer> ignore = Reply.of((q, r) -> {}, (q, e) -> {});
        balancer.submit(1, ignore);
        balancer.submit(2, ignore); // least loaded: worker 0 holds one, so this one goes to worker 1
        awaitValues("one request held by each worker", () ->
            gauge("fulcrum.worker.pending", "worker", "0") == 1 &&
            gauge("fulcrum.worker.pending", "worker", "1") == 1);
        release.countDown();
        awaitValues("worker 1 completed its request", () ->
            counter("fulcrum.worker.completed", "worker", "1") == 1 &&
            gauge("fulcrum.worker.pending", "worker", "1") == 0);

        balancer.removeWorker(1).get(Await.DEFAULT_TIMEOUT_S, TimeUnit.SECONDS);
        awaitValues("worker 1 gone", () ->
            gauge("executor.pool.size") == 1 && gauge("fulcrum.workers", "state", "gone") == 1);
        assertEquals(1, counter("fulcrum.worker.completed", "worker", "1"), "a gone slot keeps its count");
        assertEquals(0, gauge("fulcrum.worker.pending", "worker", "1"));
        assertEquals(meters, registry.getMeters().size(), "no meter added or removed as the pool changes");
    }

    @Test
    void shouldShareOneSnapshotWithinItsAgeAndTakeANewOneAfter() throws Exception
    {
        final Balancer<Integer, Integer> balancer = start(builder(request -> request).workers(1));
        final AtomicLong nowNs = new AtomicLong(1_000);
        new FulcrumMetrics(balancer, "orders", Tags.of("region", "eu"), Duration.ofMillis(100), nowNs::get)
            .bindTo(registry);
        assertEquals(0, counter("executor.completed")); // the snapshot of time 1,000 ns

        assertEquals(7, balancer.submit(7).get(Await.DEFAULT_TIMEOUT_S, TimeUnit.SECONDS));
        Await.until(() -> 1 == balancer.stats().totalCompleted(), () -> "the worker counted its request");

        assertEquals(0, counter("executor.completed"), "read within the age: the same snapshot");
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(100) - 1);
        assertEquals(0, counter("executor.completed"), "a nanosecond short of the age: still the same snapshot");
        nowNs.incrementAndGet();
        assertEquals(1, counter("executor.completed"), "at the age: a new snapshot");
    }

    @Test
    void shouldKeepReadingAfterTheBinderItselfIsCollected()
    {
        final Balancer<Integer, Integer> balancer = start(builder(request -> request).workers(1));
        final WeakReference<FulcrumMetrics> binder = bindAndDrop(balancer);

        Await.until(() ->
        {
            System.gc();
            return null == binder.get();
        }, () -> "a collection that clears weak references");

        // Micrometer holds a meter's source weakly: had nothing but the binder held it, these would read NaN now
        assertEquals(1, gauge("executor.pool.size"));
        assertEquals(0, counter("executor.completed"));
    }

    @Test
    void shouldRemoveItsMetersOnCloseAndRefuseToBindAgain()
    {
        final Balancer<Integer, Integer> balancer = start(builder(request -> request).workers(1));
        final MeterRegistry other = new SimpleMeterRegistry();
        final FulcrumMetrics metrics = new FulcrumMetrics(balancer, "orders", Tags.empty());
        metrics.bindTo(registry);
        metrics.bindTo(other);
        assertEquals(5 + 9 + 4 + 3, registry.getMeters().size());
        assertEquals(5 + 9 + 4 + 3, other.getMeters().size());

        metrics.close();
        metrics.close();

        assertTrue(registry.getMeters().isEmpty(), registry.getMeters().toString());
        assertTrue(other.getMeters().isEmpty(), other.getMeters().toString());
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> metrics.bindTo(registry));
        assertTrue(ex.getMessage().startsWith("closed"), ex.getMessage());
        assertTrue(registry.getMeters().isEmpty());
    }

    @Test
    void shouldRefuseBadArgumentsNamingThem()
    {
        final Balancer<Integer, Integer> balancer = start(builder(request -> request).workers(1));
        final Tags none = Tags.empty();

        assertMessage("balancer must not be null: balancer=null",
            assertThrows(NullPointerException.class, () -> new FulcrumMetrics(null, "orders", none)));
        assertMessage("name must not be null: name=null",
            assertThrows(NullPointerException.class, () -> new FulcrumMetrics(balancer, null, none)));
        assertMessage("tags must not be null: tags=null",
            assertThrows(NullPointerException.class, () -> new FulcrumMetrics(balancer, "orders", null)));
        assertMessage("snapshotMaxAge must not be null: snapshotMaxAge=null",
            assertThrows(NullPointerException.class, () -> new FulcrumMetrics(balancer, "orders", none, null)));
        assertMessage("name must not be blank: name=' '",
            assertThrows(IllegalArgumentException.class, () -> new FulcrumMetrics(balancer, " ", none)));
        assertMessage("snapshotMaxAge must not be negative: snapshotMaxAge=PT-0.001S",
            assertThrows(IllegalArgumentException.class,
                () -> new FulcrumMetrics(balancer, "orders", none, Duration.ofMillis(-1))));
        final IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
            () -> new FulcrumMetrics(balancer, "orders", none, Duration.ofDays(365L * 1_000)));
        assertTrue(tooLong.getMessage().startsWith("snapshotMaxAge must be at most ") &&
            tooLong.getMessage().endsWith("snapshotMaxAge=PT8760000H"), tooLong.getMessage());
        assertMessage("registry must not be null: registry=null", assertThrows(NullPointerException.class,
            () -> new FulcrumMetrics(balancer, "orders", none).bindTo(null)));
    }

    private WeakReference<FulcrumMetrics> bindAndDrop(final Balancer<Integer, Integer> balancer)
    {
        final FulcrumMetrics metrics = new FulcrumMetrics(balancer, "orders", Tags.of("region", "eu"), Duration.ZERO);
        metrics.bindTo(registry);
        return new WeakReference<>(metrics);
    }

    private void bind(final Balancer<?, ?> balancer)
    {
        // a snapshot per read: every read below sees the engine as it is now
        new FulcrumMetrics(balancer, "orders", Tags.of("region", "eu"), Duration.ZERO).bindTo(registry);
    }

    private double gauge(final String name, final String... tags)
    {
        return registry.get(name).tags(TAGS).tags(tags).gauge().value();
    }

    private double counter(final String name, final String... tags)
    {
        return registry.get(name).tags(TAGS).tags(tags).functionCounter().count();
    }

    private void awaitValues(final String what, final BooleanSupplier condition)
    {
        Await.until(condition, () -> what + "; meters: " + describe());
    }

    private String describe()
    {
        return registry.getMeters().stream()
            .filter(meter -> null == meter.getId().getTag("worker") || meter.getId().getName().endsWith("pending"))
            .map(meter -> meter.getId().getName() + tagSuffix(meter) + "=" + meter.measure().iterator().next()
                .getValue())
            .sorted()
            .collect(Collectors.joining(", "));
    }

    private static String tagSuffix(final Meter meter)
    {
        final String worker = meter.getId().getTag("worker");
        final String state = meter.getId().getTag("state");
        return null != worker ? "{worker=" + worker + "}" : null != state ? "{state=" + state + "}" : "";
    }

    private CountDownLatch latch()
    {
        final CountDownLatch latch = new CountDownLatch(1);
        latches.add(latch);
        return latch;
    }

    private <Q, R> Balancer<Q, R> start(final BalancerBuilder<Q, R> builder)
    {
        final Balancer<Q, R> balancer = builder.build();
        balancers.add(balancer);
        return balancer;
    }

    /**
     * @return a builder whose engine threads back off when idle (2 cores) and whose watchdog is off (the tasks
     * that wait on a latch would otherwise stall); a test that wants stalls sets a threshold again.
     */
    private static BalancerBuilder<Integer, Integer> builder(final Task<Integer, Integer> task)
    {
        return Balancer.builder(task)
            .balancerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .workerIdleStrategy(() -> new BackoffIdleStrategy(10, 10, 1_000, 100_000))
            .stallThreshold(Duration.ZERO);
    }

    private static void assertMessage(final String expected, final Throwable thrown)
    {
        assertEquals(expected, thrown.getMessage());
    }
}
