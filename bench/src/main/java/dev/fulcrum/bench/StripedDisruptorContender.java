package dev.fulcrum.bench;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.EventTranslatorOneArg;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.TimeoutException;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * A bare LMAX Disruptor used as a worker pool the way its users do it since version 4 dropped {@code WorkerPool}:
 * a multi-producer ring and {@code workers} handlers that all see every event, handler {@code i} running those
 * whose {@code sequence % workers == i} and skipping the rest. Assignment is static, so a long task delays every
 * request striped behind it. The reply is called on the handler's thread.
 */
final class StripedDisruptorContender extends AbstractCallbackContender
{
    private static final long SHUTDOWN_TIMEOUT_S = 10;
    private static final EventTranslatorOneArg<ProbeEvent, Probe> TRANSLATOR =
        (event, sequence, probe) -> event.probe = probe;

    private final Disruptor<ProbeEvent> disruptor;
    private final RingBuffer<ProbeEvent> ring;
    private final StripeHandler[] handlers;

    StripedDisruptorContender(final String name, final int workers, final IdleKind idle, final int ringSize)
    {
        super(name, workers);
        disruptor = new Disruptor<>(
            ProbeEvent::new, ringSize, new DaemonThreadFactory("disruptor"), ProducerType.MULTI,
            idle.newDisruptorWaitStrategy());
        handlers = new StripeHandler[workers];
        for (int i = 0; i < workers; i++)
        {
            handlers[i] = new StripeHandler(i, workers);
        }
        disruptor.handleEventsWith(handlers);
        ring = disruptor.start();
    }

    @Override
    public void send(final Probe probe)
    {
        ring.publishEvent(TRANSLATOR, probe);
    }

    /**
     * Pending of stripe {@code i}: sequences up to the cursor that belong to it, less those its handler finished.
     * The cursor counts claimed slots, so a request being published counts a moment early.
     */
    @Override
    public double variancePending()
    {
        final long cursor = ring.getCursor();
        final int n = handlers.length;
        final long[] pending = new long[n];
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            final long published = cursor < i ? 0 : (cursor - i) / n + 1;
            pending[i] = Math.max(0, published - handlers[i].completed());
            sum += pending[i];
        }
        final double mean = (double)sum / n;
        double squares = 0;
        for (final long p : pending)
        {
            squares += (p - mean) * (p - mean);
        }
        return squares / n;
    }

    @Override
    public void close()
    {
        shutdown(disruptor);
    }

    /**
     * Let the handlers finish what was published, or halt them after {@link #SHUTDOWN_TIMEOUT_S}.
     */
    static void shutdown(final Disruptor<?> disruptor)
    {
        try
        {
            disruptor.shutdown(SHUTDOWN_TIMEOUT_S, TimeUnit.SECONDS);
        }
        catch (final TimeoutException ex)
        {
            disruptor.halt();
        }
    }

    static final class ProbeEvent
    {
        Probe probe;
    }

    static final class StripeHandler implements EventHandler<ProbeEvent>
    {
        private static final VarHandle COMPLETED;

        static
        {
            try
            {
                COMPLETED = MethodHandles.lookup().findVarHandle(StripeHandler.class, "completed", long.class);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new ExceptionInInitializerError(ex);
            }
        }

        // keep the counter, written on every event, off the lines of neighbouring handlers
        @SuppressWarnings("unused")
        private long p01, p02, p03, p04, p05, p06, p07;
        private final int stripe;
        private final int stripes;
        @SuppressWarnings("unused") // written with COMPLETED
        private volatile long completed;
        @SuppressWarnings("unused")
        private long p11, p12, p13, p14, p15, p16, p17;

        StripeHandler(final int stripe, final int stripes)
        {
            this.stripe = stripe;
            this.stripes = stripes;
        }

        @Override
        public void onEvent(final ProbeEvent event, final long sequence, final boolean endOfBatch)
        {
            if (sequence % stripes != stripe)
            {
                return;
            }
            final Probe probe = event.probe;
            event.probe = null;
            probe.run();
            COMPLETED.setRelease(this, (long)COMPLETED.getOpaque(this) + 1);
        }

        long completed()
        {
            return (long)COMPLETED.getAcquire(this);
        }
    }
}
