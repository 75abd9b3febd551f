/**
 * A balancer's counters, read from outside its process: the layout of the counters file
 * ({@link dev.fulcrum.stat.CountersLayout}) and its reader ({@link dev.fulcrum.stat.CountersFile}), which the
 * {@code fulcrum-stat} tool prints. JDK types only: a reader needs neither Agrona nor any JVM flag.
 * <pre>
 *  process running a balancer                          any process on the host
 *  (countersDirectory, fulcrum.counters.dir,           (fulcrum-stat, a monitoring agent, a test)
 *   or FULCRUM_COUNTERS_DIR)
 *
 *  requesters, balancer, workers --release stores--&gt;  fulcrum-PID-N.counters  &lt;--volatile loads-- CountersFile
 *  watchdog: ring depth, time in task, error log --&gt;   (memory-mapped file)         (read-only mapping)
 * </pre>
 * The file's metadata and values sections are in Agrona's counters layout and its error log in Agrona's
 * {@code DistinctErrorLog} layout, so Agrona's {@code CountersReader} and {@code ErrorLogReader} read them too
 * ({@link dev.fulcrum.stat.CountersFile#metaDataBuffer()}, {@link dev.fulcrum.stat.CountersFile#valuesBuffer()},
 * {@link dev.fulcrum.stat.CountersFile#errorLogBuffer()}); Agrona 2's buffers need
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} in the reading JVM, {@code CountersFile} does not.
 */
package dev.fulcrum.stat;
