package dev.fulcrum;

/**
 * Where a worker slot is in its life, as {@link BalancerStats#state(int)} reports it.
 */
public enum WorkerState
{
    /** Chosen by the policy. */
    RUNNING,
    /** Its current task has run past the stall threshold: chosen no more until the task ends. */
    STALLED,
    /** Being removed: chosen no more; what it runs finishes there, what it had not started moved away. */
    LEAVING,
    /** No worker in this slot: never started, or removed. {@link Balancer#addWorker()} may fill it. */
    GONE
}
