package dev.fulcrum;

/**
 * Which threads run the balancer's duty cycle, after the threading modes of Aeron's media driver.
 */
public enum ThreadingMode
{
    /**
     * The balancer and each worker have a thread of their own: for machines with a core to spare for each. The
     * balancer never waits behind a task.
     */
    DEDICATED,

    /**
     * The balancer runs on worker 0's thread (an Agrona {@code CompositeAgent}): one thread fewer, so a machine with
     * few cores runs no more spinning threads than it has cores. Dispatch waits while worker 0 runs a task, so keep
     * tasks short or {@code maxPendingPerWorker} large enough to cover one task's duration. A task on worker 0 that
     * runs past the stall threshold does not stop dispatch for good: the watchdog thread then runs the balancer's
     * duty cycle until the task returns. With stall detection off ({@code stallThreshold(Duration.ZERO)}) a stuck
     * task on worker 0 stops dispatch to every worker: that is the one guarantee SHARED gives up.
     */
    SHARED,

    /**
     * No balancer thread: the application drives the balancer's duty cycle with
     * {@link Balancer#invoker()}{@code .invoke()} from its own event loop (or a test). Workers keep their threads.
     * Stalled workers are still detected and routed around, but dispatch runs only while the application's loop
     * does. {@link Balancer#close()} is safe from any thread: the closing thread runs the duty cycle itself while
     * it waits, taking turns with the application's loop.
     */
    INVOKER
}
