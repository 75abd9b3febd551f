package dev.fulcrum.bench;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;


/**
 * The per-key ordering users hand-roll on a bare LMAX Disruptor: a multi-producer ring and {@code workers}
 * handlers that all see every event, handler {@code i} running those whose {@code key % workers == i} and
 * skipping the rest. A key always runs on the same handler, so its requests run one at a time in ring order;
 * assignment is static, so a hot key (or two hot keys on one stripe) loads its handler whatever the others do,
 * and because every handler gates the ring, a slow stripe holds up the ring for all. The reply is called on the
 * handler's thread. The stripe is computed once, by the producer ({@code Math.floorMod}, so negative keys work).
 */
final class KeyStripedDisruptorContender extends AbstractCallbackContender implements KeyedContender
{

    private final Disruptor<KeyedProbeEvent> disruptor;
    private final RingBuffer<KeyedProbeEvent> ring;
    private final int stripes;

    KeyStripedDisruptorContender(final String name, final int workers, final IdleKind idle, final int ringSize)
    {
        super(name, workers);
        stripes = workers;
        disruptor = new Disruptor<>(
            KeyedProbeEvent::new, ringSize, new DaemonThreadFactory("striped"), ProducerType.MULTI,
            idle.newDisruptorWaitStrategy());
        final StripeHandler[] handlers = new StripeHandler[workers];
        for (int i = 0; i < workers; i++)
        {
            handlers[i] = new StripeHandler(i);
        }
        disruptor.handleEventsWith(handlers);
        ring = disruptor.start();
    }

    /**
     * No key: striped by ring sequence, as {@link StripedDisruptorContender} does.
     */
    @Override
    public void send(final Probe probe)
    {
        final long sequence = ring.next();
        publish(sequence, (int)(sequence % stripes), probe);
    }

    @Override
    public void send(final long key, final Probe probe)
    {
        final long sequence = ring.next();
        publish(sequence, Math.floorMod(key, stripes), probe);
    }

    private void publish(final long sequence, final int stripe, final Probe probe)
    {
        // claim, fill, publish: the Disruptor's garbage-free way to pass a primitive without a boxing translator
        final KeyedProbeEvent event = ring.get(sequence);
        event.probe = probe;
        event.stripe = stripe;
        ring.publish(sequence);
    }

    @Override
    public void close()
    {
        StripedDisruptorContender.shutdown(disruptor);
    }

    static final class KeyedProbeEvent
    {
        Probe probe;
        int stripe;
    }

    static final class StripeHandler implements EventHandler<KeyedProbeEvent>
    {
        private final int stripe;

        StripeHandler(final int stripe)
        {
            this.stripe = stripe;
        }

        @Override
        public void onEvent(final KeyedProbeEvent event, final long sequence, final boolean endOfBatch)
        {
            if (event.stripe != stripe)
            {
                return;
            }
            final Probe probe = event.probe;
            event.probe = null;
            probe.run();
        }
    }
}
