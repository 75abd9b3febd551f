/**
 * Fulcrum: an in-process, low-latency load balancer. Requester threads submit requests to a
 * {@link dev.fulcrum.Balancer}; one balancer hands each request to a worker thread chosen by a
 * {@link dev.fulcrum.Policy} (least loaded by default); the worker runs the {@link dev.fulcrum.Task} and calls the
 * request's {@link dev.fulcrum.Reply} itself, so the result goes straight back to its requester.
 *
 * <h2>Data flow</h2>
 * <pre>
 *  requester threads (any number; one with singleProducer())
 *      |  submit / trySubmit: claim a slot, copy request + reply (+ key) into it, publish
 *      v
 *  Disruptor RingBuffer (ringSize preallocated slots)
 *      |  polled by the balancer while some worker has room
 *      v
 *  balancer (one thread; sole owner of pending counts, policy index, job pool, key table)
 *      |  copies the slot into a pooled Job, the policy picks a worker
 *      |
 *      +------------------+------------------+
 *      v                  v                  v      one bounded SPSC queue per worker
 *  worker 0           worker 1    ...    worker n-1
 *      |  Task.execute(request), then Reply.onResult / onError, on the worker thread
 *      |
 *      +------------------+------------------+
 *      v                                            each worker's own SPSC completion queue
 *  balancer: pending--, fix the policy's index, recycle the Job, release parked keyed requests
 * </pre>
 *
 * <h2>Threading modes</h2>
 * <pre>
 *  DEDICATED                  SHARED                          INVOKER
 *  thread: balancer           thread: balancer + worker 0     your thread: balancer.invoker().invoke()
 *  thread: worker 0           thread: worker 1                thread: worker 0
 *  thread: worker 1           ...                             thread: worker 1
 *  ...                                                        ...
 *  workers + 1 threads        workers threads                 workers threads
 * </pre>
 * Left unset, the mode is chosen from the machine: SHARED for one worker under 3 available processors, DEDICATED
 * otherwise ({@link dev.fulcrum.BalancerBuilder#threadingMode(ThreadingMode)}).
 *
 * <h2>Keyed requests</h2>
 * <pre>
 *  submit(key, ...)  --&gt;  key in flight?  --no--&gt;  policy picks a worker; the key sticks to it
 *                                |
 *                               yes --&gt; same worker: its queue if it has room and nothing is parked before,
 *                                       else parked behind it (at most maxParked), else held (ring waits)
 *  last request of the key completes  --&gt;  key forgotten; its next request goes where the policy says
 * </pre>
 *
 * <h2>Who calls what</h2>
 * <ul>
 * <li>Any thread: {@code submit}, {@code trySubmit}, {@code trySubmitAll}, {@code stats}, {@code close}
 * (one thread only when built with {@code singleProducer()}).</li>
 * <li>Worker threads: {@link dev.fulcrum.Task#execute(Object)}, {@link dev.fulcrum.Task#onEndOfBatch()}, and every
 * {@link dev.fulcrum.Reply} callback with a result or the task's error.</li>
 * <li>The thread that decided it (the balancer's, the watchdog's, a closing thread): a {@link dev.fulcrum.Reply}
 * callback with an {@link dev.fulcrum.EngineException}.</li>
 * <li>Whichever thread runs the balancer's cycle, one at a time: a custom policy's {@link dev.fulcrum.WorkerChooser}
 * (see its contract).</li>
 * <li>Engine threads: the {@link org.agrona.ErrorHandler}, for anything a reply or hook threw, stalls, interrupt
 * flags left set, and a custom policy's faults.</li>
 * </ul>
 * Nothing on the callback path allocates: ring slots and jobs are preallocated and reused. Every queue is bounded:
 * the engine holds at most {@code ringSize} requests in its ring and a job pool of
 * {@code 3 x maxWorkers x maxPendingPerWorker + maxParked + 1}.
 */
package dev.fulcrum;
